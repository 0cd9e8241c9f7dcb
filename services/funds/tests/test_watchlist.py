"""The watch list edited through the API: delisting with a reason, every listing and delisting kept, region by
region, and the payment screening following it (issue 9)."""

from __future__ import annotations

from .conftest import Maker, person, resident_id


def of(warnings: list[dict], rule: str) -> list[dict]:
    return [w for w in warnings if w["rule_id"] == rule]


async def test_delisting_is_recorded_and_the_screening_follows_it(make: Maker, funds, keys, outsider):
    t = await make.tree()
    await make.down(t, 100_000, to="county")
    county_admin = keys.auth(scopes="funds:read funds:admin", regions=["130302"], sub="haigang-admin")
    r = await funds.post(
        "/v1/funds/watchlist",
        headers=county_admin,
        json={"entries": [
            {"list": "official", "resident_id": resident_id(41), "region_code": "130302", "reason": "区农业农村局股长",
             "listed_on": "2020-01-01"},
            {"list": "relative", "resident_id": resident_id(42), "region_code": "130302", "reason": "股长配偶",
             "listed_on": "2020-01-01"},
        ]},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    entries = (await funds.get("/v1/funds/watchlist", headers=county_admin)).json()["items"]
    official = next(e for e in entries if e["list"] == "official")
    await make.pay(t.county, 1_000, person(41, name="孙股长"), occurred_on="2025-03-01")
    assert [w["evidence"]["reason"] for w in of(await make.warnings(), "FUNDS-PAYEE-INELIGIBLE")] == ["official"]

    url = f"/v1/funds/watchlist/{official['id']}/delisting"
    # another region's administrator does not see the entry; a reason is required; not before the listing
    body = {"delisted_on": "2025-03-31", "reason": "已调离农业农村系统（区委组织部通知）"}
    assert (await funds.post(url, headers=outsider, json=body)).status_code == 404
    assert (await funds.post(url, headers=county_admin, json={"delisted_on": "2025-03-31"})).status_code == 422
    early = await funds.post(url, headers=county_admin, json={**body, "delisted_on": "2019-01-01"})
    assert early.status_code == 422 and early.json()["type"].endswith("/delisted-before-listed")
    done = await funds.post(url, headers=county_admin, json=body)
    assert done.status_code == 200 and done.json()["delisted_on"] == "2025-03-31"
    again = await funds.post(url, headers=county_admin, json=body)
    assert again.status_code == 409 and again.json()["type"].endswith("/already-delisted")

    # payments after the delisting are not screened against it; before it they still are
    await make.pay(t.county, 1_000, person(41, name="孙股长"), occurred_on="2025-04-02")
    (w,) = of(await make.warnings(), "FUNDS-PAYEE-INELIGIBLE")
    assert w["occurrences"] == 1
    await make.pay(t.county, 1_000, person(41, name="孙股长"), occurred_on="2025-03-30")
    (w,) = of(await make.warnings(), "FUNDS-PAYEE-INELIGIBLE")
    assert w["occurrences"] == 2

    # who listed and delisted whom, when and why — the person never shown
    changes = (await funds.get("/v1/funds/watchlist/changes", headers=make.headers)).json()["items"]
    mine = [(c["action"], c["list"], c["changed_by"], c["reason"], c["effective_on"]) for c in changes]
    assert mine == [
        ("delisted", "official", "haigang-admin", body["reason"], "2025-03-31"),
        *sorted(
            [
                ("listed", "official", "haigang-admin", "区农业农村局股长", "2020-01-01"),
                ("listed", "relative", "haigang-admin", "股长配偶", "2020-01-01"),
            ],
            key=lambda c: [x["reason"] for x in changes].index(c[3]),
        ),
    ]
    assert changes[0]["entry_id"] == official["id"] and resident_id(41) not in str(changes)
    assert (await funds.get("/v1/funds/watchlist/changes", headers=outsider)).json()["items"] == []
