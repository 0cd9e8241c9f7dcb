"""/metrics carries what an operator acts on (deploy/k8s/alerts): the outbox backlog, dead letters,
warnings sent by rule and level, and how long the working-day calendar still lasts."""

from __future__ import annotations

import asyncio
import re

from funds.app import MIGRATIONS, create_app
from funds.settings import FundsSettings
from sunlight.testing import ServiceHarness


def value(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}", 1)[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


async def test_metrics_show_the_outbox_the_warnings_sent_and_the_calendar(harness: ServiceHarness, keys):
    settings = await harness.settings(FundsSettings, MIGRATIONS)
    writer = keys.auth(scopes="funds:read funds:write", regions=["130000"])
    async with harness.client(create_app(settings)) as funds:
        before = (await funds.get("/metrics")).text
        assert value(before, "sunlight_outbox_pending_events", service="funds") == 0
        assert value(before, "sunlight_dead_letters", service="funds") == 0
        assert value(before, "sunlight_calendar_days_left", service="funds") > 0

        programme = {"code": "P1", "name": "耕地地力保护补贴", "category": "agriculture", "fiscal_year": 2026}
        r = await funds.post(
            "/v1/funds/programmes", headers=writer, json={**programme, "budget_fen": 100, "region_code": "130300"}
        )
        assert r.status_code == 201, r.text
        pid = r.json()["id"]
        node = {"tier": "finance_bureau", "name": "秦皇岛市财政局", "region_code": "130300"}
        root = (await funds.post(f"/v1/funds/programmes/{pid}/nodes", headers=writer, json=node)).json()
        child = {"parent_id": root["id"], "tier": "county", "name": "海港区", "region_code": "130302"}
        county = (await funds.post(f"/v1/funds/programmes/{pid}/nodes", headers=writer, json=child)).json()
        move = {"from_node_id": root["id"], "to_node_id": county["id"], "amount_fen": 500, "occurred_on": "2026-03-01"}
        assert (await funds.post("/v1/funds/movements", headers=writer, json=move)).status_code == 409  # overspend

        text = ""
        for _ in range(100):  # the relay sends within its poll interval
            text = (await funds.get("/metrics")).text
            lag = value(text, "sunlight_consumer_pending_events", service="funds", event_type="warnings.disposed.v1")
            if (
                value(text, "sunlight_outbox_pending_events", service="funds") == 0
                and value(text, "sunlight_warnings_raised_total", service="funds", rule="FUNDS-OVERSPEND", level="red")
                and lag is not None
            ):
                break
            await asyncio.sleep(0.1)
        assert value(text, "sunlight_warnings_raised_total", service="funds", rule="FUNDS-OVERSPEND", level="red") == 1
        assert value(text, "sunlight_events_published_total", service="funds", type="warnings.raised.v1") == 1
        assert value(text, "sunlight_outbox_oldest_pending_seconds", service="funds") == 0
        assert lag == 0  # funds consumes dispositions; none are waiting
