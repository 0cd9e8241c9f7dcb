"""The integrity index against a worked example computed by hand, and the framework's and assessments' checks."""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sunlight.events import new_event
from sunlight.events.contracts.approvals import CaseConcluded
from sunlight.events.contracts.complaints import ReportFiled
from sunlight.testing import Backend, EventCapture
from sunlight.warnings import SubjectRef

from .conftest import IDLE, OVERSPEND, SINGLE_BID, Integrity, eventually, finding, unit

WORKED = {
    "code": "worked-example",
    "name": "A small framework to check by hand",
    "target": "team",
    "definition": {
        "bodies": [
            {"code": "R1", "name": "纪委监委", "weight": 1},
            {"code": "R2", "name": "组织部", "weight": 1},
            {"code": "R3", "name": "服务对象", "weight": 2},
            {"code": "R4", "name": "本单位职工", "weight": 1},
        ],
        "indicators": [
            {
                "code": "P",
                "name": "作风评议",
                "weight": 2,
                "indicators": [{"code": "P1", "name": "廉洁自律"}, {"code": "P2", "name": "民主决策"}],
            },
            {
                "code": "D",
                "name": "平台数据",
                "weight": 1,
                "indicators": [
                    {"code": "D1", "name": "红色预警", "weight": 3, "kind": "computed", "direction": "negative",
                     "source": "warnings_red", "low": 0, "high": 4},
                    {"code": "D2", "name": "按时办结率", "weight": 1, "kind": "computed",
                     "source": "approvals_on_time_rate", "low": 0.5, "high": 1.0},
                ],
            },
        ],
        "min_raters": 3,
        "centre": 45,
        "spread": 20,
        "ci_z": 1.645,
        "min_coverage": 0.5,
        "cutoffs": {"A": 30, "B": 40, "C": 60},
        "baseline_period": "2025",
    },
}  # fmt: skip

# the baseline period (2025): each body's scores of each indicator for the three teams U1, U2, U3
BASELINE = {
    "R1": {"P1": (60, 70, 80), "P2": (50, 60, 70)},  # μ 70, σ 10 · μ 60, σ 10
    "R2": {"P1": (80, 85, 90), "P2": (70, 80, 90)},  # μ 85, σ 5  · μ 80, σ 10
    "R3": {"P1": (40, 50, 60), "P2": (65, 70, 75)},  # μ 50, σ 10 · μ 70, σ 5
    "R4": {"P1": (70, 70, 70)},  # σ 0: R4 cannot be normalised on P1, and has no baseline on P2
}
# 2026
SCORES_2026 = {
    "U1": {"R1": {"P1": 75, "P2": 60}, "R2": {"P1": 80, "P2": 100}, "R3": {"P1": 60}, "R4": {"P1": 90, "P2": 50}},
    "U2": {"R1": {"P1": 70}, "R2": {"P1": 85}},
    "U3": {"R1": {"P1": 80, "P2": 70}, "R2": {"P1": 90, "P2": 90}, "R3": {"P1": 70, "P2": 75}},
}


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


