"""The expert draw: committed before it is made, replayable by anyone from the published seed."""

from __future__ import annotations

import hashlib
import secrets
import uuid

import pytest
from sqlalchemy import update
from sunlight.testing import ServiceHarness
from tenders.app import MIGRATIONS
from tenders.draws import ALGORITHM, draw_order, follow_replacements
from tenders.models import Draw
from tenders.settings import TendersSettings

from .conftest import CITY, DISTRICT, Maker

PROBLEMS = "https://sunlight.example/problems/"


@pytest.fixture
async def tenders_settings(harness: ServiceHarness) -> TendersSettings:
    """An expert may sit once per owner in the window (draw_owner_max=1), to see the rotation exclusion."""
    return await harness.settings(TendersSettings, MIGRATIONS, draw_owner_max=1)


def replay(seed: bytes, candidates: list[str]) -> list[str]:
    """The draw as ALGORITHM describes it, written again from the text alone (what an outside verifier does)."""
    words: list[int] = []
    counter = 0

    def word() -> int:
        nonlocal counter
        if not words:
            block = hashlib.sha256(b"sunlight-draw-v1" + seed + counter.to_bytes(8, "big")).digest()
            words.extend(int.from_bytes(block[k : k + 8], "big") for k in (0, 8, 16, 24))
            counter += 1
        return words.pop(0)

    order = sorted(candidates)
    for i in range(len(order) - 1, 0, -1):
        n = i + 1
        while (w := word()) >= 2**64 - 2**64 % n:
            pass
        j = w % n
        order[i], order[j] = order[j], order[i]
    return order


def test_the_draw_is_a_deterministic_permutation_documented_well_enough_to_replay():
    people = [str(uuid.uuid4()) for _ in range(40)]
    for _ in range(20):
        seed = secrets.token_bytes(32)
        order = draw_order(seed, people)
        assert sorted(order) == sorted(people) and order == draw_order(seed, list(reversed(people)))
        assert order == replay(seed, people), "the text of ALGORITHM is enough to replay a draw"
    assert "SHA-256" in ALGORITHM and "Fisher–Yates" in ALGORITHM
    # a known answer: an implementation change would make every past draw unverifiable
    assert draw_order(bytes(32), list("abcdefg")) == list("degfcba")
    assert draw_order(bytes.fromhex("01" * 32), list("abcdefg")) == list("afcegbd")


def test_every_position_is_equally_likely():
    counts = {c: 0 for c in "abcde"}
    for _ in range(5000):
        counts[draw_order(secrets.token_bytes(32), list("abcde"))[0]] += 1
    assert all(800 < n < 1200 for n in counts.values()), counts  # 1000 expected each; ±6 standard deviations


def test_replacements_must_take_the_next_in_order():
    order = list("abcdefg")
    assert follow_replacements(order, 3, [("b", "d"), ("a", "e")]) == ["e", "d", "c"]
    assert follow_replacements(order, 3, [("b", "e")]) is None, "d was skipped"
    assert follow_replacements(order, 3, [("z", "d")]) is None, "z never sat"


