"""Problem types of the complaints service. None carries a report's text, a name or a receipt."""

from __future__ import annotations

from sunlight.errors import Conflict, InvalidInput, Problem


class ReceiptNotRecognised(Problem):
    """The receipt matches no report (or a destroyed one). Nothing tells which."""

    slug, title, status = "receipt-not-recognised", "No report answers to this receipt", 404


class WrongState(Conflict):
    """The step does not apply to the report as it stands (``status`` says where it is)."""

    slug, title = "wrong-state", "The report is not in a state that allows this step"


class ExtensionExceeded(Conflict):
    """More extensions, or more days, than the law allows (the attempt is recorded as a warning)."""

    slug, title = "extension-exceeded", "The extension exceeds what the law allows"


class ConflictOfInterest(Conflict):
    """A referral to the unit the report is about (the attempt is recorded as a warning)."""

    slug, title = "conflict-of-interest", "A report cannot be referred to the unit it is about"


class SameRegistrar(Conflict):
    """Identity requests are decided by a second registrar, never the one who asked."""

    slug, title = "same-registrar", "A second registrar decides an identity request"


class NotApproved(Conflict):
    slug, title = "identity-not-approved", "The identity request is not approved, or is not yours"


class NoIdentity(Conflict):
    slug, title = "no-identity", "The reporter gave no identity (an anonymous report)"


class Destroyed(Conflict):
    slug, title = "report-destroyed", "The report's content was destroyed at the end of its retention"


class FutureScan(InvalidInput):
    slug, title = "future-scan", "A scan cannot be run as of a time in the future"


class AttachmentRefused(InvalidInput):
    """An attachment is too large, not valid base64, of a type not allowed (sniffed from its bytes, never the
    name), or one too many for the report; ``field`` points at it, ``max_bytes`` is the size limit."""

    slug, title = "attachment-refused", "The attachment was refused: nothing was stored"
