"""Tender contracts (招投标)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from sunlight.events.contracts import contract


@contract("tenders.bid.submitted.v1")
class BidSubmitted(BaseModel):
    tender_id: str
    bid_id: str
    bidder_uscc: str
    price_fen: int
    region_code: str
    submitted_at: datetime


@contract("tenders.tender.published.v1")
class TenderPublished(BaseModel):
    """A tender was published on the trading platform (its documents issued, bids open until the deadline)."""

    tender_id: str
    code: str
    project_id: str
    category: str
    procedure: str
    estimate_fen: int
    ceiling_fen: int | None = None
    owner_uscc: str
    region_code: str
    published_at: datetime
    deadline: datetime
