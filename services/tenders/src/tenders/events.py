"""The events the tenders service emits, built from its rows (never with personal data).

Warnings (``warnings.raised.v1``) are built in ``findings.py`` from the findings of ``rules.py``.
"""

from __future__ import annotations

from typing import Any

from sunlight.events import Envelope, new_event
from sunlight.events.contracts.tenders import BidSubmitted, TenderPublished

from tenders.models import Bid, Tender

SOURCE = "/sunlight/tenders"


def tender_published(tender: Tender) -> Envelope[Any]:
    return new_event(
        TenderPublished(
            tender_id=str(tender.id),
            code=tender.code,
            project_id=str(tender.project_id),
            category=str(tender.category),
            procedure=str(tender.procedure),
            estimate_fen=tender.estimate_fen,
            ceiling_fen=tender.ceiling_fen,
            owner_uscc=tender.owner_uscc,
            region_code=tender.region_code,
            published_at=tender.published_at,
            deadline=tender.deadline,
        ),
        source=SOURCE,
        subject=f"tender/{tender.id}",
    )


def bid_submitted(bid: Bid, bidder_uscc: str) -> Envelope[Any]:
    return new_event(
        BidSubmitted(
            tender_id=str(bid.tender_id),
            bid_id=str(bid.id),
            bidder_uscc=bidder_uscc,
            price_fen=bid.price_fen,
            region_code=bid.region_code,
            submitted_at=bid.submitted_at,
        ),
        source=SOURCE,
        subject=f"bid/{bid.id}",
    )
