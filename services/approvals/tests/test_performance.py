"""Performance scores per window, officer and department for a period, recomputed by hand from seeded cases.

The service's clock is held at 20 October 2025 (Beijing) while the cases are pushed, so the warnings they
raise are first raised in October 2025 — the period they count in, as they would in production.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest
from approvals import cases, enforcement, ratings

from .conftest import DISTRICT, Maker, at

PERF = "/v1/approvals/performance"
OCT_20 = datetime.fromisoformat(at("2025-10-20", "12:00"))


@pytest.fixture(autouse=True)
def october(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (cases, ratings, enforcement):
        monkeypatch.setattr(module, "utcnow", lambda: OCT_20)


async def seed(make: Maker) -> dict[str, Any]:
    dept = await make.department(code="D-ZJ")
    item = await make.item(
        department_code="D-ZJ", promised_days=3, legal_days=10, required_steps=["accept", "conclude"]
    )

    async def case(window: str, officer: str, accept: str, conclude: str, score: int | None) -> str:
        c = await make.case(item, [("accept", accept, {"window_code": window, "officer_code": officer}),
                                   ("conclude", conclude, {"officer_code": officer})])  # fmt: skip
        if score is not None:
            case_id = (await make.get_case(c))["id"]
            await make.post(
                f"/v1/approvals/cases/{case_id}/rating", {"score": score, "rated_at": at(conclude, "16:00")}
            )
        return c

    # W-1 / officer A: one case in 2 working days (on time), one in 6 (9, 10, 11 — a make-up Saturday —, 13, 14,
    # 15 October: over the promised 3, within the legal 10: APPROVALS-PROMISE-OVERDUE, orange), rated 5 and 2
    quick = await case("W-1", "A", "2025-10-09", "2025-10-10", 5)
    slow = await case("W-1", "A", "2025-10-09", "2025-10-15", 2)
    # W-2 / officer B: one case on time, rated 4; and one concluded in September (not this period)
    other = await case("W-2", "B", "2025-10-13", "2025-10-14", 4)
    await case("W-2", "B", "2025-09-22", "2025-09-23", None)
    return {"dept": dept, "item": item, "quick": quick, "slow": slow, "other": other}


async def ranked(make: Maker, **params: Any) -> list[dict[str, Any]]:
    r = await make.client.get(PERF, headers=make.headers, params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def test_window_scores_recomputed_by_hand(make: Maker) -> None:
    s = await seed(make)
    warned = {w["rule_id"]: w["level"] for w in await make.warnings(s["slow"])}
    assert warned == {"APPROVALS-PROMISE-OVERDUE": "orange"}  # the only card of the period
    assert await make.warnings(s["quick"]) == [] and await make.warnings(s["other"]) == []

    rows = {r["code"]: r for r in await ranked(make, level="window", period="2025-10")}
    w1, w2 = rows["W-1"], rows["W-2"]
    assert (w1["cases_concluded"], w1["on_time"], w1["on_time_rate"]) == (2, 1, 0.5)
    assert (w1["ratings"], w1["satisfied"], w1["satisfaction"]) == (2, 1, 0.5)
    assert w1["warnings"] == {"blue": 0, "orange": 1, "red": 0}
    assert (w1["deductions"], w1["score"]) == (2, 98)  # 100 − 2 (one orange)
    assert (w2["cases_concluded"], w2["on_time_rate"], w2["satisfaction"], w2["score"]) == (1, 1.0, 1.0, 100)
    assert (w2["rank"], w1["rank"], w1["of"]) == (1, 2, 2) and w1["region_code"] == DISTRICT
    # September: only W-2's case; W-2 had a score then, W-1 none
    assert (w2["previous_score"], w2["change"], w1["previous_score"]) == (100, 0, None)
    sept = {r["code"]: r for r in await ranked(make, level="window", period="2025-09")}
    assert set(sept) == {"W-2"} and sept["W-2"]["cases_concluded"] == 1

    officers = {r["code"]: r for r in await ranked(make, level="officer", period="2025-Q4")}
    assert (officers["A"]["score"], officers["A"]["on_time"], officers["B"]["cases_concluded"]) == (98, 1, 1)
    (dept,) = await ranked(make, level="department", period="2025")
    assert (dept["code"], dept["cases_concluded"], dept["on_time"], dept["ratings"], dept["satisfied"]) == (
        "D-ZJ", 4, 3, 3, 2,
    )  # fmt: skip
    assert dept["score"] == 98
    assert dept["region_code"] == DISTRICT  # the city's department, scored on the district's cases: the district's row


async def test_ranking_pages_by_rank_and_stays_in_the_callers_regions(
    make: Maker, approvals: httpx.AsyncClient, outsider: dict[str, str]
) -> None:
    await seed(make)
    first = await make.client.get(
        PERF, headers=make.headers, params={"level": "window", "period": "2025-10", "limit": 1}
    )
    body = first.json()
    assert [r["code"] for r in body["items"]] == ["W-2"] and body["next_cursor"]
    params = {"level": "window", "period": "2025-10", "limit": 1, "cursor": body["next_cursor"]}
    second = await make.client.get(PERF, headers=make.headers, params=params)
    assert [r["code"] for r in second.json()["items"]] == ["W-1"] and second.json()["next_cursor"] is None
    theirs = await approvals.get(PERF, headers=outsider, params={"level": "window", "period": "2025-10"})
    assert theirs.status_code == 200 and theirs.json()["items"] == []
    narrowed = await ranked(make, level="window", period="2025-10", region_code="110000")
    assert narrowed == []
    bad = await make.client.get(PERF, headers=make.headers, params={"level": "team", "period": "2025-10"})
    assert bad.status_code == 422
    bad = await make.client.get(PERF, headers=make.headers, params={"level": "window", "period": "2025-13"})
    assert bad.status_code == 422


async def test_trend_and_slope(make: Maker, approvals: httpx.AsyncClient, outsider: dict[str, str]) -> None:
    await seed(make)
    url = f"{PERF}/window/{DISTRICT}/W-1/trend"
    r = await make.client.get(url, headers=make.headers, params={"until": "2025-11", "periods": 3})
    assert r.status_code == 200, r.text
    t = r.json()
    assert [(p["period"], p["score"]) for p in t["points"]] == [("2025-09", 100), ("2025-10", 98), ("2025-11", 100)]
    assert t["slope"] == 0.0  # (100, 98, 100): symmetric
    r = await make.client.get(url, headers=make.headers, params={"until": "2025-10", "periods": 2})
    assert r.json()["slope"] == -2.0
    assert (await approvals.get(url, headers=outsider, params={"until": "2025-10"})).status_code == 404
