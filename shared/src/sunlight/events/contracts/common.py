"""Types shared by several contracts."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Level(StrEnum):
    """Three-colour warning levels (三色预警)."""

    BLUE = "blue"  # 常态性: routine, a post or pattern to keep an eye on
    ORANGE = "orange"  # 动态性: an early sign in a live process, to correct now
    RED = "red"  # 惩戒性: an evident violation, to correct and hold to account

    @property
    def rank(self) -> int:
        return {"blue": 1, "orange": 2, "red": 3}[self.value]

    def raised(self) -> Level:
        return {Level.BLUE: Level.ORANGE, Level.ORANGE: Level.RED, Level.RED: Level.RED}[self]


class SubjectRef(BaseModel):
    """What a warning, complaint or disposition is about, in the service that owns it."""

    model_config = ConfigDict(frozen=True)

    service: str = Field(
        description="owning service: funds, tenders, approvals, complaints, integrity", pattern=r"^[a-z]+$"
    )
    kind: str = Field(
        description="entity kind in that service, e.g. node, movement, programme, tender", pattern=r"^[a-z_]+$"
    )
    id: str = Field(max_length=100)
    label: str | None = Field(default=None, max_length=300, description="human-readable name; never personal data")
