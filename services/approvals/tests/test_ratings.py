"""Ratings (好差评): bad ones rectified by a working-day deadline or flagged, appeals; and the error-correction library
(纠错库) catching one window's repeated error."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import Maker, at


async def rated_case(make: Maker, score: int, day: str = "2025-09-26") -> tuple[str, str]:
    item = await make.item()
    c = await make.case(item, [("submit", "2025-09-22", {}), ("accept", "2025-09-22", {})])
    case_id = (await make.get_case(c))["id"]
    await make.post(f"/v1/approvals/cases/{case_id}/rating", {"score": score, "rated_at": at(day)})
    return c, case_id


async def sweep(client: httpx.AsyncClient, headers: dict[str, str], day: str) -> dict[str, Any]:
    r = await client.post("/v1/approvals/sweeps", headers=headers, json={"as_of": at(day, "12:00")})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_a_bad_rating_gets_a_deadline_in_working_days_and_is_flagged_when_it_passes(
    make: Maker, approvals: httpx.AsyncClient, national: dict[str, str]
) -> None:
    c, case_id = await rated_case(make, 2, "2025-09-26")
    rating = (await approvals.get(f"/v1/approvals/cases/{case_id}/rating", headers=make.headers)).json()
    # 5 working days after Friday 26 Sep: 28 (make-up Sunday), 29, 30 Sep, 9, 10 Oct — National Day skipped
    assert rating["rectify_by"] == "2025-10-10"
    await sweep(approvals, national, "2025-10-10")
    assert "APPROVALS-BAD-RATING-UNRECTIFIED" not in await make.rules_of(c)
    await sweep(approvals, national, "2025-10-11")
    found = [w for w in await make.warnings(c) if w["rule_id"] == "APPROVALS-BAD-RATING-UNRECTIFIED"]
    assert found and found[0]["evidence"]["days_late"] == 1 and found[0]["evidence"]["score"] == 2


async def test_a_good_rating_or_one_rectified_in_time_is_not_flagged(
    make: Maker, approvals: httpx.AsyncClient, national: dict[str, str]
) -> None:
    good, _ = await rated_case(make, 4)
    fixed, case_id = await rated_case(make, 1)
    r = await approvals.post(f"/v1/approvals/cases/{case_id}/rating/rectification", headers=make.headers,
                             json={"rectified_at": at("2025-10-09"), "rectification": "已回访并补办"})  # fmt: skip
    assert r.status_code == 200, r.text
    await sweep(approvals, national, "2025-11-03")
    assert "APPROVALS-BAD-RATING-UNRECTIFIED" not in await make.rules_of(good)
    assert "APPROVALS-BAD-RATING-UNRECTIFIED" not in await make.rules_of(fixed)


async def test_a_late_rectification_is_flagged_when_it_comes(make: Maker, approvals: httpx.AsyncClient) -> None:
    c, case_id = await rated_case(make, 1)
    r = await approvals.post(f"/v1/approvals/cases/{case_id}/rating/rectification", headers=make.headers,
                             json={"rectified_at": at("2025-10-14"), "rectification": "已整改"})  # fmt: skip
    assert r.json()["warnings_raised"] == 1
    assert "APPROVALS-BAD-RATING-UNRECTIFIED" in await make.rules_of(c)


async def test_an_appealed_rating_is_held_and_a_case_is_rated_once(
    make: Maker, approvals: httpx.AsyncClient, national: dict[str, str], keys: Any
) -> None:
    c, case_id = await rated_case(make, 1)
    again = await approvals.post(f"/v1/approvals/cases/{case_id}/rating", headers=make.headers,
                                 json={"score": 5, "rated_at": at("2025-09-27")})  # fmt: skip
    assert again.status_code == 409 and again.json()["type"].endswith("/rating-exists")
    r = await approvals.post(f"/v1/approvals/cases/{case_id}/rating/appeal", headers=make.headers,
                             json={"reason": "评价人未办理本事项，系恶意差评"})  # fmt: skip
    assert r.status_code == 200 and r.json()["appeal"] == "pending"
    await sweep(approvals, national, "2025-10-20")
    assert "APPROVALS-BAD-RATING-UNRECTIFIED" not in await make.rules_of(c)
    admin = keys.auth(scopes="approvals:read approvals:write approvals:admin", regions=["130000"], sub="centre-head")
    r = await approvals.post(f"/v1/approvals/cases/{case_id}/rating/appeal/decision", headers=admin,
                             json={"outcome": "rejected"})  # fmt: skip
    assert r.status_code == 200 and r.json()["appeal"] == "rejected"
    await sweep(approvals, national, "2025-10-21")
    assert "APPROVALS-BAD-RATING-UNRECTIFIED" in await make.rules_of(c)


async def test_one_window_repeating_the_same_error_shows_up(make: Maker, approvals: httpx.AsyncClient) -> None:
    def error(window: str, code: str, day: str) -> dict[str, Any]:
        return {"region_code": "130302", "window_code": window, "error_code": code, "description": "未核验身份证明材料",
                "found_on": day}  # fmt: skip

    raised = []
    for window, code, day in [("W-1", "id-not-checked", "2025-03-03"), ("W-1", "id-not-checked", "2025-04-10"),
                              ("W-2", "id-not-checked", "2025-04-11"), ("W-1", "fee-wrong", "2025-04-12")]:  # fmt: skip
        raised.append((await make.post("/v1/approvals/errors", error(window, code, day)))["warnings_raised"])
    assert raised == [0, 0, 0, 0]  # two of a kind in one window, the others elsewhere or of another kind
    third = await make.post("/v1/approvals/errors", error("W-1", "id-not-checked", "2025-05-30"))
    assert third["warnings_raised"] == 1
    found = [w for w in await make.warnings(rule_id="APPROVALS-REPEATED-ERRORS")]
    assert len(found) == 1 and found[0]["subject_kind"] == "window" and found[0]["subject_id"] == "W-1"
    assert found[0]["evidence"]["count"] == 3
    for day in ("2025-09-30", "2025-10-02"):  # W-2's third comes more than 90 days after its first
        assert (await make.post("/v1/approvals/errors", error("W-2", "id-not-checked", day)))["warnings_raised"] == 0
    listed = (await approvals.get("/v1/approvals/errors", headers=make.headers, params={"window_code": "W-1"})).json()
    assert len(listed["items"]) == 4