async def test_a_draw_is_committed_made_replaced_and_verified(make: Maker, tenders_app):
    project = await make.project()
    tender = await make.tender(project)
    bidder = await make.enterprise("投标人甲")
    await make.bid(tender, bidder, 1_400_000_000)
    owner_side = await make.enterprise("业主下属公司")
    # the owner is an enterprise registered under the project's owner USCC
    owner = await make.post(
        "/v1/tenders/enterprises", {"uscc": project["owner_uscc"], "name": "海港区教育局", "region_code": DISTRICT}
    )
    experts = [await make.person(f"专家{i}", specialties=["building"], region_code=DISTRICT) for i in range(6)]
    at_bidder = await make.person(
        "投标人员工", specialties=["building"], region_code=DISTRICT, employer_uscc=bidder["uscc"]
    )
    at_owner = await make.person(
        "业主员工", specialties=["building"], region_code=DISTRICT, employer_uscc=owner["uscc"]
    )
    barred = await make.person("被禁专家", specialties=["building"], region_code=DISTRICT)
    await make.post(
        f"/v1/tenders/persons/{barred['id']}/debarments",
        {"region_code": CITY, "reason": "评标不公", "starts_on": "2025-01-01"},
    )
    await make.person("其他专业", specialties=["roads"], region_code=DISTRICT)
    await make.person("市级专家", specialties=["building"], region_code=CITY, employer_uscc=owner_side["uscc"])

    committed = await make.post(
        f"/v1/tenders/tenders/{tender['id']}/draws", {"specialty": "building", "pool_region": DISTRICT, "count": 5}
    )
    assert committed["status"] == "committed" and committed["seed"] is None and committed["members"] == []
    late = await make.person("承诺后登记", specialties=["building"], region_code=DISTRICT)

    drawn = await make.post(f"/v1/tenders/draws/{committed['id']}/execution", {}, 200)
    seed = bytes.fromhex(drawn["seed"])
    assert hashlib.sha256(seed).hexdigest() == committed["seed_sha256"], "the seed is the one committed to"
    assert sorted(drawn["candidates"]) == sorted(e["id"] for e in experts)
    assert late["id"] not in drawn["candidates"], "the pool closed at the commitment"
    reasons = {x["expert_id"]: x["reasons"] for x in drawn["exclusions"]}
    assert reasons == {
        at_bidder["id"]: ["works_for_bidder"],
        at_owner["id"]: ["works_for_owner"],
        barred["id"]: ["debarred"],
    }
    assert drawn["order"] == replay(seed, drawn["candidates"]) and drawn["members"] == drawn["order"][:5]

    again = await make.client.post(f"/v1/tenders/draws/{committed['id']}/execution", headers=make.headers, json={})
    assert again.status_code == 409 and again.json()["type"] == PROBLEMS + "draw-state", "a draw is made once"

    out = drawn["members"][1]
    replaced = await make.post(
        f"/v1/tenders/draws/{committed['id']}/replacements", {"expert_id": out, "reason": "declined", "note": "出差"}
    )
    assert replaced["members"][1] == drawn["order"][5] and out not in replaced["members"]
    assert replaced["replacements"][0]["reason"] == "declined"

    verdict = await make.get(f"/v1/tenders/draws/{committed['id']}/verification")
    assert verdict["verified"] is True and verdict["replayed_order"] == drawn["order"]

    # a committee altered behind the draw's back no longer verifies
    async with tenders_app.state.db.sessions() as session, session.begin():
        members = [*replaced["members"][:1], out, *replaced["members"][2:]]
        await session.execute(update(Draw).where(Draw.id == uuid.UUID(committed["id"])).values(members=members))
    verdict = await make.get(f"/v1/tenders/draws/{committed['id']}/verification")
    assert verdict["verified"] is False and verdict["members_follow_order"] is False and verdict["order_matches"]


async def test_an_expert_drawn_for_the_same_owner_too_often_is_left_out(make: Maker):
    project = await make.project()
    first, second = await make.tender(project), await make.tender(project)
    for i in range(4):
        await make.person(f"专家{i}", specialties=["building"], region_code=DISTRICT)
    body = {"specialty": "building", "pool_region": DISTRICT, "count": 2}
    d1 = await make.post(f"/v1/tenders/tenders/{first['id']}/draws", body)
    sat = (await make.post(f"/v1/tenders/draws/{d1['id']}/execution", {}, 200))["members"]
    d2 = await make.post(f"/v1/tenders/tenders/{second['id']}/draws", body)
    drawn = await make.post(f"/v1/tenders/draws/{d2['id']}/execution", {}, 200)
    assert {x["expert_id"] for x in drawn["exclusions"]} == set(sat)
    assert all(x["reasons"] == ["drawn_for_owner_too_often"] for x in drawn["exclusions"])
    d3 = await make.post(f"/v1/tenders/tenders/{second['id']}/draws", {**body, "count": 3})
    short = await make.client.post(f"/v1/tenders/draws/{d3['id']}/execution", headers=make.headers, json={})
    assert short.status_code == 409 and short.json()["type"] == PROBLEMS + "pool-too-small"
