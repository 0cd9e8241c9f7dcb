"""Problem types of the funds service."""

from __future__ import annotations

from sunlight.errors import Conflict, InvalidInput, Problem


class Overspend(Conflict):
    """A node tried to pass on or spend more than it holds (the refusal is recorded and warned).

    ``limit`` says which balance was short: ``quota``, ``cash``, ``allocation`` (the child's
    allocation not yet paid) or ``budget_line``; ``available_fen`` is what was there.
    """

    slug, title = "overspend", "The movement exceeds what the node holds"


class Frozen(Conflict):
    """The node, payee or programme is held pending review by a disposition (冻结)."""

    slug, title = "frozen", "The subject is held pending review"


class NotAChild(InvalidInput):
    slug, title = "not-a-child", "Money moves from a node to one of its own children"


class NotTheParent(InvalidInput):
    slug, title = "not-the-parent", "Money comes back from a node to its own parent"


class RootExists(Conflict):
    slug, title = "root-exists", "The programme already has a root node"


class RegionOutsideParent(InvalidInput):
    slug, title = "region-outside-parent", "A node's region lies within its parent's region"


class DuplicateCode(Conflict):
    slug, title = "duplicate-code", "A programme with this code exists"


class UnknownBudgetLine(InvalidInput):
    slug, title = "unknown-budget-line", "The programme has no such budget line"


class DateOutOfRange(InvalidInput):
    """A movement dated in the future, or outside its programme's fiscal year by more than the allowed grace."""

    slug, title = "date-out-of-range", "The date lies outside the programme's period or in the future"


class RefundExceedsPayment(InvalidInput):
    slug, title = "refund-exceeds-payment", "A refund is larger than what is left of the payment"


class NotAPayment(InvalidInput):
    slug, title = "not-a-payment", "Only an expend movement can be refunded by its payee"


class ImportInvalid(InvalidInput):
    slug, title = "import-invalid", "The file cannot be imported"


class FutureScan(InvalidInput):
    slug, title = "future-scan", "A scan cannot be run as of a time in the future"


class SelfCertification(Problem):
    """The caller's unit spent the money it would accept, audit or set thresholds for (自己验收自己).

    ``unit`` is the caller's unit; acceptances, audits and thresholds are recorded by another body."""

    slug, title, status = "self-certification", "The unit that spent the money cannot certify it", 403


class ThresholdsSupervised(Problem):
    """A programme's rule thresholds are set by the supervising side (``funds:supervise``), not the bureau."""

    slug, title, status = "thresholds-supervised", "Thresholds are set by the supervising side", 403


class ThresholdOutOfBounds(InvalidInput):
    slug, title = "threshold-out-of-bounds", "A threshold lies outside its bounds (it would silence a rule)"
