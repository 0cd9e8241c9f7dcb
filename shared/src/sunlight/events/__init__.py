"""Events: CloudEvents envelope, versioned contracts, transactional outbox, inbox, buses."""

from sunlight.events.envelope import Envelope, new_event, parse_event
from sunlight.events.outbox import add_event

__all__ = ["Envelope", "add_event", "new_event", "parse_event"]
