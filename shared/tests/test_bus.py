"""Both buses: a batch published at once arrives whole, in order, and a re-sent batch is dropped."""

from sunlight.events.bus import bus_from_settings
from sunlight.settings import CommonSettings
from sunlight.testing import Backend, EventCapture
from sunlight.warnings import Level, Rule, RuleRegistry, SubjectRef, warning_event

RULE = RuleRegistry("funds").add(Rule(id="FUNDS-TEST-BUS", level=Level.BLUE, title="t", title_zh="测", description="d"))


async def test_a_batch_arrives_whole_in_order_and_once(backend: Backend):
    events = [
        warning_event(
            RULE,
            service="funds",
            subject=SubjectRef(service="funds", kind="node", id=str(i)),
            region_code="130302",
            evidence={"i": i},
        )
        for i in range(300)
    ]
    batch = [(e.type, e.to_json().encode(), e.id) for e in events]
    bus = bus_from_settings(CommonSettings(**backend.bus_settings()), client_name="test")
    await bus.connect()
    try:
        async with EventCapture.on(backend.bus_settings(), ["warnings.raised.v1"]) as capture:
            assert await bus.publish_many(batch) == 300
            assert await bus.publish_many(batch[:50]) == 50  # a relay that crashed before marking rows sent
            await capture.wait_for("warnings.raised.v1", lambda e: e.data.evidence["i"] == 299)
            marker = warning_event(
                RULE,
                service="funds",
                subject=SubjectRef(service="funds", kind="node", id="end"),
                region_code="130302",
                evidence={"i": -1},
            )
            await bus.publish(marker.type, marker.to_json().encode(), msg_id=marker.id)
            await capture.wait_for("warnings.raised.v1", lambda e: e.data.evidence["i"] == -1)
        seen = [e.data.evidence["i"] for e in capture.of_type("warnings.raised.v1")]
        assert seen == [*range(300), -1], "in order, and the re-sent events were dropped by their ids"
    finally:
        await bus.close()
