"""Public disclosure: no token, allocations down to township, payees masked, nothing personal."""

from __future__ import annotations

from .conftest import Maker, org, person, resident_id


async def test_the_public_reads_programmes_allocations_and_masked_payments(make: Maker, funds):
    t = await make.tree(budget_fen=1_000_000)
    await make.down(t, 500_000, to="town")
    beneficiary = await make.node(t.pid, "beneficiary", "某合作社", "130302001", t.town["id"])
    await make.move(kind="allocate", from_node_id=t.town["id"], to_node_id=beneficiary["id"], amount_fen=1_000)
    await make.pay(t.town, 12_345, person(5, name="欧阳修文", account="6222020200445566"), category="subsidy")
    await make.pay(t.town, 50_000, org())

    listed = await funds.get("/v1/funds/public/programmes", params={"region_code": "130300"})
    assert listed.status_code == 200, listed.text
    assert [p["id"] for p in listed.json()["items"]] == [t.pid]
    assert (await funds.get("/v1/funds/public/programmes", params={"region_code": "110000"})).json()["items"] == []

    detail = (await funds.get(f"/v1/funds/public/programmes/{t.pid}")).json()
    assert [a["tier"] for a in detail["allocations"]] == ["finance_bureau", "department", "county", "township"]
    assert detail["allocations"][-1]["received_fen"] == 500_000

    payments = await funds.get(f"/v1/funds/public/programmes/{t.pid}/payments")
    body = payments.text
    items = {p["payee"]["kind"]: p for p in payments.json()["items"]}
    assert items["person"]["payee"] == {"kind": "person", "name": "欧***", "uscc": None}
    assert items["person"]["amount_fen"] == 12_345 and items["person"]["node_name"] == "海港镇"
    assert items["organisation"]["payee"]["uscc"] == "91110000600037341L"
    for secret in ("欧阳修文", resident_id(5), "6222020200445566", "account", "resident"):
        assert secret not in body
    missing = await funds.get("/v1/funds/public/programmes/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
