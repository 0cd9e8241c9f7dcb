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
