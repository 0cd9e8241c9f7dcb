"""Uploading a complaint lifecycle log (BPI Challenge 2013 incidents) through the API: streamed, imported in the
background (the first ``CASES`` cases: ``import_max_traces``), its status resource showing the counts."""

from __future__ import annotations

import asyncio
import gzip
import time
from typing import Any

import httpx
import pytest
from complaints.app import MIGRATIONS
from complaints.settings import ComplaintsSettings
from sunlight.testing import ServiceHarness
from sunlight.testing.data import require_data

from .conftest import DISTRICT
from .test_import_xes import raw_cases

IMPORTS = "/v1/complaints/imports"
CASES = 60


@pytest.fixture
async def complaints_settings(harness: ServiceHarness) -> ComplaintsSettings:
    return await harness.settings(ComplaintsSettings, MIGRATIONS, import_max_traces=CASES, import_traces_per_commit=25)


async def finished(client: httpx.AsyncClient, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 300
    while True:
        r = await client.get(f"{IMPORTS}/{job_id}", headers=headers)
        assert r.status_code == 200, r.text
        job = dict(r.json())
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.1)


async def upload(
    client: httpx.AsyncClient, headers: dict[str, str], data: bytes, expect: int = 202, **params: Any
) -> Any:
    files = {"log": ("incidents.xes", data, "application/octet-stream")}
    r = await client.post(IMPORTS, headers=headers, params={"region_code": DISTRICT, **params}, files=files)
    assert r.status_code == expect, r.text
    return r.json()


def log_bytes() -> bytes:
    return require_data("xes", "bpic2013_incidents.xes.gz").read_bytes()


async def test_the_bpic_2013_log_uploaded_is_imported_in_the_background_and_again_skips_what_it_has(
    complaints: httpx.AsyncClient, handler: dict[str, str], outsider: dict[str, str],
    complaints_settings: ComplaintsSettings,
) -> None:  # fmt: skip
    data = log_bytes()
    raw = raw_cases(require_data("xes", "bpic2013_incidents.xes.gz"), CASES)
    job = await upload(complaints, handler, data)
    assert job["status"] in ("queued", "running", "done") and job["bytes_received"] == len(data)
    assert job["gzip"] is True and job["due_days"] is None
    done = await finished(complaints, handler, job["id"])
    assert done["status"] == "done", done["error"]
    assert (done["cases"], done["imported"], done["skipped"]) == (CASES, CASES, 0)
    assert done["handoffs"] == sum(c["handoffs"] for c in raw)
    handed = [c for c in raw if c["handoffs"] > complaints_settings.handoff_max]
    assert sum(done["handed_around"].values()) == len(handed) > 0
    assert sum(done["late"].values()) > 0 and done["warnings_raised"] >= len(handed)
    assert done["started_at"] and done["finished_at"] and done["error"] is None
    reports = (await complaints.get("/v1/complaints/reports", headers=handler, params={"limit": 100})).json()
    assert len(reports["items"]) == CASES

    again = await finished(complaints, handler, (await upload(complaints, handler, data))["id"])
    assert (again["status"], again["cases"], again["imported"], again["skipped"]) == ("done", CASES, 0, CASES)
    assert again["warnings_raised"] == 0
    listed = (await complaints.get(IMPORTS, headers=handler)).json()["items"]
    assert [j["id"] for j in listed] == [again["id"], job["id"]]
    # another region's bureau sees no such import
    assert (await complaints.get(f"{IMPORTS}/{job['id']}", headers=outsider)).status_code == 404
    assert (await complaints.get(IMPORTS, headers=outsider)).json()["items"] == []


async def test_a_plain_log_with_its_own_deadline_is_read_and_a_broken_one_fails_with_its_reason(
    complaints: httpx.AsyncClient, handler: dict[str, str]
) -> None:
    plain = gzip.decompress(log_bytes())
    job = await upload(complaints, handler, plain, due_days=5)
    assert job["gzip"] is False and job["due_days"] == 5
    done = await finished(complaints, handler, job["id"])
    assert (done["status"], done["imported"]) == ("done", CASES)

    first = plain.find(b"<trace")
    cut = await upload(complaints, handler, plain[: first + 100_000])
    failed = await finished(complaints, handler, cut["id"])
    assert failed["status"] == "failed" and failed["error"].startswith("log: ")  # not the server's file name
    assert failed["finished_at"] is not None and failed["imported"] == 0


async def test_what_cannot_be_imported_is_refused_before_anything_is_stored(
    complaints: httpx.AsyncClient, handler: dict[str, str], reader: dict[str, str], outsider: dict[str, str]
) -> None:
    r = await complaints.post(IMPORTS, headers=handler, params={"region_code": DISTRICT}, content=b"<log/>")
    assert r.status_code == 415 and r.json()["type"].endswith("/unsupported-import-format")
    r = await complaints.post(
        IMPORTS, headers=handler, params={"region_code": DISTRICT}, files={"mapping": (None, "x")}
    )
    assert r.status_code == 422 and r.json()["type"].endswith("/import-form-invalid")
    r = await complaints.post(IMPORTS, headers=handler, params={"region_code": DISTRICT}, data={"x": "1"},
                              files={"log": ("x.xes", b"<log/>", "text/xml")})  # fmt: skip
    assert r.status_code == 422 and r.json()["type"].endswith("/import-form-invalid")
    wrong = await upload(complaints, handler, b"<log/>", expect=422, due_days=0)
    assert wrong["type"].endswith("/validation")
    outside = await upload(complaints, outsider, b"<log/>", expect=403)
    assert outside["type"].endswith("/forbidden-region")
    no_scope = await upload(complaints, reader, b"<log/>", expect=403)
    assert no_scope["type"].endswith("/insufficient-scope")
    assert (await complaints.get(IMPORTS, headers=handler)).json()["items"] == []


async def test_a_retried_upload_with_its_idempotency_key_replays_the_first_job(
    complaints: httpx.AsyncClient, handler: dict[str, str]
) -> None:
    log = b'<?xml version="1.0"?><log xmlns="http://www.xes-standard.org/"></log>'
    headers = {**handler, "Idempotency-Key": "upload-1"}

    async def send(data: bytes, **params: Any) -> httpx.Response:
        files = {"log": ("log.xes", data, "application/xml")}
        return await complaints.post(IMPORTS, headers=headers, params={"region_code": DISTRICT, **params}, files=files)

    first = await send(log)
    again = await send(log)  # a new multipart boundary, the same log and options
    assert first.status_code == 202 and again.status_code == 202, again.text
    assert again.json()["id"] == first.json()["id"] and again.headers.get("Idempotent-Replayed") == "true"
    for other in (await send(log + b"\n"), await send(log, due_days=30)):
        assert other.status_code == 422 and other.json()["type"].endswith("/idempotency-key-reused")
    done = await finished(complaints, handler, first.json()["id"])
    assert (done["status"], done["cases"]) == ("done", 0)
    listed = await complaints.get(IMPORTS, headers=handler)
    assert [j["id"] for j in listed.json()["items"]] == [first.json()["id"]]
