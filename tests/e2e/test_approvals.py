"""Approvals end to end, through the gateway: a penalty outside its discretion band reaches the integrity register,
an inspector's reminder there comes back to approvals with its correction day; a real XES log uploaded through
the gateway is imported in the background; performance is ranked per window. Real processes, tokens and bus."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sunlight.testing.data import require_data

from .conftest import Stack

pytestmark = pytest.mark.e2e
T = TypeVar("T")
MAPPING = Path(__file__).resolve().parents[2] / "services" / "approvals" / "mappings" / "receipt.toml"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def until(probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = 60.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        await asyncio.sleep(0.2)


async def test_a_penalty_outside_its_band_is_disposed_in_integrity_and_approvals_learns_it(stack: Stack) -> None:
    admin = await stack.token()
    bureau = await stack.new_client(admin, "qhd-zj-bureau", ["approvals:read", "approvals:write"], ["130300"])
    inspector = await stack.new_client(admin, "qhd-zj-inspector", ["integrity:read", "integrity:write"], ["130300"])
    beijing = await stack.new_client(admin, "bj-zj-bureau", ["approvals:read", "approvals:write"], ["110000"])
    power = await stack.client.post("/v1/approvals/enforcement-powers", headers=bearer(bureau), json={
        "code": "ZJ-E2E", "name": "未取得施工许可证擅自施工", "region_code": "130300",
        "legal_basis": "《建筑工程施工许可管理办法》第十二条",
        "bands": [{"code": "light", "circumstance": "主动停工整改", "kinds": ["fine"],
                   "min_fen": 1_000_000, "max_fen": 2_000_000}]})  # fmt: skip
    assert power.status_code == 201, power.text
    decision = {"decision_no": "秦建罚〔2025〕E2E号", "region_code": "130302", "power_code": "ZJ-E2E",
                "band_code": "light", "kinds": ["fine"], "fine_fen": 5_000_000,
                "decided_at": "2025-10-20T10:00:00+08:00", "officer_code": "ZF-E2E"}  # fmt: skip
    elsewhere = await stack.client.post("/v1/approvals/penalties", headers=bearer(beijing), json=decision)
    assert elsewhere.status_code == 403, elsewhere.text
    recorded = await stack.client.post("/v1/approvals/penalties", headers=bearer(bureau), json=decision)
    assert recorded.status_code == 201, recorded.text
    penalty = recorded.json()
    assert (penalty["within_band"], penalty["level"], penalty["departures"]) == (False, "red", ["fine-above-max"])

    async def registered() -> dict[str, Any] | None:
        listed = await stack.client.get("/v1/integrity/warnings", headers=bearer(inspector),
                                        params={"rule_id": "APPROVALS-PENALTY-OUTSIDE-BAND"})  # fmt: skip
        assert listed.status_code == 200, listed.text
        return next((w for w in listed.json()["items"] if w["subject_id"] == penalty["id"]), None)

    warning = await until(registered, "the penalty reaching the register")
    assert warning["level"] == "red" and warning["evidence"]["max_fen"] == 2_000_000

    body = {"kind": "reminder_talk", "assignee": "qhd-inspection-office", "instructions": "提醒按裁量基准重新作出决定"}
    path = f"/v1/integrity/warnings/{warning['id']}/dispositions"
    headers = {**bearer(inspector), "Idempotency-Key": "zj-e2e-1"}
    opened = await stack.client.post(path, headers=headers, json=body)
    assert opened.status_code == 201, opened.text

    async def learned() -> dict[str, Any] | None:
        listed = await stack.client.get("/v1/approvals/warnings", headers=bearer(bureau),
                                        params={"rule_id": "APPROVALS-PENALTY-OUTSIDE-BAND"})  # fmt: skip
        mine = [w for w in listed.json()["items"] if w["subject_id"] == penalty["id"]]
        return mine[0] if mine and mine[0]["disposition"] == "reminder_talk" else None

    seen = await until(learned, "approvals learning the reminder")
    assert seen["correct_by"] is not None and seen["status"] == "in_disposition"


async def test_an_xes_log_uploaded_through_the_gateway_is_imported(stack: Stack) -> None:
    admin = await stack.token()
    bureau = await stack.new_client(admin, "qhd-wabo-bureau", ["approvals:read", "approvals:write"], ["130300"])
    item = await stack.client.post("/v1/approvals/items", headers=bearer(bureau), json={
        "code": "receipt", "name": "receipt", "region_code": "130300", "legal_days": 40,
        "required_steps": ["accept", "review", "decide", "conclude"], "four_eyes": [["review", "decide"]]})  # fmt: skip
    assert item.status_code == 201, item.text
    log = require_data("xes", "receipt.xes")
    files = {"mapping": (None, MAPPING.read_text(encoding="utf-8")), "log": ("receipt.xes", log.read_bytes())}
    sent = await stack.client.post("/v1/approvals/imports", headers=bearer(bureau),
                                   params={"region_code": "130302"}, files=files, timeout=120)  # fmt: skip
    assert sent.status_code == 202, sent.text

    async def finished() -> dict[str, Any] | None:
        job = (await stack.client.get(f"/v1/approvals/imports/{sent.json()['id']}", headers=bearer(bureau))).json()
        return job if job["status"] in ("done", "failed") else None

    job = await until(finished, "the import finishing", timeout=300)
    assert (job["status"], job["traces"], job["events_read"], job["cases"]) == ("done", 1434, 8577, 1434), job
    assert job["findings"]["APPROVALS-SELF-APPROVAL"] > 0

    ranked = await stack.client.get("/v1/approvals/performance", headers=bearer(bureau),
                                    params={"level": "officer", "period": "2011"})  # fmt: skip
    assert ranked.status_code == 200, ranked.text
    rows = ranked.json()["items"]
    assert rows and rows[0]["rank"] == 1 and all(r["region_code"] == "130302" for r in rows)
