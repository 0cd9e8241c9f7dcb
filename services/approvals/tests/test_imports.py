"""Uploading a real process log (the Dutch WABO receipt log, 1,434 traces) through the API: streamed, imported in
the background, its status resource showing the progress and the findings per rule — the same as the analysts'
command finds on the same file."""

from __future__ import annotations

import asyncio
import gzip
import time
from pathlib import Path
from typing import Any

import httpx
from approvals.logcheck import check_traces
from approvals.mapping import load_mapping
from sunlight.testing.data import require_data
from sunlight.workdays import WorkdayCalendar
from sunlight.xes import iter_traces

from .conftest import Maker

MAPPING = Path(__file__).resolve().parents[1] / "mappings" / "receipt.toml"
IMPORTS = "/v1/approvals/imports"


async def finished(
    client: httpx.AsyncClient, headers: dict[str, str], url: str, timeout: float = 600
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        r = await client.get(url, headers=headers)
        assert r.status_code == 200, r.text
        job = dict(r.json())
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.2)


async def upload(make: Maker, data: bytes, mapping: str, region_code: str = "130302", expect: int = 202) -> Any:
    files = {"mapping": (None, mapping), "log": ("receipt.xes", data, "application/octet-stream")}
    r = await make.client.post(IMPORTS, headers=make.headers, params={"region_code": region_code}, files=files)
    assert r.status_code == expect, r.text
    return r.json()


async def test_the_receipt_log_uploaded_is_imported_in_the_background_with_its_rule_counts(make: Maker) -> None:
    log = require_data("xes", "receipt.xes")
    await make.item(code="receipt", legal_days=40, required_steps=["accept", "review", "decide", "conclude"],
                    four_eyes=[["review", "decide"]])  # fmt: skip
    job = await upload(make, log.read_bytes(), MAPPING.read_text(encoding="utf-8"))
    assert job["status"] in ("queued", "running", "done") and job["bytes_received"] == log.stat().st_size
    assert job["gzip"] is False
    done = await finished(make.client, make.headers, f"{IMPORTS}/{job['id']}")
    assert done["status"] == "done", done["error"]
    assert (done["traces"], done["events_read"], done["cases"]) == (1434, 8577, 1434)

    # the analysts' command on the same file, with the catalogue's one four-eyes pair (T02 check / T04 determine)
    mapping = load_mapping(MAPPING)
    mapping.item[0].four_eyes = [["T02 Check confirmation of receipt", "T04 Determine confirmation of receipt"]]
    expected = check_traces(iter_traces(log), mapping, WorkdayCalendar())
    self_approved = len(expected.findings["APPROVALS-SELF-APPROVAL"])
    assert done["findings"]["APPROVALS-SELF-APPROVAL"] == self_approved > 0
    listed = await make.client.get(IMPORTS, headers=make.headers)
    assert [j["id"] for j in listed.json()["items"]] == [job["id"]]


async def test_a_gzip_log_is_read_and_a_broken_one_fails_with_its_reason(make: Maker) -> None:
    log = require_data("xes", "receipt.xes")
    await make.item(code="receipt", legal_days=40, required_steps=["accept", "review", "decide", "conclude"])
    mapping = MAPPING.read_text(encoding="utf-8")
    job = await upload(make, gzip.compress(log.read_bytes()), mapping)
    assert job["gzip"] is True
    done = await finished(make.client, make.headers, f"{IMPORTS}/{job['id']}")
    assert (done["status"], done["traces"], done["events_read"]) == ("done", 1434, 8577)

    cut = await upload(make, gzip.compress(log.read_bytes()[:400_000]), mapping, region_code="130303")
    failed = await finished(make.client, make.headers, f"{IMPORTS}/{cut['id']}")
    assert failed["status"] == "failed" and failed["error"].startswith("log: ")  # not the server's file name
    assert failed["finished_at"] is not None


async def test_what_cannot_be_imported_is_refused_before_anything_is_stored(
    make: Maker, outsider: dict[str, str]
) -> None:
    wrong = await upload(make, b"<log/>", "[[item]]\nname = 1\n", expect=422)
    assert wrong["type"].endswith("/import-form-invalid") and wrong["field"] == "/mapping"
    r = await make.client.post(IMPORTS, headers=make.headers, params={"region_code": "130302"}, content=b"<log/>")
    assert r.status_code == 415
    files = {"mapping": (None, MAPPING.read_text(encoding="utf-8")), "log": ("x.xes", b"<log/>", "text/xml")}
    r = await make.client.post(IMPORTS, headers=outsider, params={"region_code": "130302"}, files=files)
    assert r.status_code == 403
    assert (await make.client.get(IMPORTS, headers=make.headers)).json()["items"] == []


async def test_a_retried_upload_with_its_idempotency_key_replays_the_first_job(make: Maker) -> None:
    await make.item(code="receipt")
    mapping = MAPPING.read_text(encoding="utf-8")
    log = b'<?xml version="1.0"?><log xmlns="http://www.xes-standard.org/"></log>'
    headers = {**make.headers, "Idempotency-Key": "upload-1"}

    async def send(data: bytes, key_headers: dict[str, str]) -> httpx.Response:
        files = {"mapping": (None, mapping), "log": ("log.xes", data, "application/xml")}
        return await make.client.post(IMPORTS, headers=key_headers, params={"region_code": "130302"}, files=files)

    first = await send(log, headers)
    again = await send(log, headers)  # a new multipart boundary, the same log, mapping and region
    assert first.status_code == 202 and again.status_code == 202, again.text
    assert again.json()["id"] == first.json()["id"] and again.headers.get("Idempotent-Replayed") == "true"
    other = await send(log + b"\n", headers)
    assert other.status_code == 422 and other.json()["type"].endswith("/idempotency-key-reused")
    listed = await make.client.get(IMPORTS, headers=make.headers)
    assert [j["id"] for j in listed.json()["items"]] == [first.json()["id"]]


async def test_a_log_sent_again_after_a_cut_import_completes_it_without_a_step_twice(make: Maker) -> None:
    log = require_data("xes", "receipt.xes").read_bytes()
    await make.item(code="receipt", legal_days=40, required_steps=["accept", "review", "decide", "conclude"])
    mapping = MAPPING.read_text(encoding="utf-8")

    clean = await finished(make.client, make.headers, f"{IMPORTS}/{(await upload(make, log, mapping, '130303'))['id']}")
    assert clean["status"] == "done" and clean["steps"] > 0 and clean["steps_known"] == 0

    # an import cut short (here by a truncated upload; a restart leaves the same: the chunks it committed)
    cut = await upload(make, log[:1_500_000], mapping)
    cut = await finished(make.client, make.headers, f"{IMPORTS}/{cut['id']}")
    assert cut["status"] == "failed" and 0 < cut["steps"] < clean["steps"]
    again = await finished(make.client, make.headers, f"{IMPORTS}/{(await upload(make, log, mapping))['id']}")
    assert again["status"] == "done", again["error"]
    assert again["steps_known"] == cut["steps"] and cut["steps"] + again["steps"] == clean["steps"]
    twice = await finished(make.client, make.headers, f"{IMPORTS}/{(await upload(make, log, mapping))['id']}")
    assert (twice["steps"], twice["steps_known"], twice["warnings_raised"]) == (0, clean["steps"], 0)
