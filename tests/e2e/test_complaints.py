"""Complaints through the gateway, as real processes: the public files without a token and follows up with
the receipt; a handler answers and reads the reporter's file; a report naming a payment makes funds raise a
warning on it, and integrity concluding that warning reaches the reporter as a message (linkage both ways)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from .conftest import Stack
from .test_funds_platform import bearer, created, until

pytestmark = pytest.mark.e2e
RECEIPT_PDF = b"%PDF-1.4\n(receipt of a service station that does not exist)\n%%EOF\n"


async def test_a_receipt_follows_a_report_and_a_reported_payment_is_warned_in_funds(stack: Stack):
    admin = await stack.token()
    bureau = await stack.new_client(admin, "qhd-complaints-funds", ["funds:read", "funds:write"], ["130300"])
    office = await stack.new_client(admin, "qhd-complaints-office", ["complaints:read", "complaints:write"], ["130300"])
    inspector = await stack.new_client(
        admin, "qhd-complaints-inspector", ["integrity:read", "integrity:write"], ["130300"]
    )
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
            "notify_outcome": True,
            "attachments": [{"filename": "收据.pdf", "content": base64.b64encode(RECEIPT_PDF).decode()}],
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
    assert warning["subject"]["kind"] == "movement" and "不存在" not in str(warning)

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

    # the office reads the reporter's file through the gateway, never cached
    files = await stack.client.get(f"/v1/complaints/reports/{report['id']}/attachments", headers=bearer(office))
    (file,) = files.json()["items"]
    assert (file["filename"], file["content_type"]) == ("收据.pdf", "application/pdf")
    got = await stack.client.get(
        f"/v1/complaints/reports/{report['id']}/attachments/{file['id']}/content", headers=bearer(office)
    )
    assert got.content == RECEIPT_PDF and got.headers["cache-control"] == "no-store"

    # integrity concludes the warning the report raised; the reporter, who asked, reads the outcome
    async def registered() -> dict[str, Any] | None:
        listed = await stack.client.get(
            "/v1/integrity/warnings", headers=bearer(inspector), params={"rule_id": "FUNDS-COMPLAINT"}
        )
        return next((w for w in listed.json()["items"] if w["subject_id"] == payment["id"]), None)

    registered_warning = await until(registered, "the complaint's warning reaching the register")
    opened = await stack.client.post(
        f"/v1/integrity/warnings/{registered_warning['id']}/dispositions",
        headers=bearer(inspector),
        json={"kind": "inquiry", "assignee": "qhd-inspection-office-1", "instructions": "核查该笔农机补贴"},
    )
    assert opened.status_code == 201, opened.text
    at = f"/v1/integrity/dispositions/{opened.json()['id']}"
    answered = await stack.client.post(f"{at}/response", headers=bearer(inspector), json={"response": "已核查"})
    assert answered.status_code == 200, answered.text
    concluded = await stack.client.post(
        f"{at}/conclusion", headers=bearer(inspector), json={"outcome": "corrected", "conclusion": "追回补贴并整改"}
    )
    assert concluded.status_code == 200, concluded.text

    async def told() -> list[str] | None:
        seen = await stack.client.post("/v1/complaints/public/follow-up", json={"receipt": receipt})
        found = [m["text"] for m in seen.json()["messages"] if m["kind"] == "outcome"]
        return found or None

    (outcome,) = await until(told, "the outcome reaching the reporter")
    assert "已整改" in outcome and "追回" not in outcome and "qhd-inspection" not in outcome
