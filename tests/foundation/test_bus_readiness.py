"""A bus that refuses our configuration says why on /readyz, with the setting that resolves it."""

from __future__ import annotations

import nats
import nats.js.errors
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


async def test_a_replica_told_its_own_new_stream_overlaps_takes_it_as_its_own(backend: Backend, monkeypatch):
    """Pods starting together race to create one stream; under load the server has answered a loser "subjects
    overlap" naming the winner's stream — the loser's own (seen in CI, 2026-12-01). That replica must come up on
    the stream, not refuse to start. The server's answer is replayed on a real server: replica A creates the
    stream, replica B's first create gets the race's answer."""
    if backend.bus_settings().get("bus") != "nats":
        return  # the embedded log has no streams
    settings = CommonSettings(environment="test", **backend.bus_settings())
    first, second = (bus_from_settings(settings, client_name=f"replica-{n}") for n in (1, 2))
    await first.connect()
    await second.connect()
    try:
        await first.ping()  # A created the stream
        js = second._js  # B's JetStream context: its next create meets the race's answer once
        assert js is not None
        create = js.add_stream
        raced = []

        async def add_stream_during_the_race(config=None, **params):
            if not raced:
                raced.append(config.name)
                raise nats.js.errors.BadRequestError(
                    code=400, err_code=10065, description="subjects overlap with an existing stream"
                )
            return await create(config, **params)

        monkeypatch.setattr(js, "add_stream", add_stream_during_the_race)
        await second.ping()
        await second.publish("test.raced.v1", b"{}", msg_id="raced-1")
        assert raced == [settings.nats_stream]
    finally:
        await first.close()
        await second.close()
        nc = await nats.connect(settings.nats_url)
        try:
            await nc.jetstream().delete_stream(settings.nats_stream)
        finally:
            await nc.close()
