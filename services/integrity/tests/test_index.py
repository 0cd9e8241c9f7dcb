"""The integrity index against a worked example computed by hand (default settings), the seed's headline case,
who may enter a body's sheet, what "no data" means, and the framework's and assessments' checks."""

from __future__ import annotations

import itertools
import math
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sunlight.events import new_event
from sunlight.events.contracts.approvals import CaseConcluded
from sunlight.events.contracts.complaints import ReportFiled
from sunlight.testing import Backend, EventCapture, TestKeys
from sunlight.warnings import SubjectRef

from .conftest import IDLE, OVERSPEND, SINGLE_BID, Integrity, eventually, finding, unit

# A small framework with every computation parameter at its default (min_raters 3, ci_z 1.645,
# min_coverage 0.5, cut-offs A < 60 ≤ B < 70 ≤ C < 80, no leniency correction).
WORKED = {
    "code": "worked-example",
    "name": "A small framework to check by hand",
    "target": "team",
    "definition": {
        "bodies": [
            {"code": "R1", "name": "纪委监委", "weight": 1},
            {"code": "R2", "name": "组织部", "weight": 1},
            {"code": "R3", "name": "服务对象", "weight": 2},
            {"code": "R4", "name": "第三方评估机构", "weight": 1},
        ],
        "dimensions": [{"code": "D1", "name": "不敢腐"}, {"code": "D2", "name": "不能腐"}],
        "indicators": [
            {
                "code": "P",
                "name": "作风评议",
                "weight": 2,
                "dimension": "D1",
                "indicators": [{"code": "P1", "name": "廉洁自律"}, {"code": "P2", "name": "民主决策"}],
            },
            {
                "code": "D",
                "name": "平台数据",
                "weight": 1,
                "dimension": "D2",
                "indicators": [
                    {"code": "D1", "name": "红色预警", "weight": 3, "kind": "computed", "direction": "negative",
                     "source": "warnings_red", "low": 0, "high": 4},
                    {"code": "D2", "name": "按时办结率", "weight": 1, "kind": "computed",
                     "source": "approvals_on_time_rate", "low": 0.5, "high": 1.0},
                ],
            },
        ],
    },
}  # fmt: skip

SCORES_2026 = {
    "U1": {"R1": {"P1": 75, "P2": 60}, "R2": {"P1": 80, "P2": 100}, "R3": {"P1": 60}, "R4": {"P1": 90, "P2": 50}},
    "U2": {"R1": {"P1": 70}, "R2": {"P1": 85}},
    "U3": {"R1": {"P1": 90, "P2": 85}, "R2": {"P1": 95, "P2": 90}, "R3": {"P1": 85, "P2": 90}},
}
SCORES_2025 = {"U1": {"R1": {"P1": 50, "P2": 50}, "R2": {"P1": 50, "P2": 50}, "R4": {"P1": 50, "P2": 50}}}
BODY_UNITS = {code: unit(500 + n) for n, code in enumerate(("R1", "R2", "R3", "R4"))}


def body_token(keys: TestKeys, code: str, region: str = "130300") -> dict[str, str]:
    """A principal of an evaluating body: its token names the body's unit."""
    return keys.auth(
        scopes="integrity:read integrity:write", regions=[region], sub=f"body-{code}", unit=BODY_UNITS[code]
    )


def case(n: int, unit_uscc: str, *, on_time: bool, at: datetime) -> Any:
    return new_event(
        CaseConcluded(
            case_id=f"case-{n}",
            item_code="ITEM-1",
            region_code="130302",
            department_uscc=unit_uscc,
            accepted_at=at - timedelta(days=10),
            concluded_at=at,
            limit_workdays=5,
            used_workdays=4 if on_time else 7,
            on_time=on_time,
            result="approved",
        ),
        source="/sunlight/approvals",
    )


def report(n: int, subject: SubjectRef, at: datetime) -> Any:
    return new_event(
        ReportFiled(
            report_id=f"r-{n}", region_code="130302", category="funds", subject=subject, anonymous=True, filed_at=at
        ),
        source="/sunlight/complaints",
    )


