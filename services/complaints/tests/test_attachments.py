"""Attachments: sent on filing, on follow-up (receipt in the body) and by staff; the type sniffed from the
bytes, never the name; sealed under the report's key (no plaintext in the database; retention destroys
them; a key rotation keeps them readable); downloaded by staff in the report's region, never cached."""

from __future__ import annotations

import base64
import io
import os
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from complaints import attachments, keys, scans, sniff
from complaints.settings import ComplaintsSettings
from fastapi import FastAPI
from sunlight.auth import Principal
from sunlight.pagination import PageParams

from .conftest import PUBLIC, Filer, report
from .test_confidentiality import dump

SECRET = b"EVIDENCE-LEDGER-7731 paid twice to the same account"
PDF = b"%PDF-1.4\n" + SECRET + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + os.urandom(64)
EXE = b"MZ\x90\x00" + SECRET


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def attached(name: str, data: bytes) -> dict[str, str]:
    return {"filename": name, "content": base64.b64encode(data).decode()}


async def staff_files(client: httpx.AsyncClient, rid: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    r = await client.get(f"/v1/complaints/reports/{rid}/attachments", headers=headers)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def test_files_on_filing_and_follow_up_are_typed_by_their_bytes_and_downloaded_by_staff(
    filer: Filer, complaints: httpx.AsyncClient, keys: Any, outsider: dict[str, str]
):
    # a PNG named .pdf is a PNG; a text file named .docx is text
    body = report(attachments=[attached("账本.pdf", PDF), attached("photo.pdf", PNG)])
    filed = await filer.file(body)
    r = await complaints.post(
        f"{PUBLIC}/follow-up/attachments",
        json={
            "receipt": filed["receipt"],
            "attachments": [attached("说明.docx", "补充说明".encode()), attached("a.docx", docx())],
        },
    )
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    seen = [(a["filename"], a["content_type"]) for a in r.json()["attachments"]]
    assert seen == [
        ("账本.pdf", "application/pdf"),
        ("photo.pdf", "image/png"),
        ("说明.docx", "text/plain"),
        ("a.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]

    rid = (await filer.newest())["id"]
    files = await staff_files(complaints, rid, filer.staff)
    assert [f["sender"] for f in files] == ["reporter"] * 4 and files[0]["size"] == len(PDF)
    url = f"/v1/complaints/reports/{rid}/attachments/{files[1]['id']}/content"
    got = await complaints.get(url, headers=filer.staff)
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["cache-control"] == "no-store" and got.headers["x-content-type-options"] == "nosniff"
    assert (
        got.headers["content-disposition"].startswith("attachment;")
        and "photo" not in got.headers["content-disposition"]
    )

    # another region's staff do not see the report's files exist; a token without complaints:read is refused
    assert (await complaints.get(url, headers=outsider)).status_code == 404
    assert (await complaints.get(f"/v1/complaints/reports/{rid}/attachments", headers=outsider)).status_code == 404
    funds_only = keys.auth(scopes="funds:read", regions=["130300"])
    assert (await complaints.get(url, headers=funds_only)).status_code == 403
    elsewhere = f"/v1/complaints/reports/{rid}/attachments/{uuid.uuid4()}/content"
    assert (await complaints.get(elsewhere, headers=filer.staff)).status_code == 404

    # staff add evidence of their own
    r = await complaints.post(
        f"/v1/complaints/reports/{rid}/attachments", headers=filer.staff, json=attached("核查记录.pdf", PDF)
    )
    assert r.status_code == 201, r.text
    assert r.json()["sender"] == "handler-li" and r.json()["content_type"] == "application/pdf"
    follow = await filer.follow(filed["receipt"])
    assert len(follow["attachments"]) == 4  # the reporter sees their own files, not the handlers'


async def test_a_file_of_a_type_not_allowed_refuses_the_report_whatever_its_name(
    filer: Filer, complaints: httpx.AsyncClient, complaints_settings: ComplaintsSettings
):
    r = await complaints.post(f"{PUBLIC}/reports", json=report(attachments=[attached("evidence.pdf", EXE)]))
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"].endswith("/attachment-refused") and problem["field"] == "/attachments/0/content"
    assert await filer.reports() == []  # nothing was filed
    big = b"%PDF-1.4\n" + b"0" * complaints_settings.attachment_max_bytes
    r = await complaints.post(f"{PUBLIC}/reports", json=report(attachments=[attached("big.pdf", big)]))
    assert r.status_code == 422 and r.json()["max_bytes"] == complaints_settings.attachment_max_bytes
    r = await complaints.post(f"{PUBLIC}/reports", json=report(attachments=[{"filename": "x", "content": "!!!!"}]))
    assert r.status_code == 422
    filed = await filer.file()
    r = await complaints.post(
        f"{PUBLIC}/follow-up/attachments",
        json={"receipt": filed["receipt"], "attachments": [attached("x.png", b"\x00\x01binary")]},
    )
    assert r.status_code == 422 and r.json()["type"].endswith("/attachment-refused")
    assert (await filer.follow(filed["receipt"]))["attachments"] == []


async def test_files_are_sealed_destroyed_with_the_report_and_survive_a_key_rotation(
    filer: Filer, complaints: httpx.AsyncClient, complaints_app: FastAPI, complaints_settings: ComplaintsSettings
):
    await filer.file(report(attachments=[attached("ledger-7731.pdf", PDF)]))
    rid = (await filer.newest())["id"]
    stored = await dump(complaints_settings)
    assert rid in stored
    assert b"EVIDENCE-LEDGER".decode() not in stored and "ledger-7731" not in stored

    await filer.step(rid, "decision", {"decision": "reject", "reason": "不属于受理范围"}, headers=filer.staff)

    # rotation: the data key is re-wrapped, the file opens with the new ring alone
    old = complaints_settings.cipher
    new_key = base64.b64encode(os.urandom(32)).decode()
    old_setting = f"{old.current}:" + base64.b64encode(b"sunlight-development-key-32byte!").decode()
    values = complaints_settings.model_dump()
    rotated = ComplaintsSettings(**{**values, "encryption_keys": f"k2:{new_key},{old_setting}"})
    async with complaints_app.state.db.sessions() as session:
        assert (await keys.rewrap_all(session, rotated)).rewrapped >= 1
    only_new = ComplaintsSettings(**{**values, "encryption_keys": f"k2:{new_key}"})
    who = Principal(
        subject="t", client_id="t", kind="client", scopes=frozenset({"complaints:read"}), regions=("130300",)
    )
    async with complaints_app.state.db.sessions() as session:
        page = await attachments.list_for_staff(session, only_new, who, uuid.UUID(rid), PageParams(limit=10))
        data, kind, _ = await attachments.content_for_staff(session, only_new, who, uuid.UUID(rid), page.items[0].id)
    assert (data, kind, page.items[0].filename) == (PDF, "application/pdf", "ledger-7731.pdf")

    # retention: past the rejected report's period: the files are gone with the key
    async with complaints_app.state.db.sessions() as session:
        out = await scans.run_scans(session, only_new, now=datetime.now(UTC) + timedelta(days=5 * 365 + 1))
    assert out.purged == 1
    url = f"/v1/complaints/reports/{rid}/attachments"
    assert (await complaints.get(url, headers=filer.staff)).status_code == 409
    assert (await complaints.get(f"{url}/{page.items[0].id}/content", headers=filer.staff)).status_code == 404


def test_the_sniffer_knows_the_allowed_types_by_their_bytes_only():
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("payload.exe", "MZ")
    assert sniff.sniff(docx()) == sniff.DOCX
    assert sniff.sniff(plain_zip.getvalue()) is None  # a zip is not a DOCX
    assert sniff.sniff("举报材料\n第二行\t完".encode()) == sniff.TEXT
    assert sniff.sniff(b"text with a NUL\x00 inside") is None
    assert sniff.sniff("GBK 编码".encode("gbk")) is None  # not UTF-8
    assert sniff.sniff(b"<html><script>alert(1)</script>") == sniff.TEXT  # served as text/plain, nosniff
    assert sniff.sniff(b"") is None
