"""Hostile input to the funds service: bounded batches, no control characters stored or published.

The figures (time, event-loop stall, peak memory of a 2 MiB junk batch) are in bench/bad_input.py;
these tests check what a client sees: the refusal, its type, and an error list that stays short.
"""

from __future__ import annotations

import json

import httpx
import pytest
from funds.app import MIGRATIONS, create_app
from funds.settings import FundsSettings
from sunlight.testing import ServiceHarness

from .conftest import CITY, Maker, person

NDJSON = {"content-type": "application/x-ndjson"}
CONTROL = "https://sunlight.example/problems/control-character"


async def post_batch(make: Maker, body: bytes, key: str = "k-1", media: str = "application/x-ndjson"):
    return await make.client.post(
        "/v1/funds/movements/batch",
        params={"batch_key": key},
        content=body,
        headers={**make.headers, "content-type": media},
    )


async def test_two_mib_of_short_junk_lines_is_refused_for_its_record_count(make: Maker):
    r = await post_batch(make, b"x\n" * (1024 * 1024))
    assert r.status_code == 413, r.text
    problem = r.json()
    assert problem["type"].endswith("/batch-too-large") and problem["max_records"] == 5000
    assert "errors" not in problem, "no line is parsed when there are too many of them"


async def test_junk_lines_within_the_record_cap_list_at_most_the_capped_errors(make: Maker):
    r = await post_batch(make, (b"x" * 511 + b"\n") * 4000)  # 2 MiB, every line wrong
    assert r.status_code == 422, r.text[:300]
    problem = r.json()
    assert problem["type"].endswith("/batch-invalid")
    assert len(problem["errors"]) == 100 and problem["errors_truncated"] is True
    assert problem["errors"][0] == {
        "index": 0,
        "pointer": "/0",
        "type": "https://sunlight.example/problems/validation",
        "message": "line 1 is not JSON: Expecting value",
    }
    assert "stopped after 100 errors" in problem["detail"]
    assert len(r.content) < 20_000


async def test_a_json_array_of_bad_records_lists_at_most_the_capped_errors(make: Maker):
    r = await post_batch(make, json.dumps([{"kind": "nonsense"}] * 3000).encode(), media="application/json")
    assert r.status_code == 422
    problem = r.json()
    assert len(problem["errors"]) == 100 and problem["errors_truncated"] is True


async def test_a_line_longer_than_the_limit_is_a_wrong_record_and_not_parsed(make: Maker):
    t = await make.tree()
    good = {"kind": "allocate", "from_node_id": t.root["id"], "to_node_id": t.dept["id"], "amount_fen": 1}
    long_line = json.dumps({**good, "reference": "r" * 70_000}).encode()
    body = json.dumps({**good, "occurred_on": "2025-03-01"}).encode() + b"\n\n" + long_line + b"\n"
    r = await post_batch(make, body)
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "index": 1,
            "pointer": "/1",
            "type": "https://sunlight.example/problems/validation",
            "message": "line 3 is longer than 65536 bytes",
        }
    ]


@pytest.mark.parametrize("media", ["application/json", "application/x-ndjson"])
async def test_a_batch_nested_without_end_is_refused_not_a_500(make: Maker, media: str):
    r = await post_batch(make, b"[" * 100_000 + b"]" * 100_000, media=media)
    assert r.status_code == 422, r.text[:300]
    assert r.json()["type"].endswith("/batch-invalid")


async def test_the_limits_are_settings(harness: ServiceHarness, keys):
    settings = await harness.settings(
        FundsSettings, MIGRATIONS, batch_max_records=3, batch_max_errors=2, batch_max_line_bytes=256
    )
    headers = {**keys.auth(scopes="funds:read funds:write", regions=["130000"]), **NDJSON}
    async with harness.client(create_app(settings)) as client:
        many = await client.post("/v1/funds/movements/batch?batch_key=a", content=b"{}\n" * 4, headers=headers)
        assert many.status_code == 413 and many.json()["max_records"] == 3
        wrong = await client.post("/v1/funds/movements/batch?batch_key=b", content=b"x\n" * 3, headers=headers)
        assert wrong.status_code == 422 and len(wrong.json()["errors"]) == 2 and wrong.json()["errors_truncated"]


# --- control characters: refused at the edge, the same on both backends ------------------------


async def programmes(funds: httpx.AsyncClient, headers: dict[str, str]) -> list[dict]:
    r = await funds.get("/v1/funds/programmes", headers=headers)
    assert r.status_code == 200
    return list(r.json()["items"])


async def test_a_nul_in_a_name_is_refused_and_nothing_is_stored_or_published(make: Maker, funds):
    body = {
        "code": "P-NUL",
        "name": "耕地\u0000x",
        "category": "agriculture",
        "fiscal_year": 2025,
        "budget_fen": 100,
        "region_code": CITY,
    }
    r = await funds.post("/v1/funds/programmes", headers=make.headers, json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"] == CONTROL
    assert [e["pointer"] for e in problem["errors"]] == ["/body/name"]
    assert problem["detail"].startswith("/body/name: ")
    assert await programmes(funds, make.headers) == []
    public = await funds.get("/v1/funds/public/programmes", params={"category": "a\x00b"})
    assert public.status_code == 422 and public.json()["errors"][0]["pointer"] == "/query/category"
    # the same text without the NUL is an ordinary programme, shown as sent
    ok = await funds.post("/v1/funds/programmes", headers=make.headers, json={**body, "name": "耕地\tx 😀"})
    assert ok.status_code == 201 and ok.json()["name"] == "耕地\tx 😀"


async def test_a_control_character_in_a_batch_record_is_refused_with_its_pointer(make: Maker):
    t = await make.tree()
    records = [
        {"kind": "allocate", "from_node_id": t.root["id"], "to_node_id": t.dept["id"], "amount_fen": 10_000,
         "occurred_on": "2025-03-01"},
        {"kind": "disburse", "from_node_id": t.root["id"], "to_node_id": t.dept["id"], "amount_fen": 10_000,
         "occurred_on": "2025-03-01"},
        {"kind": "expend", "from_node_id": t.dept["id"], "amount_fen": 100, "occurred_on": "2025-03-02",
         "payee": person(1, name="张\u0085三"), "reference": "R\u0000-1"},
    ]  # fmt: skip
    ndjson = b"\n".join(json.dumps(r).encode() for r in records)
    r = await post_batch(make, ndjson)
    assert r.status_code == 422, r.text
    assert r.json()["type"] == CONTROL
    assert sorted(e["pointer"] for e in r.json()["errors"]) == ["/body/2/payee/name", "/body/2/reference"]
    single = await make.client.post("/v1/funds/movements", headers=make.headers, json=records[2])
    assert single.status_code == 422 and single.json()["errors"][0]["pointer"] == "/body/payee/name"
    assert (await make.nodes(t.pid))[t.dept["id"]]["received_fen"] == 0, "nothing was written"


async def test_a_csv_file_with_a_nul_is_refused_not_a_500(make: Maker, funds):
    csv = (
        b"Service Area,Expenditure Category,Date Paid,Transaction Number,Amount,Supplier Name,Supplier ID,"
        b"Expenditure Code,Type\nHousing,Repairs,01/04/2017,T1,100.00,Acme\x00 Ltd,S1,E1,Revenue\n"
    )
    r = await funds.post(
        "/v1/funds/imports/oxford-expenditure",
        params={"code": "OXF-NUL", "region_code": CITY},
        content=csv,
        headers={**make.headers, "content-type": "text/csv"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["type"] == CONTROL and r.json()["errors"][0]["pointer"] == "/body"
    assert await programmes(funds, make.headers) == []