async def test_the_index_of_a_worked_example(integrity: Integrity, backend: Backend, inspector, admin, reader):
    await post(integrity, "/v1/integrity/frameworks", admin, WORKED)
    teams = {}
    for name, n, region in (("U1", 21, "130302"), ("U2", 22, "130302"), ("U3", 23, "130303")):
        teams[name] = await post(integrity, "/v1/integrity/subjects", inspector, {
            "kind": "team", "code": f"team-{n}", "label": f"{name} 领导班子", "unit_uscc": unit(n),
            "region_code": region,
        })  # fmt: skip
    for rater, by_indicator in BASELINE.items():
        for i, name in enumerate(("U1", "U2", "U3")):
            scores = {indicator: values[i] for indicator, values in by_indicator.items()}
            await post(integrity, "/v1/integrity/assessments", inspector, {
                "framework": "worked-example", "period": "2025", "subject_id": teams[name]["id"], "rater": rater,
                "scores": scores,
            })  # fmt: skip
    for name, sheets in SCORES_2026.items():
        for rater, scores in sheets.items():
            await post(integrity, "/v1/integrity/assessments", inspector, {
                "framework": "worked-example", "period": "2026", "subject_id": teams[name]["id"], "rater": rater,
                "scores": scores,
            })  # fmt: skip

    # what the services reported about U1's unit: one red warning in 2026 (and one in 2025), an orange one,
    # four approval cases concluded in 2026 (three on time), two complaints (one names the unit, one its node)
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
    assert computed["baseline_period"] == "2025" and computed["computed"] == 3 and computed["with_value"] == 2

    # ---- U1 by hand -----------------------------------------------------------------------------
    # P1: z = (s − μ)/σ against 2025, y = 45 + 20 z; R4 has σ = 0 on P1 in 2025, so it is left out
    y_r1 = 45 + 20 * (75 - 70) / 10  # z 0.5 → 55
    y_r2 = 45 + 20 * (80 - 85) / 5  # z −1 → 25
    y_r3 = 45 + 20 * (60 - 50) / 10  # z 1 → 65
    assert (y_r1, y_r2, y_r3) == (55, 25, 65)
    p1 = (1 * y_r1 + 1 * y_r2 + 2 * y_r3) / (1 + 1 + 2)  # body weights 1, 1, 2 → 52.5
    s2 = ((55 - 145 / 3) ** 2 + (25 - 145 / 3) ** 2 + (65 - 145 / 3) ** 2) / 2  # sample variance of the y: 433.33
    se_p1 = math.sqrt(s2 * ((1 / 4) ** 2 + (1 / 4) ** 2 + (2 / 4) ** 2))  # SE² = s² Σ(w/Σw)² = 162.5
    # P2: R1 and R2 have a baseline, R3 gave no score, R4 has no 2025 score of P2 → 2 bodies < 3: no value
    # P = P1 alone (weights renormalised over the indicators that have a value)
    p, se_p = p1, se_p1
    # D1: one red warning in 2026, negative, goalposts 0…4 → 100·(1 − 1/4) = 75
    d1 = 100 * (1 - (1 - 0) / (4 - 0))
    # D2: 3 of 4 cases on time → 0.75, goalposts 0.5…1.0 → 100·(0.75 − 0.5)/0.5 = 50
    d2 = 100 * (0.75 - 0.5) / (1.0 - 0.5)
    d = (3 * d1 + 1 * d2) / (3 + 1)  # 68.75, no sampling error
    index = (2 * p + 1 * d) / (2 + 1)  # 57.9167
    se = math.sqrt((2 / 3) ** 2 * se_p**2 + (1 / 3) ** 2 * 0**2)  # 8.498
    ci = (index - 1.645 * se, index + 1.645 * se)  # (43.94, 71.90)
    coverage = 2 / 3 * 1 / 2 + 1 / 3 * 1  # P2 had no value: 2/3 of the weight
    assert (p1, d1, d2, d) == (52.5, 75, 50, 68.75)
    assert round(index, 4) == 57.9167 and round(se, 3) == 8.498

    got = results["U1"]
    assert got["value"] == pytest.approx(index) and got["se"] == pytest.approx(se)
    assert (got["ci_low"], got["ci_high"]) == (pytest.approx(ci[0]), pytest.approx(ci[1]))
    assert got["coverage"] == pytest.approx(coverage)
    assert got["grade"] == "C", "57.9 is below the C cut-off (60) and above B (40)"
    assert event.data.value == pytest.approx(index) and event.data.grade == "C"

    detail = (await integrity.client.get(f"/v1/integrity/index-results/{got['id']}", headers=reader)).json()
    assert detail["baseline_period"] == "2025" and detail["framework_version"] == 1
    groups = {g["code"]: g for g in detail["breakdown"]["groups"]}
    indicators = {i["code"]: i for g in groups.values() for i in g["indicators"]}
    assert indicators["P1"]["value"] == pytest.approx(p1) and indicators["P1"]["se"] == pytest.approx(se_p1)
    assert indicators["P1"]["raters"] == 3 and indicators["P1"]["left_out"] == ["R4"]
    assert indicators["P2"]["value"] is None and indicators["P2"]["raters"] == 2
    assert "3 needed" in indicators["P2"]["note"]
    assert indicators["D1"]["figure"] == 1 and indicators["D1"]["value"] == pytest.approx(d1)
    assert indicators["D2"]["figure"] == 0.75 and indicators["D2"]["value"] == pytest.approx(d2)
    assert groups["P"]["value"] == pytest.approx(p) and groups["D"]["value"] == pytest.approx(d)

    # ---- U2: P1 has 2 usable bodies (no value), no P2; D1 = 100 (no red warning), D2 no cases:
    # coverage = 1/3 · 3/4 = 0.25 < 0.5 → no index
    assert results["U2"]["value"] is None and results["U2"]["grade"] is None
    assert results["U2"]["coverage"] == pytest.approx(1 / 3 * 3 / 4)

    # ---- U3: every body one σ above its baseline mean except R3 on P1 (two σ): y = 65, 65, 85 and 65, 65, 65
    u3_p1 = (65 + 65 + 2 * 85) / 4  # 75
    u3_p = (u3_p1 + 65) / 2  # 70
    u3_index = (2 * u3_p + 1 * 100) / 3  # D: no red warning → 100, no cases → D2 no value → D = 100
    assert results["U3"]["value"] == pytest.approx(u3_index) and results["U3"]["grade"] is None
    u3_se = math.sqrt((2 / 3) ** 2 * (1 / 2) ** 2 * statistics.variance([65, 65, 85]) * (1 / 16 + 1 / 16 + 4 / 16))
    assert results["U3"]["se"] == pytest.approx(u3_se)

    # ---- the C grade raised INTEGRITY-INDEX-C about U1 (blue by default) into the register
    graded = await eventually(lambda: integrity.warnings(reader, rule_id="INTEGRITY-INDEX-C"), what="the C warning")
    assert [w["subject_id"] for w in graded] == [teams["U1"]["id"]] and graded[0]["level"] == "blue"
    assert graded[0]["evidence"]["index"] == pytest.approx(index) and graded[0]["unit_uscc"] == u1

    # ---- 2025 for the trend: every U1 score one σ below its mean → y = 25 everywhere: P = 25;
    # D1: the 2025 red warning → 75; D2: no cases → D = 75; index = (2·25 + 75)/3
    await post(integrity, "/v1/integrity/frameworks/worked-example/computations", inspector, {"period": "2025"})
    u1_2025 = (2 * 25 + 75) / 3
    # recomputing 2026 changes nothing and raises no second C warning for it
    again = await post(integrity, "/v1/integrity/frameworks/worked-example/computations", inspector,
                       {"period": "2026"})  # fmt: skip
    assert {r["subject_label"][:2]: r["value"] for r in again["results"]}["U1"] == pytest.approx(index)
    await integrity.publish(finding(IDLE, "marker"))
    await integrity.registered(reader, "marker")
    c_warnings = await integrity.warnings(reader, rule_id="INTEGRITY-INDEX-C")
    assert sorted(w["occurrences"] for w in c_warnings) == [1, 1], "one per period (2025 and 2026), each once"

    trend = (await integrity.client.get(f"/v1/integrity/subjects/{teams['U1']['id']}/index",
                                        params={"framework": "worked-example"}, headers=reader)).json()  # fmt: skip
    assert [p["period"] for p in trend["points"]] == ["2025", "2026"]
    assert trend["points"][0]["value"] == pytest.approx(u1_2025)
    assert trend["slope"] == pytest.approx(index - u1_2025) and trend["change"] == pytest.approx(index - u1_2025)
    peer_mean = (index + u3_index) / 2  # U2 has no value in 2026
    assert trend["peers"]["peers"] == 2 and trend["peers"]["peer_mean"] == pytest.approx(peer_mean)
    assert trend["peers"]["gap"] == pytest.approx(index - peer_mean) and trend["peers"]["rank"] == 2

    lowest = await integrity.client.get("/v1/integrity/overview/lowest-index",
                                        params={"framework": "worked-example"}, headers=reader)  # fmt: skip
    assert [r["subject_label"][:2] for r in lowest.json()] == ["U1", "U3"], "the latest period, lowest first"
    listed = await integrity.client.get("/v1/integrity/frameworks/worked-example/results",
                                        params={"period": "2026", "limit": 2}, headers=reader)  # fmt: skip
    assert [r["subject_label"][:2] for r in listed.json()["items"]] == ["U1", "U3"]
    rest = await integrity.client.get("/v1/integrity/frameworks/worked-example/results",
                                      params={"period": "2026", "cursor": listed.json()["next_cursor"]},
                                      headers=reader)  # fmt: skip
    assert [r["subject_label"][:2] for r in rest.json()["items"]] == ["U2"], "no value: last"


