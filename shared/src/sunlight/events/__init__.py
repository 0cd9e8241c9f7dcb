"""Events: CloudEvents envelope, versioned contracts, transactional outbox, inbox, buses."""

from sunlight.events.envelope import Envelope, new_event, parse_event
from sunlight.events.outbox import add_event, add_events

__all__ = ["Envelope", "add_event", "add_events", "new_event", "parse_event"]
