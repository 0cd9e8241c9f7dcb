"""Filing without an account and following up with the receipt (the reporter's side)."""

from __future__ import annotations

import re

import httpx

from .conftest import PUBLIC, UNIT, Filer, report

RECEIPT = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")


async def test_an_anonymous_report_gets_a_receipt_that_opens_it_and_nothing_else(filer: Filer):
    filed = await filer.file()
    assert RECEIPT.match(filed["receipt"]), filed  # 20 Crockford characters: 100 bits
    assert filed["status"] == "received"
    seen = await filer.follow(filed["receipt"])
    assert seen["status"] == "received" and seen["category"] == "misuse_of_funds"
    assert [m["kind"] for m in seen["messages"]] == ["filed"]
    # typed loosely (lower case, spaces, O for 0) it still opens
    loose = filed["receipt"].lower().replace("-", " ").replace("0", "o")
    assert (await filer.follow(loose))["filed_at"] == seen["filed_at"]

    other = await filer.file()
    wrong = filed["receipt"][:-1] + ("0" if filed["receipt"][-1] != "0" else "1")
    for guess in (wrong, "not a receipt", other["receipt"][:10]):
        problem = await filer.follow(guess, expect=404)
        assert problem["type"].endswith("/receipt-not-recognised")
        assert guess not in str(problem)


async def test_public_answers_are_not_cached_and_send_no_referrer(complaints: httpx.AsyncClient):
    for r in (
        await complaints.post(f"{PUBLIC}/reports", json=report()),
        await complaints.post(f"{PUBLIC}/follow-up", json={"receipt": "0000-0000-0000-0000-0000"}),
    ):
        assert r.headers["cache-control"] == "no-store", r.headers
        assert r.headers["referrer-policy"] == "no-referrer"


async def test_the_reporter_and_the_handler_exchange_messages_without_internal_notes(filer: Filer):
    filed = await filer.file()
    receipt = filed["receipt"]
    r = await filer.client.post(f"{PUBLIC}/follow-up/messages", json={"receipt": receipt, "text": "补充：涉及三户"})
    assert r.status_code == 200, r.text
    rid = (await filer.newest())["id"]
    await filer.step(rid, "decision", {"decision": "accept"})
    await filer.step(
        rid,
        "conclusion",
        {
            "outcome": "substantiated",
            "findings": "内部核查记录：经手人周某",
            "reply": "经核查，反映问题属实，已追回补贴",
        },
    )
    seen = await filer.follow(receipt)
    texts = [m["text"] for m in seen["messages"]]
    assert "补充：涉及三户" in texts and "经核查，反映问题属实，已追回补贴" in texts
    assert "内部核查记录：经手人周某" not in str(seen)  # the findings are internal
    assert seen["status"] == "concluded" and seen["outcome"] == "substantiated"

    appealed = await filer.client.post(f"{PUBLIC}/follow-up/appeal", json={"receipt": receipt, "reason": "追回不全"})
    assert appealed.status_code == 200 and appealed.json()["status"] == "appealed"


async def test_a_named_report_needs_the_reporter_and_an_anonymous_one_refuses_it(complaints: httpx.AsyncClient):
    named = report(anonymous=False)
    r = await complaints.post(f"{PUBLIC}/reports", json=named)
    assert r.status_code == 422
    reporter = {"name": "欧阳春花", "phone": "13800138000"}
    r = await complaints.post(f"{PUBLIC}/reports", json=report(anonymous=True, reporter=reporter))
    assert r.status_code == 422
    assert "欧阳春花" not in r.text and "13800138000" not in r.text  # problem details never echo identity
    r = await complaints.post(f"{PUBLIC}/reports", json=report(anonymous=False, reporter=reporter))
    assert r.status_code == 201


async def test_a_subject_is_complete_or_refused(complaints: httpx.AsyncClient):
    for subject in (
        {"kind": "unit"},
        {"kind": "official"},
        {"kind": "fund", "ref_kind": "tender", "ref_id": "x1"},
        {"kind": "unit", "unit_uscc": "91110000600037341X"},  # wrong check character
        {"kind": "none", "ref_kind": "case", "ref_id": "A-1"},
    ):
        r = await complaints.post(f"{PUBLIC}/reports", json=report(subject=subject))
        assert r.status_code == 422, (subject, r.text)
    r = await complaints.post(f"{PUBLIC}/reports", json=report(subject={"kind": "unit", "unit_uscc": UNIT}))
    assert r.status_code == 201
