"""Versioned event payload contracts: one module per domain, one class per event type.

A contract is a pydantic model decorated with :func:`contract`; its ``event_type`` ends
in ``.v<N>``. A breaking change is a new class with ``v<N+1>``, never an edit of a
published one (``make openapi`` exports the JSON Schemas and a test compares them with the
committed ``openapi/events/``). Payloads never carry personal data: identities, ID
numbers and accounts stay in the owning service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

SCHEMA_BASE = "https://sunlight.example/schemas/events/"
CONTRACTS: dict[str, type[BaseModel]] = {}
M = TypeVar("M", bound=type[BaseModel])


def contract(event_type: str) -> Callable[[M], M]:
    parts = event_type.split(".")
    if len(parts) < 3 or not parts[-1].startswith("v") or not parts[-1][1:].isdigit():
        raise ValueError(f"event types look like <domain>.<noun>.<verb>.v<N>, not {event_type!r}")

    def register(model: M) -> M:
        if event_type in CONTRACTS:
            raise ValueError(f"{event_type} is registered twice")
        model.event_type = event_type  # type: ignore[attr-defined]
        CONTRACTS[event_type] = model
        return model

    return register


def schema_uri(event_type: str) -> str:
    return f"{SCHEMA_BASE}{event_type}.schema.json"


# the domain modules register themselves on import
from sunlight.events.contracts import (  # noqa: E402
    approvals,
    common,
    complaints,
    funds,
    integrity,
    tenders,
    warnings,
)

__all__ = [
    "CONTRACTS",
    "approvals",
    "common",
    "complaints",
    "contract",
    "funds",
    "integrity",
    "schema_uri",
    "tenders",
    "warnings",
]
