"""Integrity settings: the common ones plus the register's escalation counts and disposition deadlines.

Deadlines are working days on the deployment's calendar (``settings.calendar``). The
inquiry's 15 working days are the party's rule for answering a letter of inquiry (函询: the
person answers in writing within 15 working days of receiving it); the others are proposed
defaults for a deployment to set.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator
from sunlight.settings import ServiceSettings


class IntegritySettings(ServiceSettings):
    service_name: ClassVar[str] = "integrity"
    port: int = 8105

    # the register: a finding seen in this many distinct episodes (same region and dedupe key) is raised to
    # orange / red. A sighting closer than episode_gap_hours to the previous one, or with the same evidence,
    # belongs to the same episode: a supplier paid 500 times in one batch is one episode, and so is a daily
    # scan finding the same thing again; seen again with new evidence a day or more later, it is another.
    repeat_orange_at: int = Field(default=3, ge=2)
    repeat_red_at: int = Field(default=5, ge=2)
    episode_gap_hours: float = Field(default=24.0, gt=0)

    # dispositions: working days from opening to the deadline, per kind
    disposition_workdays: dict[str, int] = Field(
        default_factory=lambda: {
            "reminder_talk": 5,
            "inquiry": 15,
            "supervision_recommendation": 20,
            "direct_review": 30,
            "case": 90,
        }
    )
    # kinds that ask the source service to hold the subject while they run (freeze)
    freezing_dispositions: tuple[str, ...] = ("direct_review", "case")

    # INTEGRITY-DISPOSITION-OVERDUE: escalate when the deadline passes, and again every this many working days
    overdue_repeat_workdays: int = Field(default=5, ge=1)
    overdue_max_escalations: int = Field(default=2, ge=1)
    overdue_every_seconds: float = Field(default=900.0, gt=0)

    # INTEGRITY-INDEX-A/B/C: the register level each grade of the integrity index raises. The grades' own
    # colours are the seed's (A red, B yellow, C orange); the register has blue/orange/red only, so yellow
    # (between red and orange in the seed's order) and orange both raise orange, red raises red
    index_grade_levels: dict[str, str] = Field(default_factory=lambda: {"A": "red", "B": "orange", "C": "orange"})

    @model_validator(mode="after")
    def _consistent(self) -> IntegritySettings:
        if self.repeat_red_at < self.repeat_orange_at:
            raise ValueError("repeat_red_at must be at least repeat_orange_at")
        kinds = {"reminder_talk", "inquiry", "supervision_recommendation", "direct_review", "case"}
        if missing := kinds - set(self.disposition_workdays):
            raise ValueError(f"disposition_workdays lacks {sorted(missing)}")
        if unknown := set(self.index_grade_levels.values()) - {"blue", "orange", "red"}:
            raise ValueError(f"index_grade_levels: {sorted(unknown)} are not warning levels")
        return self
