"""Problem types of the tenders service."""

from __future__ import annotations

from sunlight.errors import Conflict, InvalidInput


class BidAfterDeadline(Conflict):
    """The bid arrived at or after the tender's deadline (投标截止时间): refused and recorded, never accepted
    (Tendering and Bidding Law Art. 28: 在截止时间后送达的投标文件，招标人应当拒收). ``deadline`` and
    ``submitted_at`` say by how much."""

    slug, title = "bid-after-deadline", "The bid arrived after the tender's deadline"


class InvalidTransition(Conflict):
    """The tender is not in a state where this step may happen; ``tender_status`` is its state, ``allowed`` the
    steps it may take now."""

    slug, title = "invalid-transition", "The tender is not in a state that allows this step"


class NotRegistered(Conflict):
    slug, title = "not-registered", "The enterprise did not register as a bidder of this tender"


class DuplicateCode(Conflict):
    slug, title = "duplicate-code", "This code or identifier is already registered"


class UnknownEnterprise(InvalidInput):
    slug, title = "unknown-enterprise", "No enterprise with this USCC is registered"


class UnknownPerson(InvalidInput):
    slug, title = "unknown-person", "No such person in the register"


class UnknownLot(InvalidInput):
    slug, title = "unknown-lot", "The tender has no such lot"


class AlreadyBid(Conflict):
    slug, title = "already-bid", "The enterprise has already bid for this lot"


class TooEarly(Conflict):
    """Opening before the deadline (Tendering and Bidding Law Art. 34: opened at the deadline, in public)."""

    slug, title = "too-early", "The tender cannot be opened before its deadline"


class InvalidDates(InvalidInput):
    slug, title = "invalid-dates", "The dates are out of order"


class PoolTooSmall(Conflict):
    """Fewer eligible experts than the draw needs; ``eligible`` says how many there are."""

    slug, title = "pool-too-small", "Not enough eligible experts in the pool"


class DrawState(Conflict):
    slug, title = "draw-state", "The draw is not in a state that allows this"


class NotAMember(InvalidInput):
    slug, title = "not-a-member", "The expert is not a member of the drawn committee"


class InvalidScores(InvalidInput):
    """Scores name a bid that is not in the lot, or miss one; ``field`` is the JSON pointer."""

    slug, title = "invalid-scores", "The scores do not fit the lot's bids"


class NoValidBid(Conflict):
    slug, title = "no-valid-bid", "The lot has no valid bid"


class NotEvaluated(Conflict):
    slug, title = "not-evaluated", "The lot has not been evaluated"


class AlreadyDone(Conflict):
    slug, title = "already-done", "This step was already recorded"


class IndicatorSettingsInvalid(InvalidInput):
    """Cardinal would refuse these INI settings (unknown section or property, a value of the wrong type)."""

    slug, title = "indicator-settings-invalid", "The indicator settings are not valid Cardinal settings"


class TooManyTenders(Conflict):
    slug, title = "too-many-tenders", "Too many tenders for a run over the API"


class OcdsNotUtf8(InvalidInput):
    """The OCDS file is not UTF-8 (OCDS requires it); name the file's encoding with ``encoding`` to decode it."""

    slug, title = "ocds-not-utf8", "The OCDS file is not UTF-8"


class OcdsMalformed(InvalidInput):
    """The OCDS file is not well-formed JSON (or JSON Lines) at the position named in the detail."""

    slug, title = "ocds-malformed-json", "The OCDS file is not well-formed JSON"


class OcdsUnknownFormat(InvalidInput):
    """The file is JSON but none of the OCDS shapes: release or record package, release(s), JSON Lines."""

    slug, title = "ocds-unknown-format", "The file is not an OCDS package, record or release"


class OcdsUnknownEncoding(InvalidInput):
    """The ``encoding`` named for an OCDS file is not an encoding Python knows (e.g. ``iso-8859-1``, ``gb18030``)."""

    slug, title = "ocds-unknown-encoding", "Unknown encoding"
