"""Regions: every register entry, count and index input belongs to exactly one region; the deployment-wide
settings (frameworks: weights, templates, baselines) belong to a nationwide administrator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from .conftest import OVERSPEND, Integrity, eventually, finding, unit


async def post(integrity: Integrity, path: str, headers: dict[str, str], body: dict[str, Any]) -> Any:
    response = await integrity.client.post(path, headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def qhd(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="integrity:read integrity:write", regions=["130300"], sub="qhd-inspector")


@pytest.fixture
def bj(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="integrity:read integrity:write", regions=["110000"], sub="bj-inspector")


async def test_one_key_in_two_regions_is_two_register_entries(integrity: Integrity, qhd, bj):
    key = "FUNDS-DUPLICATE-PAYMENT:payee:p-1:5000:ref"  # as a source that forgot the region would send it
    await integrity.publish(finding(OVERSPEND, "payment-qhd", region="130302", dedupe_key=key))
    await integrity.publish(finding(OVERSPEND, "payment-bj", region="110105", dedupe_key=key))
    mine = await integrity.registered(qhd, "payment-qhd")
    theirs = await integrity.registered(bj, "payment-bj")
    assert mine["id"] != theirs["id"] and mine["occurrences"] == theirs["occurrences"] == 1
    assert (mine["region_code"], theirs["region_code"]) == ("130302", "110105")
    assert [w["id"] for w in await integrity.warnings(qhd)] == [mine["id"]]
    assert [w["id"] for w in await integrity.warnings(bj)] == [theirs["id"]]

    # the key every source now sends carries the region; a repetition in one region stays there
    await integrity.publish(finding(OVERSPEND, "node-1", region="130302"))
    await integrity.publish(finding(OVERSPEND, "node-1", region="110105"))
    await integrity.publish(finding(OVERSPEND, "node-1", region="130302"))
    here = await integrity.registered(qhd, "node-1", occurrences=2)
    there = await integrity.registered(bj, "node-1")
    assert here["dedupe_key"] == "130302:FUNDS-OVERSPEND:funds:node:node-1" and there["occurrences"] == 1


async def test_a_units_figures_belong_to_the_region_they_were_reported_in(integrity: Integrity, qhd, bj, admin):
    u = unit(7)
    march = datetime(2026, 3, 5, tzinfo=UTC)
    await integrity.publish(finding(OVERSPEND, "n-qhd-1", region="130302", unit_uscc=u, at=march))
    await integrity.publish(finding(OVERSPEND, "n-qhd-2", region="130302", unit_uscc=u, at=march))
    await integrity.publish(finding(OVERSPEND, "n-bj-1", region="110105", unit_uscc=u, at=march))  # the latest
    await integrity.registered(bj, "n-bj-1")
    await integrity.registered(qhd, "n-qhd-2")

    async def activity(headers: dict[str, str], **params: Any) -> dict[str, Any]:
        got = await integrity.client.get(f"/v1/integrity/units/{u}/activity", headers=headers,
                                         params={"period": "2026", **params})  # fmt: skip
        assert got.status_code == 200, got.text
        return dict(got.json())

    mine = await eventually(lambda: _reds(activity(qhd), 2), what="Qinhuangdao's figures")
    assert mine["region_code"] == "130302", "the region counted, not the latest event's"
    theirs = await activity(bj)
    assert (theirs["region_code"], theirs["warnings_red"]) == ("110105", 1)
    assert (await activity(admin))["warnings_red"] == 3, "nationwide: every region's"
    assert (await activity(admin, region_code="110000"))["warnings_red"] == 1
    other = await integrity.client.get(f"/v1/integrity/units/{u}/activity", headers=qhd,
                                       params={"period": "2026", "region_code": "110000"})  # fmt: skip
    assert other.status_code == 404

    # the index of a team in Qinhuangdao reads Qinhuangdao's figures of its unit only (default framework)
    framework = (await integrity.client.get("/v1/integrity/frameworks/323-team", headers=qhd)).json()
    (red,) = [i["code"] for g in framework["definition"]["indicators"] for i in g["indicators"]
              if i.get("source") == "warnings_red"]  # fmt: skip
    team = await post(integrity, "/v1/integrity/subjects", qhd, {
        "kind": "team", "code": "team-u7", "label": "班子", "unit_uscc": u, "region_code": "130302"})  # fmt: skip
    computed = await post(integrity, "/v1/integrity/frameworks/323-team/computations", qhd, {"period": "2026"})
    (result,) = [r for r in computed["results"] if r["subject_id"] == team["id"]]
    detail = (await integrity.client.get(f"/v1/integrity/index-results/{result['id']}", headers=qhd)).json()
    indicators = {i["code"]: i for g in detail["breakdown"]["groups"] for i in g["indicators"]}
    assert indicators[red]["figure"] == 2, "Beijing's red warning about the same unit is Beijing's"


async def _reds(probe: Any, n: int) -> dict[str, Any] | None:
    body = await probe
    return body if body["warnings_red"] == n else None


async def test_frameworks_are_set_by_a_nationwide_administrator_only(integrity: Integrity, hebei_admin, admin):
    team = (await integrity.client.get("/v1/integrity/frameworks/323-team", headers=hebei_admin)).json()
    copy = {"code": "hebei-own", "name": "省里的", "target": "team", "definition": team["definition"]}
    for attempt in (
        integrity.client.post("/v1/integrity/frameworks", headers=hebei_admin, json=copy),
        integrity.client.put(
            "/v1/integrity/frameworks/323-team",
            headers=hebei_admin,
            json={"name": "省里改的", "definition": team["definition"]},
        ),
    ):
        refused = await attempt
        assert refused.status_code == 403 and refused.json()["type"].endswith("/nationwide-only"), refused.text
    after = (await integrity.client.get("/v1/integrity/frameworks/323-team", headers=hebei_admin)).json()
    assert after["version"] == 1 and after["name"] == team["name"]
    replaced = await integrity.client.put("/v1/integrity/frameworks/323-team", headers=admin,
                                          json={"name": "全国统一", "definition": team["definition"]})  # fmt: skip
    assert replaced.status_code == 200 and replaced.json()["version"] == 2
