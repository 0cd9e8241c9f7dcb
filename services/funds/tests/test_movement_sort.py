"""Sorting the movements list: enum keys, asc/desc, and a cursor that carries the sort (no skip, no repeat)."""

from __future__ import annotations

from typing import Any

from .conftest import Maker


async def every(make: Maker, **params: Any) -> list[dict[str, Any]]:
    """Every movement of the list, two at a time, following next_cursor."""
    seen: list[dict[str, Any]] = []
    params = {"limit": 2, "kind": "allocate", **params}
    while True:
        r = await make.client.get("/v1/funds/movements", headers=make.headers, params=params)
        assert r.status_code == 200, r.text
        seen += r.json()["items"]
        if not r.json()["next_cursor"]:
            return seen
        params["cursor"] = r.json()["next_cursor"]


async def test_movements_sort_by_amount_with_ties_and_page_without_skipping_or_repeating(make: Maker):
    t = await make.tree()
    # amounts with ties (three of 300, two of 500): the id breaks them, the same way on every page
    for amount, day in [(300, "2025-03-03"), (500, "2025-03-01"), (300, "2025-03-02"), (900, "2025-03-05"),
                        (500, "2025-03-04"), (300, "2025-03-01")]:  # fmt: skip
        await make.move(kind="allocate", from_node_id=t.root["id"], to_node_id=t.dept["id"], amount_fen=amount,
                        occurred_on=day)  # fmt: skip
    ascending = await every(make, sort="amount_fen", order="asc", programme_id=t.pid)
    amounts = [m["amount_fen"] for m in ascending]
    assert amounts == [300, 300, 300, 500, 500, 900]
    assert len({m["id"] for m in ascending}) == 6, "no movement repeated across pages"
    ties = [m["id"] for m in ascending if m["amount_fen"] == 300]
    assert ties == sorted(ties), "ties in id order"
    descending = await every(make, sort="amount_fen", order="desc", programme_id=t.pid)
    assert [m["id"] for m in descending] == [m["id"] for m in reversed(ascending)]
    by_day = await every(make, sort="occurred_on", order="asc", programme_id=t.pid)
    assert [m["occurred_on"] for m in by_day] == sorted(m["occurred_on"] for m in ascending)

    # data changing between pages: a movement recorded after the first page, smaller than all, is not a reason
    # to skip or repeat what was already there
    query = {"sort": "amount_fen", "order": "asc", "limit": 2, "programme_id": t.pid, "kind": "allocate"}
    first = await make.client.get("/v1/funds/movements", headers=make.headers, params=query)
    await make.move(kind="allocate", from_node_id=t.root["id"], to_node_id=t.dept["id"], amount_fen=100)
    rest = await every(make, sort="amount_fen", order="asc", programme_id=t.pid, cursor=first.json()["next_cursor"])
    shown = [m["id"] for m in first.json()["items"] + rest]
    assert shown == [m["id"] for m in ascending], "every earlier movement once, none twice (the new one sorts first)"


async def test_unknown_sorts_are_422_and_a_cursor_belongs_to_its_sort(make: Maker):
    t = await make.tree()
    for amount in (100, 200, 300):
        await make.move(kind="allocate", from_node_id=t.root["id"], to_node_id=t.dept["id"], amount_fen=amount)
    bad_sort = await make.client.get("/v1/funds/movements", headers=make.headers, params={"sort": "refunded_fen"})
    assert bad_sort.status_code == 422 and "'amount_fen'" in bad_sort.text
    bad_order = await make.client.get("/v1/funds/movements", headers=make.headers, params={"order": "up"})
    assert bad_order.status_code == 422
    first = await make.client.get("/v1/funds/movements", headers=make.headers, params={"sort": "amount_fen",
                                                                                      "limit": 1})  # fmt: skip
    cursor = first.json()["next_cursor"]
    elsewhere = await make.client.get("/v1/funds/movements", headers=make.headers,
                                      params={"sort": "occurred_on", "limit": 1, "cursor": cursor})  # fmt: skip
    assert elsewhere.status_code == 400 and elsewhere.json()["field"] == "/cursor"
    query = {"sort": "amount_fen", "order": "asc", "limit": 1, "cursor": cursor}
    flipped = await make.client.get("/v1/funds/movements", headers=make.headers, params=query)
    assert flipped.status_code == 400
