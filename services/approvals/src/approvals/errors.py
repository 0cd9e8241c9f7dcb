"""Problem types of the approvals service."""

from __future__ import annotations

from sunlight.errors import Conflict, InvalidInput


class DuplicateCode(Conflict):
    """A department, window, officer or item with this code exists in the region."""

    slug, title = "duplicate-code", "An entry with this code exists in the region"


class UnknownDepartment(InvalidInput):
    slug, title = "unknown-department", "No such department in the region"


class UnknownWindow(InvalidInput):
    slug, title = "unknown-window", "No such window in the region"


class UnknownItem(InvalidInput):
    """A step names an item the catalogue does not have for the case's region (or a region above it)."""

    slug, title = "unknown-item", "No such item in the catalogue of the case's region"


class ItemMismatch(InvalidInput):
    """The case exists and applies for another item than the step names."""

    slug, title = "item-mismatch", "The case applies for another item"


class StepBeforeCase(InvalidInput):
    """A step of a case number not seen yet, without the item it applies for."""

    slug, title = "case-unknown", "A new case needs item_code"


class FutureSweep(InvalidInput):
    slug, title = "future-sweep", "A sweep cannot be run as of a time in the future"


class UnknownPower(InvalidInput):
    """A penalty decision names an enforcement power the region's catalogue (or one above it) does not have."""

    slug, title = "unknown-power", "No such enforcement power in the region"


class UnknownBand(InvalidInput):
    """A penalty decision names a discretion band its power does not have."""

    slug, title = "unknown-band", "The enforcement power has no such discretion band"


class CorrectionMismatch(InvalidInput):
    """A correcting decision names a decision of another power or region, or one corrected already."""

    slug, title = "correction-mismatch", "The decision corrected is not one this decision can correct"
