"""A bus that refuses our configuration says why on /readyz, with the setting that resolves it."""

from __future__ import annotations

import nats
from nats.js.api import StreamConfig
from sunlight.events.bus import bus_from_settings
from sunlight.settings import CommonSettings
from sunlight.testing import Backend


async def test_a_stream_that_already_takes_our_subjects_is_named_on_readiness(backend: Backend):
    values = backend.bus_settings()
    settings = CommonSettings(environment="test", **values)
    bus = bus_from_settings(settings, client_name="readiness-test")
    if settings.bus == "nats":
        nc = await nats.connect(settings.nats_url)
        js = nc.jetstream()
        squatter = f"{settings.nats_stream}_OTHER"
        await js.add_stream(StreamConfig(name=squatter, subjects=[f"{settings.nats_subject_prefix}.>"]))
        try:
            await bus.connect()
            try:
                await bus.ping()
            except Exception as exc:
                message = f"{type(exc).__name__}: {exc}"
            else:
                raise AssertionError("the bus said ready while another stream holds its subjects")
            assert message.startswith("BusMisconfigured")
            assert squatter in message and "SUNLIGHT_NATS_SUBJECT_PREFIX" in message
            assert settings.nats_url not in message  # shown on /readyz: never the URL (it may hold credentials)
        finally:
            await bus.close()
            await js.delete_stream(squatter)
            await nc.close()
    # with the subjects free (or on the embedded log) the same settings are ready
    bus = bus_from_settings(settings, client_name="readiness-test")
    await bus.connect()
    try:
        await bus.ping()
    finally:
        await bus.close()
