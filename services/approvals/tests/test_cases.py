"""Cases through the API: batches all or nothing, regions, filters, the timeline, and the events integrity gets."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from sunlight.testing import EventCapture

from .conftest import CITY, DEPT_USCC, DISTRICT, Maker, at


def record(case_no: str, step: str, day: str, **extra: Any) -> dict[str, Any]:
    return {"case_no": case_no, "region_code": DISTRICT, "step": step, "occurred_at": at(day), **extra}


async def test_a_batch_with_one_wrong_record_writes_nothing_and_says_what_is_wrong(
    make: Maker, approvals: httpx.AsyncClient
) -> None:
    item = await make.item()
    records = [
        record("B-1", "submit", "2025-03-03", item_code=item["code"]),
        record("B-2", "submit", "2025-03-03", item_code="NO-SUCH-ITEM"),
        {**record("B-3", "submit", "2025-03-03", item_code=item["code"]), "region_code": "110105"},
        record("B-4", "accept", "2025-03-03"),  # a new case without its item
    ]
    r = await approvals.post("/v1/approvals/steps/batch", params={"batch_key": "b-1"}, headers=make.headers,
                             json=records)  # fmt: skip
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"].endswith("/batch-invalid")
    assert [(e["index"], e["pointer"], e["type"].rsplit("/", 1)[1]) for e in problem["errors"]] == [
        (1, "/1/item_code", "unknown-item"),
        (2, "/2/region_code", "forbidden-region"),
        (3, "/3/item_code", "case-unknown"),
    ]
    listed = await approvals.get("/v1/approvals/cases", headers=make.headers)
    assert listed.json()["items"] == []


async def test_a_batch_as_ndjson_is_written_whole_and_replayed_by_its_key(
    make: Maker, approvals: httpx.AsyncClient
) -> None:
    item = await make.item()
    records = [
        record("N-1", "submit", "2025-03-03", item_code=item["code"]),
        record("N-1", "accept", "2025-03-03", officer_code="A01"),
        record("N-2", "submit", "2025-03-04", item_code=item["code"]),
        record("N-1", "decide", "2025-03-05", officer_code="A01"),  # self-approval and a skipped review
    ]
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
    headers = {**make.headers, "Content-Type": "application/x-ndjson"}
    r = await approvals.post("/v1/approvals/steps/batch", params={"batch_key": "nd-1"}, headers=headers, content=body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["records"], len(out["step_ids"]), len(out["case_ids"])) == (4, 4, 2)
    again = await approvals.post("/v1/approvals/steps/batch", params={"batch_key": "nd-1"}, headers=headers,
                                 content=body)  # fmt: skip
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == out
    other = await approvals.post("/v1/approvals/steps/batch", params={"batch_key": "nd-1"}, headers=headers,
                                 content=body[:-2] + b"}\n")  # fmt: skip
    assert other.status_code in (422,) and other.json()["type"].endswith("/batch-key-reused")
    assert await make.rules_of("N-1") == {"APPROVALS-SELF-APPROVAL", "APPROVALS-STEP-ORDER"}
    assert (await make.get_case("N-1"))["step_count"] == 3


async def test_a_batch_over_its_record_limit_is_refused_before_parsing(
    make: Maker, approvals: httpx.AsyncClient, approvals_settings: Any
) -> None:
    limit = approvals_settings.batch_max_records
    body = b"\n".join(b"{}" for _ in range(limit + 1))
    headers = {**make.headers, "Content-Type": "application/x-ndjson"}
    r = await approvals.post("/v1/approvals/steps/batch", params={"batch_key": "big"}, headers=headers, content=body)
    assert r.status_code == 413 and r.json()["type"].endswith("/batch-too-large")


async def test_another_region_neither_sees_nor_writes_our_cases(
    make: Maker, approvals: httpx.AsyncClient, outsider: dict[str, str]
) -> None:
    item = await make.item()
    c = await make.case(item, [("submit", "2025-03-03", {})])
    case = await make.get_case(c)
    for path in (f"/v1/approvals/cases/{case['id']}", f"/v1/approvals/cases/{case['id']}/timeline",
                 f"/v1/approvals/items/{item['id']}"):  # fmt: skip
        assert (await approvals.get(path, headers=outsider)).status_code == 404
    assert (await approvals.get("/v1/approvals/cases", headers=outsider)).json()["items"] == []
    r = await approvals.post("/v1/approvals/steps", headers=outsider, json=record(c, "accept", "2025-03-04"))
    assert r.status_code == 403 and r.json()["type"].endswith("/forbidden-region")


async def test_lists_filter_by_item_window_officer_status_due_date_and_level(
    make: Maker, approvals: httpx.AsyncClient
) -> None:
    a, b = await make.item(), await make.item(legal_days=5, promised_days=5)
    ca = await make.case(a, [("submit", "2025-03-03", {}), ("accept", "2025-03-03", {"window_code": "W-1"}),
                             ("undertake", "2025-03-04", {"officer_code": "B02"})])  # fmt: skip
    cb = await make.case(b, [("submit", "2025-03-03", {}), ("accept", "2025-03-03", {"window_code": "W-2"}),
                             ("conclude", "2025-03-12", {})])  # fmt: skip

    async def nos(**params: Any) -> set[str]:
        r = await approvals.get("/v1/approvals/cases", headers=make.headers, params=params)
        assert r.status_code == 200, r.text
        return {c["case_no"] for c in r.json()["items"]}

    assert await nos(item_id=a["id"]) == {ca}
    assert await nos(window_code="W-2") == {cb}
    assert await nos(officer_code="B02") == {ca}
    assert await nos(status="concluded") == {cb}
    assert await nos(due_before="2025-03-20") == {cb}  # b: 5 working days → 10 March; a: 20 → 31 March
    assert await nos(level="red") == {cb}  # 7 working days used of 5
    r = await approvals.get("/v1/approvals/cases", headers=make.headers, params={"status": "lost"})
    assert r.status_code == 422


async def test_findings_reach_the_bus_region_scoped_and_a_concluded_case_is_counted(make: Maker, backend: Any) -> None:
    dept = await make.department(code=f"D-{uuid.uuid4().hex[:6]}")
    item = await make.item(department_code=dept["code"], legal_days=20, promised_days=3)
    types = ["warnings.raised.v1", "approvals.case.concluded.v1"]
    async with EventCapture.on(backend.bus_settings(), types) as capture:
        c = await make.case(item, [("submit", "2025-03-03", {}), ("accept", "2025-03-03", {"officer_code": "A01"}),
                                   ("undertake", "2025-03-04", {"officer_code": "B02"}),
                                   ("review", "2025-03-05", {"officer_code": "C03"}),
                                   ("decide", "2025-03-07", {"officer_code": "A01"}),
                                   ("conclude", "2025-03-07", {})])  # fmt: skip
        concluded = await capture.wait_for("approvals.case.concluded.v1")
        raised = await capture.wait_for("warnings.raised.v1")
    case = await make.get_case(c)
    data = concluded.data
    assert data.case_id == case["id"] and data.department_uscc == DEPT_USCC
    assert (data.used_workdays, data.limit_workdays, data.on_time, data.result) == (4, 3, False, "approved")
    warning = raised.data
    assert warning.dedupe_key.startswith("130302:APPROVALS-") and warning.unit_uscc == DEPT_USCC
    assert warning.occurrences == 1 and warning.region_code == DISTRICT
    assert CITY not in warning.dedupe_key
