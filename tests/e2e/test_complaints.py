"""Complaints through the gateway, as real processes: the public files without a token and follows up with
the receipt; a handler answers and reads the reporter's file; a report naming a payment makes funds raise a
warning on it, and integrity concluding that warning reaches the reporter as a message (linkage both ways)."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from stdnum.cn import uscc as stdnum_uscc

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


def _uscc(n: int) -> str:
    base = f"91130300{n:09d}"
    return base + stdnum_uscc.calc_check_digit(base + "0")


async def test_a_tender_warning_reaches_the_register_and_a_complaint_escalates_it(stack: Stack):
    """Tenders → integrity: linked bidders (red) and a single bid at the opening (Cardinal R018, orange) reach the
    register; a public complaint naming the single-bid tender raises its warning one level (orange → red)."""
    admin = await stack.token()
    centre = await stack.new_client(admin, "qhd-trading-centre", ["tenders:read", "tenders:write"], ["130300"])
    inspector = await stack.new_client(admin, "qhd-tender-inspector", ["integrity:read"], ["130300"])
    a, b = [
        await created(
            stack, centre, "/v1/tenders/enterprises", {"uscc": _uscc(700 + i), "name": name, "region_code": "130300"}
        )
        for i, name in enumerate(("甲建设", "乙建设"))
    ]
    project = await created(stack, centre, "/v1/tenders/projects", {
        "code": "PRJ-E2E-TENDERS", "name": "海港区第三小学操场", "owner_uscc": _uscc(799), "owner_name": "教育局",
        "estimate_fen": 100_000_000, "location": "海港区", "funding_source": "fiscal",
        "region_code": "130302"})  # fmt: skip
    now = datetime.now(UTC)

    async def tender(code: str, deadline: datetime) -> dict[str, Any]:
        return await created(stack, centre, "/v1/tenders/tenders", {
            "code": code, "project_id": project["id"], "title": "操场改造", "category": "construction",
            "procedure": "open", "estimate_fen": 90_000_000, "ceiling_fen": 88_000_000,
            "published_at": (now - timedelta(days=20)).isoformat(), "deadline": deadline.isoformat(),
            "documents": [{"name": "招标文件.pdf", "sha256": "b" * 64}]})  # fmt: skip

    async def bid(t: dict[str, Any], e: dict[str, Any], price: int) -> None:
        path = f"/v1/tenders/tenders/{t['id']}"
        await created(stack, centre, f"{path}/registrations", {"uscc": e["uscc"]})
        await created(
            stack, centre, f"{path}/bids", {"uscc": e["uscc"], "price_fen": price, "submitter_ip": "10.3.3.3"}
        )

    linked = await tender("T-E2E-LINKED", now + timedelta(days=10))
    await bid(linked, a, 80_000_000)
    await bid(linked, b, 81_000_000)
    single = await tender("T-E2E-SINGLE", now + timedelta(seconds=3))
    await bid(single, a, 85_000_000)

    async def warnings(rule: str) -> list[dict[str, Any]]:
        r = await stack.client.get("/v1/integrity/warnings", headers=bearer(inspector),
                                   params={"rule_id": rule, "service": "tenders"})  # fmt: skip
        assert r.status_code == 200, r.text
        return list(r.json()["items"])

    [red] = await until(lambda: warnings("TENDERS-LINKED-BIDDERS"), "linked bidders reaching the register")
    assert red["subject_id"] == linked["id"] and red["level"] == "red" and "10.3.3.3" not in str(red)

    await asyncio.sleep(max(0.0, (now + timedelta(seconds=3.5) - datetime.now(UTC)).total_seconds()))
    opened = await stack.client.post(f"/v1/tenders/tenders/{single['id']}/opening", headers=bearer(centre), json={})
    assert opened.status_code == 200, opened.text
    [orange] = await until(lambda: warnings("TENDERS-CARDINAL-R018"), "the single bid reaching the register")
    assert orange["subject_id"] == single["id"] and orange["level"] == "orange"

    filed = await stack.client.post("/v1/complaints/public/reports", json={
        "category": "tender_rigging", "region_code": "130302", "anonymous": True,
        "subject": {"kind": "tender", "ref_kind": "tender", "ref_id": single["id"]},
        "text": "这个项目只有一家投标，疑似事先内定"})  # fmt: skip
    assert filed.status_code == 201, filed.text

    async def escalated() -> list[dict[str, Any]]:
        return [w for w in await warnings("TENDERS-CARDINAL-R018") if w["level"] == "red"]

    [after] = await until(escalated, "the complaint escalating the tender's warning")
    assert after["id"] == orange["id"], "the same register entry, one level up"
    [untouched] = await warnings("TENDERS-LINKED-BIDDERS")
    assert untouched["id"] == red["id"]
