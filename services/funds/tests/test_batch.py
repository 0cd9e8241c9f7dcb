"""Bulk import of movements: validate everything first, write all or nothing, replay by batch key."""

from __future__ import annotations

import json

import pytest
from funds.app import MIGRATIONS, create_app
from funds.settings import FundsSettings

from .conftest import Maker, Tree, org, person

NDJSON = {"content-type": "application/x-ndjson"}


def records(t: Tree, payments: int = 3) -> list[dict]:
    out: list[dict] = [
        {"kind": "allocate", "from_node_id": t.root["id"], "to_node_id": t.dept["id"], "amount_fen": 100_000,
         "occurred_on": "2025-03-01"},
        {"kind": "disburse", "from_node_id": t.root["id"], "to_node_id": t.dept["id"], "amount_fen": 100_000,
         "occurred_on": "2025-03-01"},
    ]  # fmt: skip
    for i in range(payments):
        out.append(
            {
                "kind": "expend",
                "from_node_id": t.dept["id"],
                "amount_fen": 1_000 + i,
                "occurred_on": "2025-03-02",
                "payee": person(i + 1),
                "reference": f"B-{i}",
            }
        )
    return out


async def post_batch(make: Maker, body: bytes | list, key: str, headers: dict | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await make.client.post(
        "/v1/funds/movements/batch",
        params={"batch_key": key},
        content=raw,
        headers={**make.headers, "content-type": "application/json", **(headers or {})},
    )


async def test_a_json_array_is_written_whole_and_replayed_by_its_key(make: Maker):
    t = await make.tree()
    body = records(t)
    first = await post_batch(make, body, "batch-1")
    assert first.status_code == 201, first.text
    out = first.json()
    assert out["records"] == 5 and len(out["movement_ids"]) == 5
    nodes = await make.nodes(t.pid)
    assert nodes[t.dept["id"]]["spent_fen"] == 1_000 + 1_001 + 1_002
    again = await post_batch(make, body, "batch-1")
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == out
    assert (await make.nodes(t.pid))[t.dept["id"]]["spent_fen"] == 3_003, "a replay writes nothing"
    reused = await post_batch(make, body[:2], "batch-1")
    assert reused.status_code == 422 and reused.json()["type"].endswith("/batch-key-reused")
    listed = await make.client.get(
        "/v1/funds/movements", headers=make.headers, params={"batch_id": out["batch_id"], "limit": 10}
    )
    assert len(listed.json()["items"]) == 5


async def test_ndjson_is_accepted_line_by_line(make: Maker):
    t = await make.tree()
    raw = "\n".join(json.dumps(r) for r in records(t, payments=2)).encode() + b"\n\n"
    r = await post_batch(make, raw, "nd-1", NDJSON)
    assert r.status_code == 201, r.text
    assert r.json()["records"] == 4


async def test_one_wrong_record_refuses_the_batch_with_a_report_per_record(make: Maker):
    t = await make.tree()
    body = records(t)
    body[2]["amount_fen"] = -5  # schema
    body[3]["payee"] = {"kind": "person", "name": "王五"}  # schema (no resident_id)
    body[4]["from_node_id"] = "00000000-0000-0000-0000-000000000000"  # fine by schema; checked after
    r = await post_batch(make, body, "bad-1")
    assert r.status_code == 422 and r.json()["type"].endswith("/batch-invalid")
    errors = r.json()["errors"]
    assert {e["index"] for e in errors} == {2, 3, 4}, "every wrong record at once, by schema or by the ledger"
    assert any(e["pointer"] == "/2/amount_fen" for e in errors)
    assert any(e["pointer"].startswith("/3/payee") for e in errors)
    (unknown,) = [e for e in errors if e["index"] == 4]
    assert unknown["pointer"] == "/4/from_node_id" and unknown["type"].endswith("/not-found")
    nodes = await make.nodes(t.pid)
    assert nodes[t.root["id"]]["passed_on_fen"] == 0, "nothing of a refused batch is written"


async def test_a_wrong_record_does_not_hide_the_overspends_beside_it(make: Maker):
    """A batch refused for a bad date still records the overspend next to it (one refusal, one red warning);
    what a refused record would have funded is not held against the records that draw on it."""
    t = await make.tree(budget_fen=100_000)
    body = records(t, payments=0)  # 100k to the department, quota and cash
    body += [
        {"kind": "expend", "from_node_id": t.dept["id"], "amount_fen": 150_000, "occurred_on": "2025-03-03",
         "payee": org()},  # a real overspend: the department holds 100k
        {"kind": "allocate", "from_node_id": t.dept["id"], "to_node_id": t.county["id"], "amount_fen": 10_000,
         "occurred_on": "0001-01-01"},  # a typo'd date: refused, so the county gets no quota
        {"kind": "disburse", "from_node_id": t.dept["id"], "to_node_id": t.county["id"], "amount_fen": 10_000,
         "occurred_on": "2025-03-03"},  # would overspend the county's allocation only because of the typo
        {"kind": "expend", "from_node_id": t.county["id"], "amount_fen": 5_000, "occurred_on": "2025-03-04",
         "payee": org()},
    ]  # fmt: skip
    r = await post_batch(make, body, "gap-1")
    assert r.status_code == 422
    problem = r.json()
    assert [(e["index"], e["type"].rsplit("/", 1)[1]) for e in problem["errors"]] == [
        (2, "overspend"),
        (3, "date-out-of-range"),
    ]
    assert problem["unchecked"] == [4, 5], "drawing on what the refused record would have brought"
    refusals = (await make.client.get("/v1/funds/refusals", headers=make.headers)).json()["items"]
    assert [(x["from_node_id"], x["amount_fen"], x["batch_key"]) for x in refusals] == [
        (t.dept["id"], 150_000, "gap-1")
    ]
    (w,) = await make.warnings(rule_id="FUNDS-OVERSPEND")
    assert w["level"] == "red" and w["subject_id"] == t.dept["id"], "no false red on the county"
    assert (await make.nodes(t.pid))[t.dept["id"]]["received_fen"] == 0, "nothing of the batch is written"
    again = await post_batch(make, body, "gap-1")
    assert again.status_code == 422
    assert len((await make.client.get("/v1/funds/refusals", headers=make.headers)).json()["items"]) == 1


async def test_after_a_record_funding_an_unknown_node_later_records_are_not_checked(make: Maker):
    t = await make.tree(budget_fen=100_000)
    body = records(t, payments=0)
    body += [
        {"kind": "expend", "from_node_id": t.dept["id"], "amount_fen": 120_000, "occurred_on": "2025-03-03",
         "payee": org()},  # before the typo: a real overspend
        {"kind": "allocate", "from_node_id": t.dept["id"], "to_node_id": "00000000-0000-0000-0000-000000000001",
         "amount_fen": 10_000, "occurred_on": "2025-03-03"},  # which node was meant cannot be told
        {"kind": "expend", "from_node_id": t.county["id"], "amount_fen": 5_000, "occurred_on": "2025-03-04",
         "payee": org()},
        {"kind": "allocate", "amount_fen": 1},  # unreadable: the schema refuses it
    ]  # fmt: skip
    r = await post_batch(make, body, "gap-2")
    assert r.status_code == 422
    assert {e["index"] for e in r.json()["errors"]} == {2, 3, 5}
    assert r.json()["unchecked"] == [4]
    (w,) = await make.warnings(rule_id="FUNDS-OVERSPEND")
    assert w["subject_id"] == t.dept["id"] and w["evidence"]["requested_fen"] == 120_000


async def test_an_overspend_inside_a_batch_refuses_it_and_is_recorded(make: Maker):
    t = await make.tree(budget_fen=100_000)
    body = records(t, payments=1)
    body.append({"kind": "expend", "from_node_id": t.dept["id"], "amount_fen": 99_500, "occurred_on": "2025-03-03",
                 "payee": org()})  # fmt: skip
    r = await post_batch(make, body, "over-1")
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["index"] == 3 and error["type"].endswith("/overspend") and error["available_fen"] == 99_000
    assert (await make.nodes(t.pid))[t.dept["id"]]["received_fen"] == 0
    refusals = (await make.client.get("/v1/funds/refusals", headers=make.headers)).json()["items"]
    assert [(r["batch_key"], r["available_fen"], r["reason"]) for r in refusals] == [
        ("over-1", 99_000, "overspend:quota")
    ]
    (warning,) = await make.warnings(rule_id="FUNDS-OVERSPEND")
    assert warning["subject_id"] == t.dept["id"] and warning["evidence"]["requested_fen"] == 99_500


async def test_a_refused_batch_leaves_one_refusal_and_one_warning_per_node_and_retries_add_none(make: Maker):
    """50 payments that together overspend one node: one refusal, one warning occurrence; the same batch
    sent again (nothing was written, the client retries) records nothing more."""
    t = await make.tree(budget_fen=100_000)
    body = records(t, payments=0)
    body += [{"kind": "expend", "from_node_id": t.dept["id"], "amount_fen": 5_000, "occurred_on": "2025-03-03",
              "payee": org()} for _ in range(50)]  # fmt: skip
    for _ in range(3):
        r = await post_batch(make, body, "many-over")
        assert r.status_code == 422
    refusals = (await make.client.get("/v1/funds/refusals", headers=make.headers)).json()["items"]
    assert len(refusals) == 1, refusals
    (refused,) = refusals
    assert refused["batch_key"] == "many-over" and refused["from_node_id"] == t.dept["id"]
    overspent = [e for e in r.json()["errors"] if e["type"].endswith("/overspend")]
    assert refused["amount_fen"] == 5_000 * len(overspent), "the refused records' amounts, summed"
    (warning,) = await make.warnings(rule_id="FUNDS-OVERSPEND")
    assert warning["occurrences"] == 1, warning


async def test_formats_and_sizes_are_checked(harness, make: Maker, admin):
    t = await make.tree()
    unsupported = await post_batch(make, b"a,b", "f-1", {"content-type": "text/csv"})
    assert unsupported.status_code == 415 and unsupported.json()["type"].endswith("/unsupported-batch-format")
    not_json = await post_batch(make, b"{", "f-2")
    assert not_json.status_code == 422 and not_json.json()["type"].endswith("/batch-invalid")
    not_array = await post_batch(make, b"{}", "f-3")
    assert not_array.status_code == 422
    empty = await post_batch(make, b"[]", "f-4")
    assert empty.status_code == 422
    bad_line = await post_batch(make, b'{"kind": "allocate"}\nnope\n', "f-5", NDJSON)
    assert bad_line.status_code == 422
    assert any(e["index"] == 1 and "line 2" in e["message"] for e in bad_line.json()["errors"])
    missing_key = await make.client.post("/v1/funds/movements/batch", headers=make.headers, json=records(t))
    assert missing_key.status_code == 422


@pytest.mark.parametrize("limit", ["records", "bytes"])
async def test_a_batch_over_the_cap_is_refused_with_413(harness, admin, limit):
    small = {"batch_max_records": 3} if limit == "records" else {"batch_max_bytes": 2048}
    settings = await harness.settings(FundsSettings, MIGRATIONS, **small)
    async with harness.client(create_app(settings)) as client:
        make = Maker(client, admin)
        t = await make.tree()
        body = records(t, payments=10)
        r = await post_batch(make, body, "big-1")
        assert r.status_code == 413, r.text
        assert r.json()["type"].endswith("/batch-too-large")
        assert r.json().get("max_records") == 3 or r.json().get("max_bytes") == 2048


async def test_batch_keys_belong_to_the_principal_not_to_a_shared_client_id(make: Maker, keys):
    """Two people signed in through the same frontend (one client_id) may use the same batch key:
    the second batch is written, not answered with the first person's result."""
    t = await make.tree()
    body = records(t, payments=1)
    people = [
        keys.auth(scopes="funds:read funds:write", regions=["130000"], sub=f"user:{name}", client_id="sunlight-web")
        for name in ("officer.zhao", "officer.qian")
    ]
    first = await post_batch(make, body, "daily-1", headers=people[0])
    assert first.status_code == 201, first.text
    second = await post_batch(make, body, "daily-1", headers=people[1])
    assert second.status_code == 201, second.text
    assert "idempotent-replayed" not in second.headers
    assert set(second.json()["movement_ids"]).isdisjoint(first.json()["movement_ids"])


async def test_the_idempotency_key_header_is_the_batch_key(make: Maker):
    """A client whose retry layer sets ``Idempotency-Key`` on every creating POST (as the contract says) gets the
    batch's own replay: the same answer again and nothing written twice; a batch with no key at all is 422."""
    t = await make.tree()
    body = json.dumps(records(t)).encode()
    headers = {**make.headers, "content-type": "application/json", "Idempotency-Key": "retry-7f3a"}
    first = await make.client.post("/v1/funds/movements/batch", content=body, headers=headers)
    assert first.status_code == 201, first.text
    again = await make.client.post("/v1/funds/movements/batch", content=body, headers=headers)
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert (await make.nodes(t.pid))[t.dept["id"]]["spent_fen"] == 3_003, "the retry wrote nothing"
    same = await make.client.post(
        "/v1/funds/movements/batch", params={"batch_key": "retry-7f3a"}, content=body, headers=headers
    )
    assert same.status_code == 200, "the query and the header name one key"
    differs = await make.client.post(
        "/v1/funds/movements/batch", params={"batch_key": "other"}, content=body, headers=headers
    )
    assert differs.status_code == 422 and differs.json()["field"] == "/Idempotency-Key"
    keyless = await make.client.post(
        "/v1/funds/movements/batch", content=body, headers={**make.headers, "content-type": "application/json"}
    )
    assert keyless.status_code == 422 and keyless.json()["field"] == "/batch_key"
