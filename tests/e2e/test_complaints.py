"""Complaints through the gateway, as real processes: the public files without a token and follows up with
the receipt; a handler answers; a report naming a payment makes funds raise a warning on it (linkage)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Stack
from .test_funds_platform import bearer, created, until

pytestmark = pytest.mark.e2e


async def test_a_receipt_follows_a_report_and_a_reported_payment_is_warned_in_funds(stack: Stack):
    admin = await stack.token()
    bureau = await stack.new_client(admin, "qhd-complaints-funds", ["funds:read", "funds:write"], ["130300"])
    office = await stack.new_client(admin, "qhd-complaints-office", ["complaints:read", "complaints:write"], ["130300"])
    p = await created(
        stack,
        bureau,
        "/v1/funds/programmes",
        {
            "code": "2026-QHD-COMPLAINT-E2E",
            "name": "耕地地力保护补贴",
            "category": "agriculture",
            "fiscal_year": 2026,
            "budget_fen": 1_000_000,
            "region_code": "130300",
        },
    )
    nodes = f"/v1/funds/programmes/{p['id']}/nodes"
    root = await created(
        stack, bureau, nodes, {"tier": "finance_bureau", "name": "秦皇岛市财政局", "region_code": "130300"}
    )
    county = await created(
        stack, bureau, nodes, {"parent_id": root["id"], "tier": "county", "name": "海港区", "region_code": "130302"}
    )
    for kind in ("allocate", "disburse"):
        await created(
            stack,
            bureau,
            "/v1/funds/movements",
            {
                "kind": kind,
                "from_node_id": root["id"],
                "to_node_id": county["id"],
                "amount_fen": 500_000,
                "occurred_on": "2026-03-01",
            },
        )
    payment = await created(
        stack,
        bureau,
        "/v1/funds/movements",
        {
            "kind": "expend",
            "from_node_id": county["id"],
            "amount_fen": 12_000,
            "occurred_on": "2026-03-05",
            "payee": {"kind": "organisation", "name": "海港区农机服务站", "external_id": "SHOP-E2E"},
        },
    )

    # the public: no token, the receipt in the body
    filed = await stack.client.post(
        "/v1/complaints/public/reports",
        json={
            "category": "misuse_of_funds",
            "region_code": "130302",
            "anonymous": True,
            "subject": {"kind": "fund", "ref_kind": "movement", "ref_id": payment["id"]},
            "text": "这笔农机补贴发给了不存在的服务站",
        },
    )
    assert filed.status_code == 201, filed.text
    assert filed.headers["cache-control"] == "no-store" and filed.headers["referrer-policy"] == "no-referrer"
    receipt = filed.json()["receipt"]

    async def funds_warned() -> dict[str, Any] | None:
        r = await stack.client.get(
            "/v1/funds/warnings",
            headers=bearer(bureau),
            params={"rule_id": "FUNDS-COMPLAINT", "subject_id": payment["id"]},
        )
        items = r.json()["items"]
        return items[0] if items else None

    warning = await until(funds_warned, "funds raising FUNDS-COMPLAINT on the reported payment")
    assert warning["subject_kind"] == "movement" and "不存在" not in str(warning)

    # the office answers; the reporter reads the answer with the receipt alone
    (report,) = (await stack.client.get("/v1/complaints/reports", headers=bearer(office))).json()["items"]
    assert report["subject"]["ref_id"] == payment["id"]
    for action, body in (("decision", {"decision": "accept"}), ("replies", {"text": "已受理，正在核查该笔支出"})):
        r = await stack.client.post(
            f"/v1/complaints/reports/{report['id']}/{action}", headers=bearer(office), json=body
        )
        assert r.status_code == 200, r.text
    seen = await stack.client.post("/v1/complaints/public/follow-up", json={"receipt": receipt})
    assert seen.status_code == 200 and seen.json()["status"] == "accepted"
    assert seen.json()["messages"][-1]["text"] == "已受理，正在核查该笔支出"
    wrong = await stack.client.post("/v1/complaints/public/follow-up", json={"receipt": "0000-0000-0000-0000-0000"})
    assert wrong.status_code == 404
