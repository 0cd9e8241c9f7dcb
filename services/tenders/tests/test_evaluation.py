"""Computer-assisted evaluation: the benchmark price, price points, expert scores, conflicts and outliers."""

from __future__ import annotations

import uuid

from tenders.evaluation import benchmark, price_points

from .conftest import DISTRICT, Maker

PROBLEMS = "https://sunlight.example/problems/"


def test_the_benchmark_is_the_mean_of_valid_prices_trimmed_from_five():
    assert benchmark([100, 200, 300], trim=True, factor_permille=1000) == 200, "fewer than five: no trimming"
    assert benchmark([100, 200, 300, 400, 10_000], trim=True, factor_permille=1000) == 300
    assert benchmark([100, 200, 300, 400, 10_000], trim=False, factor_permille=1000) == 2200
    assert benchmark([1000, 1001], trim=True, factor_permille=1000) == 1001, "1000.5: half up"
    assert benchmark([1000, 1001], trim=True, factor_permille=970) == 970, "970 ‰ of 1000.5 = 970.485"


def test_price_points_fall_with_the_distance_from_the_benchmark():
    assert price_points(1000, 1000, points=60, above=1, below=0.5) == 60
    assert price_points(1100, 1000, points=60, above=1, below=0.5) == 50, "10 % above: 10 points off"
    assert price_points(900, 1000, points=60, above=1, below=0.5) == 55, "10 % below: 5 points off"
    assert price_points(3000, 1000, points=60, above=1, below=0.5) == 0, "never below zero"


async def _committee(make: Maker, tender: dict, size: int = 3) -> list[str]:
    for i in range(size):
        await make.person(f"评委{i}", specialties=["building"], region_code=DISTRICT)
    draw = await make.post(
        f"/v1/tenders/tenders/{tender['id']}/draws", {"specialty": "building", "pool_region": DISTRICT, "count": size}
    )
    return list((await make.post(f"/v1/tenders/draws/{draw['id']}/execution", {}, 200))["members"])


async def test_comprehensive_scoring_ranks_by_price_and_expert_points(make: Maker):
    tender = await make.tender(ceiling_fen=1_500_000_000)
    a, b, c, d = [await make.enterprise(n) for n in ("甲", "乙", "丙", "丁")]
    bids = {
        "a": await make.bid(tender, a, 1_000_000_000),
        "b": await make.bid(tender, b, 1_100_000_000),
        "c": await make.bid(tender, c, 1_200_000_000),
        "d": await make.bid(tender, d, 1_600_000_000),  # above the ceiling: invalid
    }
    experts = await _committee(make, tender)
    await make.open(tender)
    points = {"a": (20, 21, 19), "b": (38, 39, 40), "c": (30, 31, 29), "d": (40, 40, 40)}
    scores = [
        {"expert_id": e, "bid_id": bids[k]["id"], "score": s[i]}
        for k, s in points.items()
        for i, e in enumerate(experts)
    ]
    out = await make.post(
        f"/v1/tenders/tenders/{tender['id']}/evaluations", {"method": "comprehensive", "scores": scores}
    )
    assert out["benchmark_fen"] == 1_100_000_000, "the mean of the three valid prices"
    assert out["invalid"] == [{"bid_id": bids["d"]["id"], "reason": "above_ceiling"}]
    ranking = [(r["bid_id"], r["price_points"], r["expert_points"], r["total_points"]) for r in out["ranking"]]
    # a: 9.09 % below → 60 − 4.5455; b: at the benchmark; c: 9.09 % above → 60 − 9.0909
    assert ranking == [
        (bids["b"]["id"], 60.0, 39.0, 99.0),
        (bids["c"]["id"], 50.9091, 30.0, 80.9091),
        (bids["a"]["id"], 55.4545, 20.0, 75.4545),
    ]
    assert out["outliers"] == [] and await make.findings(tender_id=tender["id"]) == []
    award = await make.award(tender)
    assert award["bid_id"] == bids["b"]["id"], "the first of the ranking wins by default"


async def test_lowest_price_ignores_disqualified_bids(make: Maker):
    tender = await make.tender()
    a, b = await make.enterprise("低价"), await make.enterprise("次低")
    low = await make.bid(tender, a, 900_000_000)
    next_ = await make.bid(tender, b, 950_000_000)
    await make.open(tender)
    out = await make.post(
        f"/v1/tenders/tenders/{tender['id']}/evaluations",
        {"method": "lowest_price", "disqualified": [{"bid_id": low["id"], "reason": "保证金未缴"}]},
    )
    assert [r["bid_id"] for r in out["ranking"]] == [next_["id"]]
    bids = {x["id"]: x for x in (await make.get(f"/v1/tenders/tenders/{tender['id']}/bids"))["items"]}
    assert bids[low["id"]]["status"] == "disqualified" and bids[next_["id"]]["status"] == "valid"