async def post(integrity: Integrity, path: str, headers: dict[str, str], body: dict[str, Any]) -> Any:
    response = await integrity.client.post(path, headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def register_bodies(integrity: Integrity, admin: dict[str, str], region: str = "130300", **units: str) -> None:
    for code, uscc in (units or BODY_UNITS).items():
        await post(integrity, "/v1/integrity/evaluating-bodies", admin,
                   {"body": code, "region_code": region, "unit_uscc": uscc})  # fmt: skip


async def sheet(
    integrity: Integrity, keys: TestKeys, framework: str, period: str, subject: str, rater: str, scores: dict
) -> Any:
    return await post(integrity, "/v1/integrity/assessments", body_token(keys, rater), {
        "framework": framework, "period": period, "subject_id": subject, "rater": rater, "scores": scores})  # fmt: skip


def krippendorff_interval(rows: list[list[float | None]]) -> float:
    """Krippendorff's alpha, interval metric, straight from its definition (coincidences over pairable units)."""
    units = [[r[u] for r in rows if r[u] is not None] for u in range(len(rows[0]))]
    units = [u for u in units if len(u) >= 2]
    n = sum(len(u) for u in units)
    observed = sum(sum((a - b) ** 2 for a, b in itertools.permutations(u, 2)) / (len(u) - 1) for u in units) / n
    values = [v for u in units for v in u]
    expected = sum((a - b) ** 2 for a, b in itertools.permutations(values, 2)) / (n * (n - 1))
    return 1 - observed / expected


async def test_the_index_of_a_worked_example_at_the_default_settings(
    integrity: Integrity, backend: Backend, keys: TestKeys, inspector, admin, reader
):
    await post(integrity, "/v1/integrity/frameworks", admin, WORKED)
    await register_bodies(integrity, admin)
    teams = {}
    for name, n, region in (("U1", 21, "130302"), ("U2", 22, "130302"), ("U3", 23, "130303")):
        teams[name] = await post(integrity, "/v1/integrity/subjects", inspector, {
            "kind": "team", "code": f"team-{n}", "label": f"{name} 领导班子", "unit_uscc": unit(n),
            "region_code": region,
        })  # fmt: skip
    for period, table in (("2026", SCORES_2026), ("2025", SCORES_2025)):
        for name, sheets in table.items():
            for rater, scores in sheets.items():
                await sheet(integrity, keys, "worked-example", period, teams[name]["id"], rater, scores)

    # what the services reported about U1's unit: one red warning in 2026 (and one in 2025), an orange one,
    # four approval cases concluded in 2026 (three on time), two complaints (one names the unit, one its node).
    # Nothing about U2's and U3's units.
    u1 = unit(21)
    march = datetime(2026, 3, 5, tzinfo=UTC)
    await integrity.publish(finding(OVERSPEND, "node-u1", unit_uscc=u1, at=march))
    await integrity.publish(finding(OVERSPEND, "node-u1-old", unit_uscc=u1, at=datetime(2025, 6, 1, tzinfo=UTC)))
    await integrity.publish(finding(SINGLE_BID, "tender-u1", unit_uscc=u1, kind="tender", at=march))
    for n, on_time in enumerate((True, True, False, True)):
        await integrity.publish(case(n, u1, on_time=on_time, at=march + timedelta(days=n)))
    await integrity.registered(inspector, "tender-u1")
    await integrity.publish(report(1, SubjectRef(service="complaints", kind="unit", id=u1), march))
    await integrity.publish(report(2, SubjectRef(service="funds", kind="node", id="node-u1"), march))

    async def activity() -> dict[str, Any] | None:
        got = await integrity.client.get(f"/v1/integrity/units/{u1}/activity", params={"period": "2026"},
                                         headers=reader)  # fmt: skip
        body = got.json() if got.status_code == 200 else None
        return body if body and body["cases_concluded"] == 4 and body["complaints"] == 2 else None

    figures = await eventually(activity, what="the unit's figures")
    assert figures["warnings_red"] == 1 and figures["warnings_orange"] == 1 and figures["funds_warnings"] == 1
    assert figures["cases_on_time"] == 3 and figures["on_time_rate"] == 0.75

    async with EventCapture.on(backend.bus_settings(), ["integrity.index.computed.v1"]) as capture:
        computed = await post(integrity, "/v1/integrity/frameworks/worked-example/computations", inspector,
                              {"period": "2026"})  # fmt: skip
        event = await capture.wait_for("integrity.index.computed.v1", lambda e: e.data.subject_id == teams["U1"]["id"])
    results = {r["subject_label"][:2]: r for r in computed["results"]}
    assert computed["computed"] == 3 and computed["with_value"] == 2 and computed["published"] == 0

    # ---- U1 by hand -----------------------------------------------------------------------------
    # scores on 0–100 already: y = 100·(s − 0)/(100 − 0) = s. Body weights R1 1, R2 1, R3 2, R4 1.
    # P1: all four bodies, y = 75, 80, 60, 90
    p1 = (1 * 75 + 1 * 80 + 2 * 60 + 1 * 90) / (1 + 1 + 2 + 1)  # 73
    s2_p1 = statistics.variance([75, 80, 60, 90])  # 156.25
    se_p1 = math.sqrt(s2_p1 * ((1 / 5) ** 2 + (1 / 5) ** 2 + (2 / 5) ** 2 + (1 / 5) ** 2))  # SE² = 43.75
    # P2: R1, R2, R4 (three bodies: just enough), y = 60, 100, 50
    p2 = (60 + 100 + 50) / 3  # 70
    se_p2 = math.sqrt(statistics.variance([60, 100, 50]) * 3 * (1 / 3) ** 2)  # SE² = 700/3
    p = (p1 + p2) / 2  # 71.5
    se_p = math.sqrt((1 / 2) ** 2 * se_p1**2 + (1 / 2) ** 2 * se_p2**2)
    # D1: one red warning in 2026, negative, goalposts 0…4 → 100·(1 − 1/4) = 75
    d1 = 100 * (1 - (1 - 0) / (4 - 0))
    # D2: 3 of 4 cases on time → 0.75, goalposts 0.5…1.0 → 100·(0.75 − 0.5)/0.5 = 50
    d2 = 100 * (0.75 - 0.5) / (1.0 - 0.5)
    d = (3 * d1 + 1 * d2) / (3 + 1)  # 68.75, no sampling error
    value = (2 * p + 1 * d) / (2 + 1)  # 70.5833
    se = math.sqrt((2 / 3) ** 2 * se_p**2)  # 5.549
    ci = (value - 1.645 * se, value + 1.645 * se)
    assert (p1, p2, p, d1, d2, d) == (73, 70, 71.5, 75, 50, 68.75)
    assert round(value, 4) == 70.5833 and round(se, 3) == 5.549
    # reliability: the bodies' agreement on U1, units P1 and P2
    alpha = krippendorff_interval([[75, 60], [80, 100], [60, None], [90, 50]])

    got = results["U1"]
    assert got["status"] == "assessed" and got["raters"] == 4
    assert got["value"] == pytest.approx(value) and got["se"] == pytest.approx(se)
    assert got["raw_value"] == pytest.approx(value), "no leniency correction by default"
    assert (got["ci_low"], got["ci_high"]) == (pytest.approx(ci[0]), pytest.approx(ci[1]))
    assert got["coverage"] == pytest.approx(1.0)
    assert got["reliability"] == pytest.approx(alpha) and got["reliability"] < 0.2, "the bodies disagree on U1"
    assert (got["grade"], got["colour"]) == ("C", "orange"), "70.6: below the default C cut-off (80), not below B (70)"
    assert event.data.value == pytest.approx(value) and event.data.grade == "C"

    detail = (await integrity.client.get(f"/v1/integrity/index-results/{got['id']}", headers=reader)).json()
    assert detail["baseline_period"] is None and detail["framework_version"] == 1
    assert detail["breakdown"]["leniency"]["applied"] is False
    groups = {g["code"]: g for g in detail["breakdown"]["groups"]}
    indicators = {i["code"]: i for g in groups.values() for i in g["indicators"]}
    assert indicators["P1"]["value"] == pytest.approx(p1) and indicators["P1"]["se"] == pytest.approx(se_p1)
    assert indicators["P1"]["bodies"] == ["R1", "R2", "R3", "R4"]
    assert indicators["P2"]["value"] == pytest.approx(p2) and indicators["P2"]["se"] == pytest.approx(se_p2)
    assert indicators["D1"]["figure"] == 1 and indicators["D1"]["value"] == pytest.approx(d1)
    assert indicators["D2"]["figure"] == 0.75 and indicators["D2"]["value"] == pytest.approx(d2)
    assert groups["P"]["value"] == pytest.approx(p) and groups["D"]["value"] == pytest.approx(d)
    assert {x["code"]: x["value"] for x in detail["breakdown"]["dimensions"]} == {
        "D1": pytest.approx(p), "D2": pytest.approx(d)}  # fmt: skip

    # ---- U2: two bodies scored P1 (three needed), none P2; nothing reported about its unit: D1 and D2 have
    # no value (not "no red warning" = 100): coverage 0, not assessed, never graded
    u2 = results["U2"]
    assert (u2["status"], u2["value"], u2["grade"], u2["coverage"]) == ("not_assessed", None, None, 0)
    u2_detail = (await integrity.client.get(f"/v1/integrity/index-results/{u2['id']}", headers=reader)).json()
    u2_indicators = {i["code"]: i for g in u2_detail["breakdown"]["groups"] for i in g["indicators"]}
    assert u2_indicators["D1"]["value"] is None and "nothing reported" in u2_indicators["D1"]["note"]
    assert "3 needed" in u2_indicators["P1"]["note"]

    # ---- U3: P1 = (90 + 95 + 2·85)/4, P2 = (85 + 90 + 2·90)/4; no unit data → D has no value, the index
    # is P alone over 2/3 of the weight (≥ 0.5): 88.75, no grade — the normal case
    u3_p = ((90 + 95 + 2 * 85) / 4 + (85 + 90 + 2 * 90) / 4) / 2
    assert results["U3"]["value"] == pytest.approx(u3_p) and results["U3"]["grade"] is None
    assert results["U3"]["coverage"] == pytest.approx(2 / 3) and results["U3"]["colour"] is None

    # ---- the C grade raised INTEGRITY-INDEX-C about U1, orange (the grade's colour) in the register
    graded = await eventually(lambda: integrity.warnings(reader, rule_id="INTEGRITY-INDEX-C"), what="the C warning")
    assert [w["subject_id"] for w in graded] == [teams["U1"]["id"]] and graded[0]["level"] == "orange"
    assert graded[0]["evidence"]["index"] == pytest.approx(value) and graded[0]["unit_uscc"] == u1

    # ---- 2025 for the trend: U1 scored 50 by three bodies on both → P = 50 (A); D1: the 2025 red warning
    # → 75; D2: no cases in 2025 → D = 75; index = (2·50 + 75)/3 = 58.33, with no sampling error
    await post(integrity, "/v1/integrity/frameworks/worked-example/computations", inspector, {"period": "2025"})
    u1_2025 = (2 * 50 + 75) / 3
    # a quarter's result is another granularity: not in the yearly trend
    await post(integrity, "/v1/integrity/frameworks/worked-example/computations", inspector, {"period": "2026-Q1"})
    again = await post(integrity, "/v1/integrity/frameworks/worked-example/computations", inspector,
                       {"period": "2026"})  # fmt: skip
    assert {r["subject_label"][:2]: r["value"] for r in again["results"]}["U1"] == pytest.approx(value)
    await integrity.publish(finding(IDLE, "marker"))
    await integrity.registered(reader, "marker")
    assert len(await integrity.warnings(reader, rule_id="INTEGRITY-INDEX-C")) == 1, "recomputing raises no second"
    assert len(await integrity.warnings(reader, rule_id="INTEGRITY-INDEX-A")) == 1, "2025: 58.3 < 60"

    trend = (await integrity.client.get(f"/v1/integrity/subjects/{teams['U1']['id']}/index",
                                        params={"framework": "worked-example"}, headers=reader)).json()  # fmt: skip
    assert trend["granularity"] == "year" and [p["period"] for p in trend["points"]] == ["2025", "2026"]
    assert trend["points"][0]["value"] == pytest.approx(u1_2025)
    assert trend["change"] == pytest.approx(value - u1_2025) and trend["slope"] == pytest.approx(value - u1_2025)
    # 12.25 index points against a noise of 1.645·√(5.549² + 0²) = 9.13: beyond it
    assert trend["change_beyond_noise"] is True and "rank" not in trend["peers"]
    peer_mean = (value + u3_p) / 2  # U2 has no value in 2026
    assert trend["peers"]["peers"] == 2 and trend["peers"]["peer_mean"] == pytest.approx(peer_mean)
    assert trend["peers"]["gap"] == pytest.approx(value - peer_mean)
    quarters = (await integrity.client.get(f"/v1/integrity/subjects/{teams['U1']['id']}/index",
                                           params={"framework": "worked-example", "granularity": "quarter"},
                                           headers=reader)).json()  # fmt: skip
    assert [p["period"] for p in quarters["points"]] == ["2026-Q1"] and quarters["change"] is None

    lowest = await integrity.client.get("/v1/integrity/overview/lowest-index",
                                        params={"framework": "worked-example", "period": "2026"},
                                        headers=reader)  # fmt: skip
    assert [r["subject_label"][:2] for r in lowest.json()["items"]] == ["U1", "U3"], "lowest first"
    listed = await integrity.client.get("/v1/integrity/frameworks/worked-example/results",
                                        params={"period": "2026", "limit": 2}, headers=reader)  # fmt: skip
    assert [r["subject_label"][:2] for r in listed.json()["items"]] == ["U1", "U3"]
    rest = await integrity.client.get("/v1/integrity/frameworks/worked-example/results",
                                      params={"period": "2026", "cursor": listed.json()["next_cursor"]},
                                      headers=reader)  # fmt: skip
    assert [r["subject_label"][:2] for r in rest.json()["items"]] == ["U2"], "not assessed: last"


async def test_officials_rated_95_96_97_by_all_ten_bodies_are_not_graded(
    integrity: Integrity, keys: TestKeys, inspector, admin, reader
):
    """The review's case: all ten bodies rate three officials 95, 96 and 97 out of 100 on every indicator.
    The index is what they said (95, 96, 97), nobody is graded, and no warning is raised."""
    units = {f"B{n:02d}": unit(700 + n) for n in range(1, 11)}
    await register_bodies(integrity, admin, **units)
    framework = (await integrity.client.get("/v1/integrity/frameworks/323-individual", headers=reader)).json()
    codes = [i["code"] for g in framework["definition"]["indicators"] for i in g["indicators"]]
    assert len(codes) == 14
    officials = {}
    for score in (95, 96, 97):
        officials[score] = await post(
            integrity,
            "/v1/integrity/subjects",
            inspector,
            {"kind": "individual", "code": f"official-{score}", "label": f"局长 {score}", "region_code": "130302"},
        )
        for body, uscc in units.items():
            token = keys.auth(scopes="integrity:write", regions=["130300"], sub=f"body-{body}", unit=uscc)
            await post(integrity, "/v1/integrity/assessments", token, {
                "framework": "323-individual", "period": "2026", "subject_id": officials[score]["id"], "rater": body,
                "scores": dict.fromkeys(codes, score)})  # fmt: skip
    computed = await post(integrity, "/v1/integrity/frameworks/323-individual/computations", inspector,
                          {"period": "2026"})  # fmt: skip
    results = {r["subject_label"]: r for r in computed["results"]}
    for score in (95, 96, 97):
        got = results[f"局长 {score}"]
        assert got["value"] == pytest.approx(score) and got["grade"] is None and got["status"] == "assessed"
        assert got["raters"] == 10 and got["reliability"] is None, "no variation at all: agreement is undefined"
    assert computed["graded"] == {"A": 0, "B": 0, "C": 0}
    await integrity.publish(finding(IDLE, "marker"))
    await integrity.registered(reader, "marker")
    for grade in "ABC":
        assert await integrity.warnings(reader, rule_id=f"INTEGRITY-INDEX-{grade}") == []


async def test_a_unit_nobody_reported_about_is_not_assessed(integrity: Integrity, inspector, admin):
    """Computed indicators read what the services reported: a unit with no report at all has no figure
    (not assessed), not zero warnings (which would score it as spotless)."""
    definition = {"bodies": [{"code": "R1", "name": "纪委"}], "min_raters": 1, "indicators": [
        {"code": "W", "name": "预警", "indicators": [
            {"code": "W1", "name": "红色预警", "kind": "computed", "direction": "negative", "source": "warnings_red",
             "low": 0, "high": 3}]}]}  # fmt: skip
    await post(integrity, "/v1/integrity/frameworks", admin,
               {"code": "data-only", "name": "数据", "target": "team", "definition": definition})  # fmt: skip
    silent, watched = unit(31), unit(32)
    for n, uscc in ((31, silent), (32, watched)):
        await post(
            integrity,
            "/v1/integrity/subjects",
            inspector,
            {"kind": "team", "code": f"team-{n}", "label": f"T{n}", "unit_uscc": uscc, "region_code": "130302"},
        )
    year = datetime.now(integrity.settings.zone).year
    # the watched unit: an orange finding this year (and no red one)
    await integrity.publish(finding(SINGLE_BID, "tender-32", unit_uscc=watched, kind="tender"))
    await integrity.registered(inspector, "tender-32")
    computed = await post(integrity, "/v1/integrity/frameworks/data-only/computations", inspector,
                          {"period": str(year)})  # fmt: skip
    results = {r["subject_label"]: r for r in computed["results"]}
    assert (results["T31"]["status"], results["T31"]["value"]) == ("not_assessed", None)
    assert (results["T32"]["status"], results["T32"]["value"]) == ("assessed", 100), "reported about, no red one"


async def test_only_a_bodys_own_unit_enters_its_sheet(integrity: Integrity, keys: TestKeys, inspector, admin, beijing):
    await post(integrity, "/v1/integrity/frameworks", admin, WORKED)
    team = await post(
        integrity,
        "/v1/integrity/subjects",
        inspector,
        {"kind": "team", "code": "team-1", "label": "班子", "unit_uscc": unit(1), "region_code": "130302"},
    )
    sheet_of = {"framework": "worked-example", "period": "2026", "subject_id": team["id"], "scores": {"P1": 70}}

    # an inspector (no unit) cannot fill in the bodies' sheets, whatever its scopes
    refused = await integrity.client.post("/v1/integrity/assessments", headers=inspector,
                                          json={**sheet_of, "rater": "R1"})  # fmt: skip
    assert refused.status_code == 403 and refused.json()["type"].endswith("/not-evaluating-body"), refused.text
    # registering is an administrator's act in its own region
    registration = {"body": "R1", "region_code": "130300", "unit_uscc": BODY_UNITS["R1"]}
    not_admin = await integrity.client.post("/v1/integrity/evaluating-bodies", headers=inspector, json=registration)
    assert not_admin.status_code == 403 and not_admin.json()["type"].endswith("/insufficient-scope")
    elsewhere = await integrity.client.post("/v1/integrity/evaluating-bodies", headers=beijing, json=registration)
    assert elsewhere.status_code == 403 and elsewhere.json()["type"].endswith("/forbidden-region")
    r1 = await post(integrity, "/v1/integrity/evaluating-bodies", admin, registration)
    twice = await integrity.client.post("/v1/integrity/evaluating-bodies", headers=admin, json=registration)
    assert twice.status_code == 409 and twice.json()["type"].endswith("/rater-exists")
    # Beijing registers the same unit as its own R2: that says nothing about Qinhuangdao's subjects
    await post(integrity, "/v1/integrity/evaluating-bodies", beijing,
               {"body": "R2", "region_code": "110000", "unit_uscc": BODY_UNITS["R1"]})  # fmt: skip

    r1_token = body_token(keys, "R1")
    await post(integrity, "/v1/integrity/assessments", r1_token, {**sheet_of, "rater": "R1"})
    as_r2 = await integrity.client.post("/v1/integrity/assessments", headers=r1_token,
                                        json={**sheet_of, "rater": "R2"})  # fmt: skip
    assert as_r2.status_code == 403 and as_r2.json()["field"] == "/rater", "R1's unit is not R2 here"
    # even registered as a second body, one unit rates a subject as one body: three bodies are three units
    await post(integrity, "/v1/integrity/evaluating-bodies", admin,
               {"body": "R2", "region_code": "130302", "unit_uscc": BODY_UNITS["R1"]})  # fmt: skip
    second = await integrity.client.post("/v1/integrity/assessments", headers=r1_token,
                                         json={**sheet_of, "rater": "R2"})  # fmt: skip
    assert second.status_code == 409 and second.json()["type"].endswith("/one-unit-one-body")
    assert second.json()["rated_as"] == ["R1"]

    listed = await integrity.client.get("/v1/integrity/evaluating-bodies", headers=inspector)
    assert {(r["body"], r["region_code"]) for r in listed.json()["items"]} == {("R1", "130300"), ("R2", "130302")}
    removed = await integrity.client.delete(f"/v1/integrity/evaluating-bodies/{r1['id']}", headers=admin)
    assert removed.status_code == 204
    gone = await integrity.client.post("/v1/integrity/assessments", headers=r1_token,
                                       json={**sheet_of, "rater": "R1"})  # fmt: skip
    assert gone.status_code == 403, "unregistered: no more sheets"
    scores = await integrity.client.get("/v1/integrity/assessments", headers=inspector, params={
        "framework": "worked-example", "period": "2026", "subject_id": team["id"]})  # fmt: skip
    assert [(s["rater"], s["score"]) for s in scores.json()["items"]] == [("R1", 70)], "the sheets it entered stay"


LENIENT = {
    "code": "lenient",
    "name": "Leniency corrected",
    "target": "team",
    "definition": {
        "bodies": [{"code": c, "name": c} for c in ("R1", "R2", "R3", "R4")],
        "indicators": [{"code": "P", "name": "评议", "indicators": [{"code": "P1", "name": "廉洁自律"}]}],
        "leniency_correction": True,
        "leniency_min_subjects": 2,
    },
}


async def test_leniency_is_corrected_against_a_frozen_regional_baseline_and_never_forces_a_grade(
    integrity: Integrity, keys: TestKeys, inspector, admin, reader
):
    await post(integrity, "/v1/integrity/frameworks", admin, LENIENT)
    await register_bodies(integrity, admin)
    subjects = {}
    for name, region in (("S1", "130302"), ("S2", "130302"), ("S3", "130302"), ("S4", "130303")):
        subjects[name] = (await post(integrity, "/v1/integrity/subjects", inspector, {
            "kind": "team", "code": name, "label": name, "unit_uscc": unit(int(name[1]) + 40), "region_code": region,
        }))["id"]  # fmt: skip
    # 2025 in 130302: R1 scores 20 below the others → its leniency −15, the others' +5 (means 75 and 65)
    for name, (low, high) in (("S1", (60, 80)), ("S2", (50, 70))):
        for body in ("R1", "R2", "R3", "R4"):
            await sheet(integrity, keys, "lenient", "2025", subjects[name], body, {"P1": low if body == "R1" else high})
    closed = await post(integrity, "/v1/integrity/frameworks/lenient/closures", admin,
                        {"period": "2025", "region_code": "130302"})  # fmt: skip
    assert closed["subjects"] == 2 and closed["leniency"]["R1"] == {"offset": pytest.approx(-15), "subjects": 2}
    assert closed["leniency"]["R2"]["offset"] == pytest.approx(5)

    # the baseline is frozen: its sheets are refused, and recomputing leaves its published results alone
    late = await integrity.client.post(
        "/v1/integrity/assessments",
        headers=body_token(keys, "R1"),
        json={
            "framework": "lenient",
            "period": "2025",
            "subject_id": subjects["S1"],
            "rater": "R1",
            "scores": {"P1": 99},
        },
    )
    assert late.status_code == 409 and late.json()["type"].endswith("/period-closed")
    rerun = await post(integrity, "/v1/integrity/frameworks/lenient/computations", inspector, {"period": "2025"})
    assert rerun["published"] == 3 and rerun["computed"] == 1, "S1–S3 (130302) stay; S4 (130303) is computed"
    again = await integrity.client.post("/v1/integrity/frameworks/lenient/closures", headers=admin,
                                        json={"period": "2025", "region_code": "130302"})  # fmt: skip
    assert again.status_code == 409

    # 2026: S3 scored 83 by R2, R3, R4 (R1, the harsh body, did not rate it): uncorrected 83; corrected
    # 83 − 5 = 78, below the C cut-off — but the correction never forces a grade
    for body in ("R2", "R3", "R4"):
        await sheet(integrity, keys, "lenient", "2026", subjects["S3"], body, {"P1": 83})
    # S4 is in 130303, where no period is closed: no baseline, no correction
    for body in ("R2", "R3", "R4"):
        await sheet(integrity, keys, "lenient", "2026", subjects["S4"], body, {"P1": 83})
    computed = await post(integrity, "/v1/integrity/frameworks/lenient/computations", inspector, {"period": "2026"})
    results = {r["subject_label"]: r for r in computed["results"]}
    s3, s4 = results["S3"], results["S4"]
    assert s3["value"] == pytest.approx(78) and s3["raw_value"] == pytest.approx(83) and s3["grade"] is None
    assert s4["value"] == pytest.approx(83) and s4["raw_value"] == pytest.approx(83)
    detail = (await integrity.client.get(f"/v1/integrity/index-results/{s3['id']}", headers=reader)).json()
    assert detail["baseline_period"] == "2025" and detail["breakdown"]["leniency"]["applied"] is True
    assert detail["breakdown"]["leniency"]["baseline_region"] == "130302"
    s4_detail = (await integrity.client.get(f"/v1/integrity/index-results/{s4['id']}", headers=reader)).json()
    assert s4_detail["baseline_period"] is None and s4_detail["breakdown"]["leniency"]["applied"] is False

    # closing 2026 publishes S3's result; a new framework version does not move it
    await post(
        integrity, "/v1/integrity/frameworks/lenient/closures", admin, {"period": "2026", "region_code": "130302"}
    )
    stricter = {**LENIENT["definition"], "cutoffs": {"A": 85, "B": 90, "C": 95}}
    replaced = await integrity.client.put("/v1/integrity/frameworks/lenient", headers=admin,
                                          json={"name": "stricter", "definition": stricter})  # fmt: skip
    assert replaced.status_code == 200
    after = await post(integrity, "/v1/integrity/frameworks/lenient/computations", inspector, {"period": "2026"})
    assert [r["subject_label"] for r in after["results"]] == ["S4"], "only the open region is recomputed"
    assert after["results"][0]["grade"] == "A" and after["published"] == 3
    listed = await integrity.client.get("/v1/integrity/frameworks/lenient/results", headers=reader,
                                        params={"period": "2026"})  # fmt: skip
    shown = {r["subject_label"]: r for r in listed.json()["items"]}
    assert shown["S3"]["grade"] is None and shown["S3"]["published"] is True and shown["S4"]["published"] is False
    closures = await integrity.client.get("/v1/integrity/frameworks/lenient/closures", headers=reader)
    assert [(c["period"], c["region_code"]) for c in closures.json()["items"]] == [
        ("2025", "130302"),
        ("2026", "130302"),
    ]


async def test_the_default_frameworks_have_the_seeds_shape(integrity: Integrity, reader):
    frameworks = {
        f["code"]: f for f in (await integrity.client.get("/v1/integrity/frameworks", headers=reader)).json()["items"]
    }
    team, individual = frameworks["323-team"], frameworks["323-individual"]
    assert (team["first_level"], team["second_level"], team["bodies"]) == (17, 31, 10)
    assert (individual["second_level"], individual["bodies"], individual["target"]) == (14, 10, "individual")
    definition = team["definition"]
    second = [i for g in definition["indicators"] for i in g["indicators"]]
    sources = {i["source"] for i in second if i["kind"] == "computed"}
    assert sources == {"warnings_red", "warnings_orange", "warnings_blue", "complaints", "approvals_on_time_rate",
                       "funds_warnings"}  # fmt: skip
    assert definition["min_raters"] == 3 and definition["cutoffs"] == {"A": 60, "B": 70, "C": 80}
    assert definition["leniency_correction"] is False
    # seed 002: three dimensions, nine aspects in them, third-party assessment among the bodies
    assert [d["name"] for d in definition["dimensions"]] == ["不敢腐", "不能腐", "不想腐"]
    aspects = [(g["name"], g["dimension"]) for g in definition["indicators"] if g["dimension"]]
    assert [a for a, _ in aspects] == ["执纪问责", "权力监督", "制度治党", "制度管权", "制度治吏", "制度倡廉",
                                       "清廉教育", "预防状况", "公众参与"]  # fmt: skip
    assert any(b["name"] == "第三方评估机构" and not b["placeholder"] for b in definition["bodies"])
    # placeholder names say so, in the name and in a field
    for item in [*definition["bodies"], *definition["indicators"], *second]:
        assert item["placeholder"] == ("占位" in item["name"]), item
    assert all(not g["placeholder"] for g in definition["indicators"][:13])
    assert all(i["placeholder"] for i in second if i["kind"] == "rated")


async def test_frameworks_and_assessments_refuse_what_does_not_fit(
    integrity: Integrity, keys: TestKeys, inspector, admin, beijing
):
    forbidden = await integrity.client.post("/v1/integrity/frameworks", headers=inspector, json=WORKED)
    assert forbidden.status_code == 403 and forbidden.json()["type"].endswith("/insufficient-scope")
    await post(integrity, "/v1/integrity/frameworks", admin, WORKED)
    duplicate = await integrity.client.post("/v1/integrity/frameworks", headers=admin, json=WORKED)
    assert duplicate.status_code == 409 and duplicate.json()["type"].endswith("/framework-exists")

    def broken(**change: Any) -> dict[str, Any]:
        return {**WORKED, "code": "broken", "definition": {**WORKED["definition"], **change}}

    def group(indicators: list[dict[str, Any]]) -> dict[str, Any]:
        return broken(indicators=[{"code": "X", "name": "x", "indicators": indicators}])

    for bad in (
        broken(cutoffs={"A": 50, "B": 40, "C": 60}),
        broken(bodies=[{"code": "R1", "name": "x"}, {"code": "R1", "name": "y"}]),
        group([{"code": "X1", "name": "x", "kind": "computed"}]),
        group([{"code": "X1", "name": "x", "raters": ["R9"]}]),
        broken(indicators=[{"code": "X", "name": "x", "dimension": "D9", "indicators": [{"code": "X1", "name": "x"}]}]),
        broken(min_raters=5),
        broken(baseline_period="2025-Q5"),
    ):
        refused = await integrity.client.post("/v1/integrity/frameworks", headers=admin, json=bad)
        assert refused.status_code == 422, bad
    listed = (await integrity.client.get("/v1/integrity/frameworks", headers=admin)).json()["items"]
    assert {f["code"] for f in listed} == {"323-team", "323-individual", "worked-example"}

    replaced = await integrity.client.put("/v1/integrity/frameworks/worked-example", headers=admin,
                                          json={"name": "v2", "definition": WORKED["definition"]})  # fmt: skip
    assert replaced.status_code == 200 and replaced.json()["version"] == 2

    team = await post(integrity, "/v1/integrity/subjects", inspector, {
        "kind": "team", "code": "team-1", "label": "班子", "unit_uscc": unit(1), "region_code": "130302"})  # fmt: skip
    official = await post(integrity, "/v1/integrity/subjects", inspector, {
        "kind": "individual", "code": "official-1", "label": "局长", "region_code": "130302"})  # fmt: skip
    no_unit = await integrity.client.post("/v1/integrity/subjects", headers=inspector, json={
        "kind": "team", "code": "team-2", "label": "班子", "region_code": "130302"})  # fmt: skip
    assert no_unit.status_code == 422
    again = await integrity.client.post("/v1/integrity/subjects", headers=inspector, json={
        "kind": "team", "code": "team-1", "label": "班子", "unit_uscc": unit(1), "region_code": "130302"})  # fmt: skip
    assert again.status_code == 409 and again.json()["type"].endswith("/subject-exists")

    await register_bodies(integrity, admin)
    r1 = body_token(keys, "R1")
    sheet_of = {"framework": "worked-example", "period": "2026", "subject_id": team["id"], "rater": "R1"}
    for scores, rater, why in (
        ({"P1": 70}, "R9", "/rater"),
        ({"P9": 70}, "R1", "/scores/P9"),
        ({"D1": 70}, "R1", "/scores/D1"),
        ({"P1": 101}, "R1", "/scores/P1"),
    ):
        refused = await integrity.client.post("/v1/integrity/assessments", headers=r1,
                                              json={**sheet_of, "rater": rater, "scores": scores})  # fmt: skip
        assert refused.status_code == 422 and refused.json()["type"].endswith("/invalid-score"), refused.text
        assert refused.json()["field"] == why
    official_sheet = {**sheet_of, "subject_id": official["id"], "scores": {"P1": 1}}
    wrong_kind = await integrity.client.post("/v1/integrity/assessments", headers=r1, json=official_sheet)
    assert wrong_kind.status_code == 422 and wrong_kind.json()["type"].endswith("/subject-kind-mismatch")
    elsewhere = await integrity.client.post("/v1/integrity/assessments", headers=beijing,
                                            json={**sheet_of, "scores": {"P1": 70}})  # fmt: skip
    assert elsewhere.status_code == 404, "another region's subject does not exist for this rater"
    hidden = await integrity.client.get(f"/v1/integrity/subjects/{team['id']}", headers=beijing)
    assert hidden.status_code == 404

    await post(integrity, "/v1/integrity/assessments", r1, {**sheet_of, "scores": {"P1": 70, "P2": 60}})
    await post(integrity, "/v1/integrity/assessments", r1, {**sheet_of, "scores": {"P1": 75}})
    scores = await integrity.client.get("/v1/integrity/assessments", headers=inspector,
                                        params={"framework": "worked-example", "period": "2026",
                                                "subject_id": team["id"]})  # fmt: skip
    assert {(s["indicator"], s["score"]) for s in scores.json()["items"]} == {("P1", 75), ("P2", 60)}, (
        "a re-entry replaces"
    )

    elsewhere = await integrity.client.post("/v1/integrity/frameworks/worked-example/computations", headers=inspector,
                                            json={"period": "2026", "region_code": "110000"})  # fmt: skip
    assert elsewhere.status_code == 403
    beijing_run = await post(integrity, "/v1/integrity/frameworks/worked-example/computations", beijing,
                             {"period": "2026"})  # fmt: skip
    assert beijing_run["computed"] == 0, "a computation covers the caller's regions only"
