"""The receipt of an OCDS import."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sunlight.enums import DescribedEnum


class SkippedOut(BaseModel):
    ocid: str | None
    reason: str


class OcdsImportOut(BaseModel):
    id: uuid.UUID
    region_code: str
    status: Literal["completed"] = Field(
        description="completed (an import that cannot complete is refused whole with a problem)"
    )
    bytes: int = Field(description="size of the upload")
    releases: int = Field(description="releases read (before merging per ocid)")
    records: int
    processes: int = Field(description="contracting processes compiled from the file")
    created: int = Field(description="processes stored for the first time")
    updated: int = Field(description="stored processes replaced because the file brought release ids not seen")
    unchanged: int = Field(description="processes whose releases were all imported before")
    skipped: list[SkippedOut] = Field(description="what could not be compiled, and why (first 1,000)")
    created_at: datetime

    @classmethod
    def of(cls, row: Any) -> OcdsImportOut:
        return cls(
            id=row.id,
            region_code=row.region_code,
            status=row.status,
            skipped=row.skipped,
            created_at=row.created_at,
            **{
                k: row.counts.get(k, 0)
                for k in ("bytes", "releases", "records", "processes", "created", "updated", "unchanged")
            },
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class OcdsTenderStatus(DescribedEnum):
    """OCDS 1.1 closed codelist ``tenderStatus``."""

    PLANNING = "planning", "a future contracting process being considered"
    PLANNED = "planned", "a contracting process scheduled, not yet begun"
    ACTIVE = "active", "the tender is open: bids, requests to participate or decisions pending"
    CANCELLED = "cancelled", "the process was cancelled"
    UNSUCCESSFUL = "unsuccessful", "the process ended without an award"
    COMPLETE = "complete", "the tender stage is over: awarded or closed"
    WITHDRAWN = "withdrawn", "no longer active, with no further releases"


class OcdsMethod(DescribedEnum):
    """OCDS 1.1 closed codelist ``method`` (``tender.procurementMethod``)."""

    OPEN = "open", "any interested supplier may bid"
    SELECTIVE = "selective", "only qualified suppliers invited may bid"
    LIMITED = "limited", "the buyer contacts a number of suppliers of its choice"
    DIRECT = "direct", "the contract is awarded to a single supplier without competition"


def _code(kind: type[DescribedEnum], value: Any) -> Any:
    return kind(value) if isinstance(value, str) and value in kind._value2member_map_ else None


class OcdsProcessOut(BaseModel):
    """One imported contracting process, summarised from its compiled release (the whole release is at
    ``GET /v1/tenders/ocds/processes/{ocid}``)."""

    id: uuid.UUID
    ocid: str
    region_code: str
    import_id: uuid.UUID = Field(description="the import that last created or replaced it")
    releases: int = Field(description="releases merged into its compiled release")
    title: str | None = Field(description="tender.title, as published")
    buyer_id: str | None = Field(description="buyer.id, as published")
    buyer_name: str | None = Field(description="buyer.name, as published")
    tender_status: OcdsTenderStatus | None = Field(
        description="tender.status; none when absent or not a code of the OCDS 1.1 codelist (the release keeps it)"
    )
    procurement_method: OcdsMethod | None = Field(
        description="tender.procurementMethod; none when absent or not an OCDS 1.1 code (the release keeps it)"
    )
    amount: float | None = Field(description="tender.value.amount, in the publisher's currency")
    currency: str | None = Field(description="tender.value.currency")
    bids: int = Field(description="entries of bids.details")
    awards: int = Field(description="entries of awards")
    updated_at: datetime

    @classmethod
    def of(cls, row: Any) -> OcdsProcessOut:
        compiled = row.compiled if isinstance(row.compiled, dict) else {}
        tender = compiled.get("tender") if isinstance(compiled.get("tender"), dict) else {}
        buyer = compiled.get("buyer") if isinstance(compiled.get("buyer"), dict) else {}
        value = tender.get("value") if isinstance(tender.get("value"), dict) else {}
        bids = compiled.get("bids") if isinstance(compiled.get("bids"), dict) else {}
        details, awards = bids.get("details"), compiled.get("awards")
        amount = value.get("amount")
        return cls(
            id=row.id,
            ocid=row.ocid,
            region_code=row.region_code,
            import_id=row.import_id,
            releases=len(row.release_ids),
            title=_text(tender.get("title")),
            buyer_id=_text(buyer.get("id")),
            buyer_name=_text(buyer.get("name")),
            tender_status=_code(OcdsTenderStatus, tender.get("status")),
            procurement_method=_code(OcdsMethod, tender.get("procurementMethod")),
            amount=float(amount) if isinstance(amount, (int, float)) and not isinstance(amount, bool) else None,
            currency=_text(value.get("currency")),
            bids=len(details) if isinstance(details, list) else 0,
            awards=len(awards) if isinstance(awards, list) else 0,
            updated_at=row.updated_at,
        )
