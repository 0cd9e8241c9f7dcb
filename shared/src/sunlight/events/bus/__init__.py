"""Event bus backends behind one protocol: NATS JetStream and the embedded SQLite log."""

from __future__ import annotations

from sunlight.events.bus.base import Bus, BusMisconfigured, BusUnavailable, Outcome, Outgoing, Process, durable_name
from sunlight.settings import CommonSettings


def bus_from_settings(settings: CommonSettings, *, client_name: str) -> Bus:
    if settings.bus == "nats":
        from sunlight.events.bus.nats import NatsBus

        return NatsBus(
            settings.nats_url,
            stream=settings.nats_stream,
            prefix=settings.nats_subject_prefix,
            client_name=client_name,
            max_deliver=settings.bus_max_deliver,
        )
    from sunlight.events.bus.sqlite_log import SqliteLogBus

    return SqliteLogBus(settings.bus_path)


__all__ = [
    "Bus",
    "BusMisconfigured",
    "BusUnavailable",
    "Outcome",
    "Outgoing",
    "Process",
    "bus_from_settings",
    "durable_name",
]