async def test_the_default_frameworks_have_the_seeds_shape(integrity: Integrity, reader):
    frameworks = {f["code"]: f for f in (await integrity.client.get("/v1/integrity/frameworks", headers=reader)).json()}
    team, individual = frameworks["323-team"], frameworks["323-individual"]
    assert (team["first_level"], team["second_level"], team["bodies"]) == (17, 31, 10)
    assert (individual["second_level"], individual["bodies"], individual["target"]) == (14, 10, "individual")
    second = [i for g in team["definition"]["indicators"] for i in g["indicators"]]
    sources = {i["source"] for i in second if i["kind"] == "computed"}
    assert sources == {"warnings_red", "warnings_orange", "warnings_blue", "complaints", "approvals_on_time_rate",
                       "funds_warnings"}  # fmt: skip
    assert team["definition"]["min_raters"] == 3 and team["definition"]["cutoffs"] == {"A": 30, "B": 35, "C": 40}


async def test_frameworks_and_assessments_refuse_what_does_not_fit(integrity: Integrity, inspector, admin, beijing):
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
        broken(min_raters=5),
        broken(baseline_period="2025-Q5"),
    ):
        refused = await integrity.client.post("/v1/integrity/frameworks", headers=admin, json=bad)
        assert refused.status_code == 422, bad
    assert {f["code"] for f in (await integrity.client.get("/v1/integrity/frameworks", headers=admin)).json()} == {
        "323-team", "323-individual", "worked-example"}  # fmt: skip

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

    sheet = {"framework": "worked-example", "period": "2026", "subject_id": team["id"], "rater": "R1"}
    for scores, rater, why in (
        ({"P1": 70}, "R9", "rater"),
        ({"P9": 70}, "R1", "scores.P9"),
        ({"D1": 70}, "R1", "scores.D1"),
        ({"P1": 101}, "R1", "scores.P1"),
    ):
        refused = await integrity.client.post("/v1/integrity/assessments", headers=inspector,
                                              json={**sheet, "rater": rater, "scores": scores})  # fmt: skip
        assert refused.status_code == 422 and refused.json()["type"].endswith("/invalid-score"), refused.text
        assert refused.json()["field"] == why
    official_sheet = {**sheet, "subject_id": official["id"], "scores": {"P1": 1}}
    wrong_kind = await integrity.client.post("/v1/integrity/assessments", headers=inspector, json=official_sheet)
    assert wrong_kind.status_code == 422 and wrong_kind.json()["type"].endswith("/subject-kind-mismatch")
    elsewhere = await integrity.client.post("/v1/integrity/assessments", headers=beijing,
                                            json={**sheet, "scores": {"P1": 70}})  # fmt: skip
    assert elsewhere.status_code == 404, "another region's subject does not exist for this rater"
    hidden = await integrity.client.get(f"/v1/integrity/subjects/{team['id']}", headers=beijing)
    assert hidden.status_code == 404

    await post(integrity, "/v1/integrity/assessments", inspector, {**sheet, "scores": {"P1": 70, "P2": 60}})
    await post(integrity, "/v1/integrity/assessments", inspector, {**sheet, "scores": {"P1": 75}})
    scores = await integrity.client.get("/v1/integrity/assessments", headers=inspector,
                                        params={"framework": "worked-example", "period": "2026",
                                                "subject_id": team["id"]})  # fmt: skip
    assert {(s["indicator"], s["score"]) for s in scores.json()} == {("P1", 75), ("P2", 60)}, "a re-entry replaces"

    elsewhere = await integrity.client.post("/v1/integrity/frameworks/worked-example/computations", headers=inspector,
                                            json={"period": "2026", "region_code": "110000"})  # fmt: skip
    assert elsewhere.status_code == 403
    beijing_run = await post(integrity, "/v1/integrity/frameworks/worked-example/computations", beijing,
                             {"period": "2026"})  # fmt: skip
    assert beijing_run["computed"] == 0, "a computation covers the caller's regions only"
