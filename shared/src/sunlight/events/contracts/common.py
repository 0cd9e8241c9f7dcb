"""Types shared by several contracts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sunlight.enums import DescribedEnum


class Level(DescribedEnum):
    """Three-colour warning levels (三色预警)."""

    BLUE = "blue", "常态性: routine, a post or pattern to keep an eye on"
    ORANGE = "orange", "动态性: an early sign in a live process, to correct now"
    RED = "red", "惩戒性: an evident violation, to correct and hold to account"

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


# --- the vocabulary of warning state (integrity owns it; sources keep a view of it) -----------------


class WarningStatus(DescribedEnum):
    """Where a warning of the register (预警) stands."""

    OPEN = "open", "raised and not (or no longer) being handled: waiting for a disposition or a dismissal"
    IN_DISPOSITION = "in_disposition", "a disposition is open or in progress"
    CLOSED = "closed", "a disposition concluded it; a later finding with changed evidence reopens it"
    DISMISSED = "dismissed", "不予处置: dismissed as a false positive or handled elsewhere"


class DispositionKind(DescribedEnum):
    """The forms of disposal (处置方式), mildest first."""

    REMINDER_TALK = "reminder_talk", "提醒谈话: a reminder talk"
    INQUIRY = "inquiry", "函询: a written inquiry the subject answers"
    SUPERVISION_RECOMMENDATION = "supervision_recommendation", "监察建议: a supervision recommendation to correct"
    DIRECT_REVIEW = "direct_review", "直接核查: inspectors review it directly"
    CASE = "case", "立案: a case is opened"


class DispositionStatus(DescribedEnum):
    """Where a disposition stands."""

    OPEN = "open", "opened, waiting for the subject's response"
    IN_PROGRESS = "in_progress", "the subject has responded (回复/说明); the inspector is assessing"
    CONCLUDED = "concluded", "concluded with an outcome"


class DispositionOutcome(DescribedEnum):
    """How a disposition ended (处置结果)."""

    NO_ISSUE = "no_issue", "查无实据 / 予以了结: nothing wrong was found"
    CORRECTED = "corrected", "已整改: the subject corrected it"
    ACCOUNTABILITY = "accountability", "问责 / 组织处理: someone was held to account"
    REFERRED = "referred", "移送: referred to another authority"
    ESCALATED = "escalated", "a stronger disposition follows: the warning stays open"
