"""Risk points (廉政风险点): the catalogue, the warnings that realise them, the heat map."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from integrity.register import register_warning

from .conftest import IDLE, OVERSPEND, Integrity, finding, unit

ALLOCATION = {
    "code": "QHD-FIN-ALLOC",
    "name": "专项资金拨付审核",
    "post": "预算科科长",
    "power": "资金拨付审批",
    "description": "拨付超出可用额度、先拨后审",
    "risk_level": "high",
    "controls": ["拨付前系统校验可用额度", "两人复核", "按月公开拨付明细"],
    "rule_ids": ["FUNDS-OVERSPEND"],
    "region_code": "130300",
}


async def test_risk_points_link_warnings_and_feed_the_heat_map(integrity: Integrity, admin, inspector, beijing):
    this_year = str(datetime.now(UTC).astimezone(integrity.settings.zone).year)
    await integrity.publish(finding(OVERSPEND, "node-a", region="130302", unit_uscc=unit(1)))
    await integrity.publish(finding(IDLE, "node-idle", region="130302", unit_uscc=unit(1)))
    before = await integrity.registered(inspector, "node-idle")
    assert before["risk_point_id"] is None

    not_admin = await integrity.client.post("/v1/integrity/risk-points", headers=inspector, json=ALLOCATION)
    assert not_admin.status_code == 403 and not_admin.json()["type"].endswith("/insufficient-scope")
    elsewhere = await integrity.client.post("/v1/integrity/risk-points", headers=beijing, json=ALLOCATION)
    assert elsewhere.status_code == 403 and elsewhere.json()["type"].endswith("/forbidden-region")
    bad_rule = await integrity.client.post("/v1/integrity/risk-points", headers=admin,
                                           json={**ALLOCATION, "rule_ids": ["overspend"]})  # fmt: skip
    assert bad_rule.status_code == 422
    rule_ids = ["FUNDS-OVERSPEND", "NO-SUCH-RULE"]
    unknown = await integrity.client.post("/v1/integrity/risk-points", headers=admin,
                                          json={**ALLOCATION, "rule_ids": rule_ids})  # fmt: skip
    assert unknown.status_code == 422, "a reference to a rule that does not exist is refused"
    assert [e["field"] for e in unknown.json()["errors"]] == ["/rule_ids/1"]
    assert "NO-SUCH-RULE" in unknown.json()["errors"][0]["message"]

    created = await integrity.client.post("/v1/integrity/risk-points", headers=admin, json=ALLOCATION)
    assert created.status_code == 201, created.text
    general = created.json()
    assert general["rule_ids"] == ["FUNDS-OVERSPEND"] and general["controls"][0] == "拨付前系统校验可用额度"
    duplicate = await integrity.client.post("/v1/integrity/risk-points", headers=admin, json=ALLOCATION)
    assert duplicate.status_code == 409 and duplicate.json()["type"].endswith("/risk-point-exists")
    unit_own = await integrity.client.post("/v1/integrity/risk-points", headers=admin, json={
        **ALLOCATION, "code": "U1-ALLOC", "post": "财务科会计", "risk_level": "medium", "region_code": "130302",
        "unit_uscc": unit(1)})  # fmt: skip
    assert unit_own.status_code == 201
    specific = unit_own.json()

    linked = {w["subject_id"]: w["risk_point_id"] for w in await integrity.warnings(inspector)}
    assert linked == {"node-a": general["id"], "node-idle": None}, "the earlier warning was linked at once"

    # from now on a finding links when it is registered: the unit's own risk point before the region's
    await integrity.publish(finding(OVERSPEND, "node-b", region="130303", unit_uscc=unit(2)))
    await integrity.publish(finding(OVERSPEND, "node-c", region="130302", unit_uscc=unit(1)))
    node_c = await integrity.registered(inspector, "node-c")
    linked = {w["subject_id"]: w["risk_point_id"] for w in await integrity.warnings(inspector)}
    assert linked["node-b"] == general["id"] and node_c["risk_point_id"] == specific["id"]
    detail = (await integrity.client.get(f"/v1/integrity/warnings/{node_c['id']}", headers=inspector)).json()
    assert detail["risk_point"]["code"] == "U1-ALLOC" and detail["risk_point"]["rule_ids"] == ["FUNDS-OVERSPEND"]
    realised = await integrity.warnings(inspector, risk_point_id=general["id"])
    assert sorted(w["subject_id"] for w in realised) == ["node-a", "node-b"]

    heat = await integrity.client.get("/v1/integrity/risk-points/heatmap", params={"period": this_year},
                                      headers=inspector)  # fmt: skip
    cells = {
        (c["unit_uscc"], c["risk_point_code"]): (c["red"], c["total"], c["risk_level"]) for c in heat.json()["items"]
    }
    assert cells == {
        (unit(1), "QHD-FIN-ALLOC"): (1, 1, "high"),
        (unit(2), "QHD-FIN-ALLOC"): (1, 1, "high"),
        (unit(1), "U1-ALLOC"): (1, 1, "medium"),
    }
    assert (await integrity.client.get("/v1/integrity/risk-points/heatmap", params={"period": this_year},
                                       headers=beijing)).json()["items"] == []  # fmt: skip

    unknown = await integrity.client.patch(f"/v1/integrity/risk-points/{general['id']}", headers=admin,
                                           json={"rule_ids": ["TENDERS-NO-SUCH-RULE"]})  # fmt: skip
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "/rule_ids/0"
    change = {"risk_level": "medium", "rule_ids": ["FUNDS-OVERSPEND", "FUNDS-IDLE-FUNDS"]}
    changed = await integrity.client.patch(f"/v1/integrity/risk-points/{general['id']}", headers=admin, json=change)
    assert changed.status_code == 200 and changed.json()["risk_level"] == "medium"
    assert changed.json()["rule_ids"] == ["FUNDS-IDLE-FUNDS", "FUNDS-OVERSPEND"]
    assert (await integrity.registered(inspector, "node-idle"))["risk_point_id"] == general["id"]

    async def codes(headers: dict[str, str], **params: Any) -> list[str]:
        listed = await integrity.client.get("/v1/integrity/risk-points", params=params, headers=headers)
        assert listed.status_code == 200, listed.text
        return [r["code"] for r in listed.json()["items"]]

    assert await codes(inspector) == ["QHD-FIN-ALLOC", "U1-ALLOC"]
    assert await codes(inspector, rule_id="FUNDS-IDLE-FUNDS") == ["QHD-FIN-ALLOC"]
    assert await codes(inspector, unit_uscc=unit(1)) == ["U1-ALLOC"]
    assert await codes(inspector, risk_level="medium", limit=1) == ["QHD-FIN-ALLOC"]
    assert await codes(beijing) == []
    hidden = await integrity.client.get(f"/v1/integrity/risk-points/{general['id']}", headers=beijing)
    assert hidden.status_code == 404
    not_yours = await integrity.client.patch(f"/v1/integrity/risk-points/{general['id']}", headers=beijing,
                                             json={"risk_level": "low"})  # fmt: skip
    assert not_yours.status_code == 404


async def test_a_warning_registered_while_its_risk_point_is_added_is_linked(integrity: Integrity, admin, inspector):
    """The consumer registers a warning while an administrator adds the risk point of its rule: whichever
    commits first, the warning ends up linked (on PostgreSQL, without the linking lock, neither transaction
    saw the other's row and the warning stayed unlinked for good)."""
    async with integrity.app.state.db.sessions() as consumer:
        await register_warning(consumer, finding(OVERSPEND, "node-race", region="130302"), integrity.settings)
        adding = asyncio.create_task(integrity.client.post("/v1/integrity/risk-points", headers=admin, json=ALLOCATION))
        await asyncio.wait({adding}, timeout=2.0)  # time for the risk point's transaction to run as far as it can
        await consumer.commit()
    created = await adding
    assert created.status_code == 201, created.text
    realised = await integrity.warnings(inspector, risk_point_id=created.json()["id"])
    assert [w["subject_id"] for w in realised] == ["node-race"]
