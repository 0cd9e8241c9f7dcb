"""The mapping of a process log onto the catalogue (TOML): which traces are which item, which activities are
the item's required steps in order, which pairs of steps need different people, and the time limits.

    [[item]]
    name = "receipt"                      # an item of the catalogue (its code when imported)
    where = { channel = "Internet" }      # optional: trace attributes selecting its cases; none = all
    steps = ["T12 Check document X request unlicensed", "T14 Determine document X request unlicensed"]
    four_eyes = [["T12 Check document X request unlicensed", "T14 Determine document X request unlicensed"]]
    # optional
    lifecycle = "complete"                # only events with this lifecycle:transition
    start = "Confirmation of receipt"     # the clock starts at its first occurrence (default: the first event)
    end = "T10 Determine necessity to stop indication"  # and stops at the first one after (default: the last event)
    legal_days = 56                       # APPROVALS-LEGAL-OVERDUE
    promised_days = 40                    # APPROVALS-PROMISE-OVERDUE
    clock = "calendar_days"               # or "workdays" (default: the official working-day calendar)
    deadline_attribute = "deadline"       # a trace's own deadline (a date attribute): ending later is overdue
    [item.kinds]                          # for importing into the service: activity → step
    "Confirmation of receipt" = "accept"

A trace belongs to the first item whose ``where`` it matches. The person who did an event is its
``org:resource``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from approvals.models import StepKind


class MappingError(ValueError):
    pass


class ItemMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    where: dict[str, str | int | float | bool] = Field(default_factory=dict)
    steps: list[str] = Field(default_factory=list)
    four_eyes: list[list[str]] = Field(default_factory=list)
    lifecycle: str | None = None
    start: str | None = None
    end: str | None = None
    legal_days: int | None = Field(default=None, ge=1)
    promised_days: int | None = Field(default=None, ge=0)
    clock: Literal["workdays", "calendar_days"] = "workdays"
    deadline_attribute: str | None = None
    kinds: dict[str, StepKind] = Field(default_factory=dict)

    @field_validator("four_eyes")
    @classmethod
    def _pairs(cls, pairs: list[list[str]]) -> list[list[str]]:
        if any(len(p) != 2 or p[0] == p[1] for p in pairs):
            raise ValueError("each four_eyes entry is a pair of two different activities")
        return pairs

    def selects(self, attributes: dict[str, object]) -> bool:
        return all(str(attributes.get(k)) == str(v) for k, v in self.where.items())


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: list[ItemMapping] = Field(min_length=1)

    def item_for(self, attributes: dict[str, object]) -> ItemMapping | None:
        return next((i for i in self.item if i.selects(attributes)), None)


def load_mapping(path: str | Path) -> Mapping:
    """The mapping file, or a MappingError saying what is wrong with it."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: {exc}") from None
    return parse_mapping(text, str(path))


def parse_mapping(text: str, name: str = "mapping") -> Mapping:
    """A mapping from its TOML text, or a MappingError saying what is wrong with it."""
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise MappingError(f"{name}: {exc}") from None
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise MappingError(f"{name}: {where}") from None