async def test_an_outlier_expert_and_an_expert_with_a_conflict_are_flagged(make: Maker):
    tender = await make.tender()
    a, b = await make.enterprise("甲"), await make.enterprise("乙")
    bid_a, bid_b = await make.bid(tender, a, 1_000_000_000), await make.bid(tender, b, 1_010_000_000)
    experts = await _committee(make, tender)
    intruder = await make.person("未抽取专家", specialties=["building"], region_code=DISTRICT, employer_uscc=a["uscc"])
    await make.open(tender)
    given = {bid_a["id"]: (30, 31, 29, 39), bid_b["id"]: (30, 32, 31, 10)}  # the fourth: far off on b
    panel = [*experts, intruder["id"]]
    scores = [{"expert_id": e, "bid_id": bid, "score": s[i]} for bid, s in given.items() for i, e in enumerate(panel)]
    out = await make.post(
        f"/v1/tenders/tenders/{tender['id']}/evaluations", {"method": "comprehensive", "scores": scores}
    )
    assert [(o["expert_id"], o["bid_id"]) for o in out["outliers"]] == [(intruder["id"], bid_b["id"])]
    found = {f["rule_id"]: f for f in await make.findings(tender_id=tender["id"])}
    assert set(found) == {"TENDERS-EXPERT-CONFLICT", "TENDERS-EXPERT-OUTLIER"}
    assert found["TENDERS-EXPERT-CONFLICT"]["evidence"]["reasons"] == ["works_for_bidder", "not_drawn"]
    assert found["TENDERS-EXPERT-OUTLIER"]["level"] == "blue"


async def test_scores_must_fit_the_lot(make: Maker):
    tender = await make.tender()
    bid = await make.bid(tender, await make.enterprise(), 1_000_000_000)
    other = await make.bid(tender, await make.enterprise(), 1_100_000_000)
    experts = await _committee(make, tender)
    await make.open(tender)
    partial = [{"expert_id": experts[0], "bid_id": bid["id"], "score": 30}]
    r = await make.client.post(
        f"/v1/tenders/tenders/{tender['id']}/evaluations",
        headers=make.headers,
        json={"method": "comprehensive", "scores": partial},
    )
    assert r.status_code == 422 and r.json()["type"] == PROBLEMS + "invalid-scores", "bid b has no score"
    too_many = [{"expert_id": experts[0], "bid_id": b["id"], "score": 41} for b in (bid, other)]
    r = await make.client.post(
        f"/v1/tenders/tenders/{tender['id']}/evaluations",
        headers=make.headers,
        json={"method": "comprehensive", "scores": too_many},
    )
    assert r.status_code == 422 and r.json()["field"] == "/scores/0/score", "40 points are left after price's 60"


async def test_references_in_an_evaluation_and_a_tender_name_things_that_exist(make: Maker):
    """A score by an expert who is not in the register, or a tender of a project that does not exist, is 404
    with ``field`` pointing at the member (nothing is written)."""
    tender = await make.tender()
    bid = await make.bid(tender, await make.enterprise(), 1_000_000_000)
    experts = await _committee(make, tender)
    await make.open(tender)
    ghost = str(uuid.uuid4())
    scores = [{"expert_id": e, "bid_id": bid["id"], "score": 30} for e in (*experts, ghost)]
    r = await make.client.post(
        f"/v1/tenders/tenders/{tender['id']}/evaluations",
        headers=make.headers,
        json={"method": "comprehensive", "scores": scores},
    )
    assert r.status_code == 404, r.text
    assert r.json()["field"] == f"/scores/{len(experts)}/expert_id"
    fine = [s for s in scores if s["expert_id"] != ghost]
    await make.post(f"/v1/tenders/tenders/{tender['id']}/evaluations", {"method": "comprehensive", "scores": fine})

    orphan = await make.client.post(
        "/v1/tenders/tenders",
        headers=make.headers,
        json={
            "code": "T-ORPHAN",
            "project_id": str(uuid.uuid4()),
            "title": "教学楼施工",
            "category": "construction",
            "procedure": "open",
            "estimate_fen": 1_000_000,
            "published_at": "2026-03-02T09:00:00+08:00",
            "deadline": "2026-03-23T09:30:00+08:00",
        },
    )
    assert orphan.status_code == 404 and orphan.json()["field"] == "/project_id", orphan.text
