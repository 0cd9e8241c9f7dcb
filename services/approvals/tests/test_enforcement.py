"""Enforcement: penalty decisions checked against their discretion bands at decision time (recorded and flagged,
never refused), the late-decision indicator, and the escalation ladder after integrity's dispositions
(提醒 → 问询 → 直接核查) learned from warnings.disposed.v1 over the real bus."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx
import pytest
from sunlight.events import new_event
from sunlight.events.bus import bus_from_settings
from sunlight.events.contracts.common import SubjectRef
from sunlight.events.contracts.warnings import WarningDisposed
from sunlight.settings import CommonSettings

from .conftest import CITY, DISTRICT, Maker, at

POWERS = "/v1/approvals/enforcement-powers"
PENALTIES = "/v1/approvals/penalties"


async def power(make: Maker, **over: Any) -> dict[str, Any]:
    body = {
        "code": f"ZJ-{uuid.uuid4().hex[:6]}", "name": "未取得施工许可证擅自施工", "region_code": CITY,
        "legal_basis": "《建筑工程施工许可管理办法》第十二条",
        "bands": [
            {"code": "light", "circumstance": "主动停工整改", "kinds": ["warning", "fine"],
             "min_fen": 1_000_000, "max_fen": 2_000_000},
            {"code": "heavy", "circumstance": "拒不停工", "kinds": ["fine", "suspension"],
             "min_fen": 2_000_000, "max_fen": 3_000_000},
        ],
        **over,
    }  # fmt: skip
    return dict(await make.post(POWERS, body))


async def penalty(make: Maker, p: dict[str, Any], expect: int = 201, **over: Any) -> dict[str, Any]:
    body = {"decision_no": f"秦建罚〔2025〕{uuid.uuid4().hex[:6]}号", "region_code": DISTRICT, "power_code": p["code"],
            "band_code": "light", "kinds": ["fine"], "fine_fen": 1_500_000, "decided_at": at("2025-10-20"),
            "officer_code": "ZF-007", **over}  # fmt: skip
    return dict(await make.post(PENALTIES, body, expect))


async def test_a_penalty_within_its_band_raises_nothing(make: Maker) -> None:
    p = await power(make)
    d = await penalty(make, p, fine_fen=2_000_000, kinds=["warning", "fine"])  # the band's maximum is inside
    assert (d["within_band"], d["departures"], d["level"], d["warnings_raised"]) == (True, [], None, 0)
    assert d["band"]["circumstance"] == "主动停工整改" and d["power_code"] == p["code"]
    assert all(w["subject_id"] != d["id"] for w in await make.warnings())


async def test_a_penalty_outside_its_band_is_recorded_and_flagged_red_or_orange(make: Maker) -> None:
    p = await power(make)
    heavy = await penalty(make, p, fine_fen=2_000_001)  # one fen above the light band's maximum, no reason
    assert heavy["within_band"] is False and heavy["departures"] == ["fine-above-max"]
    assert heavy["level"] == "red" and heavy["warnings_raised"] == 1
    reasoned = await penalty(make, p, fine_fen=900_000, reason="当事人系初次违法且危害后果轻微,依法减轻处罚")
    assert reasoned["departures"] == ["fine-below-min"] and reasoned["level"] == "orange"
    wrong_kind = await penalty(make, p, kinds=["revocation"], fine_fen=None)
    assert wrong_kind["departures"] == ["kind-not-allowed:revocation"]

    found = {w["subject_id"]: w for w in await make.warnings(rule_id="APPROVALS-PENALTY-OUTSIDE-BAND")}
    w = found[heavy["id"]]
    assert w["level"] == "red" and w["subject_kind"] == "penalty"
    assert w["dedupe_key"].startswith(f"{DISTRICT}:APPROVALS-PENALTY-OUTSIDE-BAND:penalty:")
    ev = w["evidence"]
    assert (ev["fine_fen"], ev["min_fen"], ev["max_fen"], ev["band_code"]) == (2_000_001, 1_000_000, 2_000_000, "light")
    assert ev["departures"] == ["fine-above-max"] and ev["reason_given"] is False and ev["decided_on"] == "2025-10-20"
    assert found[reasoned["id"]]["level"] == "orange" and found[wrong_kind["id"]]["level"] == "red"

    listed = await make.client.get(PENALTIES, headers=make.headers, params={"within_band": "false", "limit": 500})
    ids = {d["id"] for d in listed.json()["items"]}
    assert {heavy["id"], reasoned["id"], wrong_kind["id"]} <= ids
    inside = await penalty(make, p)
    listed = await make.client.get(PENALTIES, headers=make.headers, params={"within_band": "false", "limit": 500})
    assert inside["id"] not in {d["id"] for d in listed.json()["items"]}


async def test_what_cannot_be_checked_is_refused(make: Maker, outsider: dict[str, str]) -> None:
    p = await power(make)
    unknown_band = await penalty(make, p, 422, band_code="medium")
    assert unknown_band["type"].endswith("/unknown-band") and unknown_band["field"] == "/band_code"
    unknown_power = await penalty(make, p, 422, power_code="NO-SUCH")
    assert unknown_power["type"].endswith("/unknown-power")
    fine_without_amount = await penalty(make, p, 422, fine_fen=None)
    assert fine_without_amount["status"] == 422
    elsewhere = await make.post(PENALTIES, {"decision_no": "X-1", "region_code": DISTRICT, "power_code": p["code"],
                                            "band_code": "light", "kinds": ["warning"], "decided_at": at("2025-10-20")},
                                403, headers=outsider)  # fmt: skip
    assert elsewhere["type"].endswith("/forbidden-region")
    r = await make.client.get(f"{POWERS}/{p['id']}", headers=outsider)
    assert r.status_code == 404
    bad_band = dict(p, code="ZJ-bad", bands=[{"code": "x", "circumstance": "c", "kinds": ["fine"],
                                              "min_fen": 5, "max_fen": 1}])  # fmt: skip
    assert (await make.post(POWERS, bad_band, 422))["status"] == 422


async def test_a_penalty_decided_more_than_90_days_after_filing_is_flagged(make: Maker) -> None:
    p = await power(make)
    in_time = await penalty(make, p, filed_on="2025-07-22")  # 90 days before 20 October
    late = await penalty(make, p, filed_on="2025-07-21")  # 91 days
    found = {w["subject_id"]: w for w in await make.warnings(rule_id="APPROVALS-PENALTY-DECIDED-LATE")}
    assert in_time["id"] not in found
    assert found[late["id"]]["evidence"]["days"] == 91 and found[late["id"]]["level"] == "orange"


# --- escalation after integrity's dispositions --------------------------------------------------------------


@contextlib.asynccontextmanager
async def publisher(backend: Any) -> AsyncIterator[Callable[[Any], Awaitable[None]]]:
    bus = bus_from_settings(CommonSettings(**backend.bus_settings()), client_name="test-integrity")
    await bus.connect()

    async def publish(payload: Any) -> None:
        event = new_event(payload, source="/sunlight/integrity")
        await bus.publish(event.type, event.to_json().encode(), msg_id=event.id)

    try:
        yield publish
    finally:
        await bus.close()


@pytest.fixture
async def publish(backend: Any) -> AsyncIterator[Callable[[Any], Awaitable[None]]]:
    async with publisher(backend) as send:
        yield send


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s")
        await asyncio.sleep(0.05)


def disposed(w: dict[str, Any], disposition: str, on: str, status: str = "in_progress") -> WarningDisposed:
    return WarningDisposed(
        warning_id=f"iw-{w['id'][:8]}", rule_id=w["rule_id"], dedupe_key=w["dedupe_key"],
        subject=SubjectRef(service="approvals", kind=w["subject_kind"], id=w["subject_id"], label="decision"),
        region_code=w["region_code"], disposition=disposition, status=status, outcome=None,
        disposed_at=datetime.fromisoformat(at(on)),
    )  # fmt: skip


async def sweep(client: httpx.AsyncClient, headers: dict[str, str], day: str) -> dict[str, Any]:
    r = await client.post("/v1/approvals/sweeps", headers=headers, json={"as_of": at(day, "12:00")})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def outside_warning(make: Maker, decision_id: str) -> dict[str, Any]:
    found = await make.warnings(rule_id="APPROVALS-PENALTY-OUTSIDE-BAND")
    return next(w for w in found if w["subject_id"] == decision_id)


async def uncorrected(make: Maker, decision_id: str) -> list[dict[str, Any]]:
    found = await make.warnings(rule_id="APPROVALS-ENFORCEMENT-UNCORRECTED")
    return sorted((w for w in found if w["subject_id"] == decision_id), key=lambda w: w["first_seen_at"])


async def test_an_uncorrected_penalty_escalates_rung_by_rung_after_each_disposition(
    make: Maker, approvals: httpx.AsyncClient, national: dict[str, str], publish: Any
) -> None:
    p = await power(make)
    d = await penalty(make, p, fine_fen=5_000_000)
    w = await outside_warning(make, d["id"])
    await publish(disposed(w, "reminder_talk", "2025-09-26"))

    async def learned() -> dict[str, Any] | None:
        seen = await outside_warning(make, d["id"])
        return seen if seen["disposition"] == "reminder_talk" else None

    seen = await eventually(learned)
    # 5 working days after Friday 26 Sep 2025: 28 (make-up Sunday), 29, 30 Sep, 9, 10 Oct — National Day skipped
    assert seen["correct_by"] == "2025-10-10" and seen["status"] == "in_disposition"
    await sweep(approvals, national, "2025-10-10")
    assert await uncorrected(make, d["id"]) == []
    await sweep(approvals, national, "2025-10-11")
    (first,) = await uncorrected(make, d["id"])
    assert first["level"] == "orange"
    assert first["evidence"]["disposition"] == "reminder_talk" and first["evidence"]["next_disposition"] == "inquiry"
    assert first["evidence"]["warning_key"] == w["dedupe_key"] and first["evidence"]["correct_by"] == "2025-10-10"
    await sweep(approvals, national, "2025-10-13")  # nothing new: the same finding is not sent again
    assert (await uncorrected(make, d["id"]))[0]["occurrences"] == 1

    await publish(disposed(w, "inquiry", "2025-10-14"))

    async def inquired() -> dict[str, Any] | None:
        seen = await outside_warning(make, d["id"])
        return seen if seen["disposition"] == "inquiry" else None

    await eventually(inquired)
    await sweep(approvals, national, "2025-11-03")
    rungs = await uncorrected(make, d["id"])
    assert [(r["evidence"]["disposition"], r["level"]) for r in rungs] == [
        ("reminder_talk", "orange"),
        ("inquiry", "red"),
    ]
    assert rungs[1]["evidence"]["next_disposition"] == "direct_review"


async def test_a_correction_within_the_band_or_a_concluded_warning_stops_the_escalation(
    make: Maker, approvals: httpx.AsyncClient, national: dict[str, str], publish: Any
) -> None:
    p = await power(make)
    fixed = await penalty(make, p, fine_fen=5_000_000)
    closed = await penalty(make, p, fine_fen=5_000_000)
    for d in (fixed, closed):
        await publish(disposed(await outside_warning(make, d["id"]), "reminder_talk", "2025-09-26"))
    await publish(disposed(await outside_warning(make, closed["id"]), "reminder_talk", "2025-09-29", "concluded"))

    async def learned() -> bool:
        a, b = await outside_warning(make, fixed["id"]), await outside_warning(make, closed["id"])
        return a["disposition"] == "reminder_talk" and b["status"] == "closed"

    await eventually(learned)
    correction = await penalty(make, p, fine_fen=2_000_000, corrects=fixed["id"], decided_at=at("2025-10-09"))
    assert correction["corrects"] == fixed["id"] and correction["within_band"] is True
    again = await penalty(make, p, 422, corrects=fixed["id"])
    assert again["type"].endswith("/correction-mismatch")
    result = await sweep(approvals, national, "2025-10-20")
    assert await uncorrected(make, fixed["id"]) == [] and await uncorrected(make, closed["id"]) == []
    assert "APPROVALS-ENFORCEMENT-UNCORRECTED" not in result["findings"]


async def test_a_disposition_of_another_kind_of_warning_is_recorded_without_a_correction_day(
    make: Maker, publish: Any
) -> None:
    item = await make.item()
    c = await make.case(item, [("submit", "2025-09-22", {}), ("refuse", "2025-09-23", {})])
    (w,) = [w for w in await make.warnings(c) if w["rule_id"] == "APPROVALS-REFUSAL-WITHOUT-REASON"]
    elsewhere = disposed(w, "inquiry", "2025-09-29").model_copy(
        update={"subject": SubjectRef(service="funds", kind="node", id=w["subject_id"], label="x")}
    )
    await publish(elsewhere)  # another service's warning with the same key: not approvals' to record
    await publish(disposed(w, "reminder_talk", "2025-09-26"))

    async def learned() -> dict[str, Any] | None:
        (seen,) = [x for x in await make.warnings(c) if x["rule_id"] == "APPROVALS-REFUSAL-WITHOUT-REASON"]
        return seen if seen["disposition"] else None

    seen = await eventually(learned)
    assert (seen["disposition"], seen["status"], seen["correct_by"]) == ("reminder_talk", "in_disposition", None)
