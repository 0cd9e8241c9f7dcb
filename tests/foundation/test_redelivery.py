"""At-least-once delivery meets idempotent consumers: a redelivered event is applied once."""

import asyncio
import time

from integrity.app import MIGRATIONS, create_app
from integrity.settings import IntegritySettings
from sunlight.events.bus import bus_from_settings
from sunlight.events.contracts.common import Level
from sunlight.settings import CommonSettings
from sunlight.testing import Backend, ServiceHarness, TestKeys
from sunlight.warnings import Rule, RuleRegistry, SubjectRef, warning_event

RULE = RuleRegistry("funds").add(
    Rule(
        id="FUNDS-TEST-REDELIVERY",
        level=Level.ORANGE,
        title="test",
        title_zh="测试",
        description="a rule for this test",
    )
)


def _event(subject: str):
    return warning_event(
        RULE,
        service="funds",
        subject=SubjectRef(service="funds", kind="node", id=subject),
        region_code="130302",
        evidence={"n": subject},
    )


async def test_a_redelivered_event_is_applied_once(backend: Backend, harness: ServiceHarness, keys: TestKeys):
    settings = await harness.settings(IntegritySettings, MIGRATIONS)
    bus = bus_from_settings(CommonSettings(**backend.bus_settings()), client_name="test-publisher")
    await bus.connect()
    inspector = keys.auth(scopes="integrity:read", regions=["130300"])
    try:
        async with harness.client(create_app(settings)) as client:
            event, marker = _event("node-1"), _event("node-marker")
            body = event.to_json().encode()
            # the same event three times: once, once more under the same message id (the bus may drop it),
            # and once under a new message id, as a redelivery after the dedupe window would arrive
            await bus.publish(event.type, body, msg_id=event.id)
            await bus.publish(event.type, body, msg_id=event.id)
            await bus.publish(event.type, body, msg_id=f"{event.id[:-1]}x")
            await bus.publish(marker.type, marker.to_json().encode(), msg_id=marker.id)

            deadline = time.monotonic() + 10
            items: list[dict] = []
            while time.monotonic() < deadline:
                listed = await client.get("/v1/integrity/warnings", params={"rule_id": RULE.id}, headers=inspector)
                items = listed.json()["items"]
                if any(w["subject_id"] == "node-marker" for w in items):
                    break  # the marker was published last: everything before it has been handled
                await asyncio.sleep(0.05)
            by_subject = {w["subject_id"]: w for w in items}
            assert set(by_subject) == {"node-1", "node-marker"}
            assert by_subject["node-1"]["occurrences"] == 1, "the redelivered event changed nothing"
    finally:
        await bus.close()
