"""No plaintext of a report, an identity, a message or a receipt in any database column; retention destroys
a report by dropping its key; the key ring rotates without losing a report."""

from __future__ import annotations

import base64
import os
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa
from complaints import keys, scans, service
from complaints.models import metadata
from complaints.settings import ComplaintsSettings
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine
from sunlight.auth import Principal

from .conftest import Filer, report

TEXT = "举报：秦皇岛市某局副局长诸葛卧龙收受供应商贿赂八十万元"
OFFICIAL = "诸葛卧龙"
IDENTITY = {"name": "欧阳春花", "phone": "13800138000", "resident_id": "110105198001010040"}
MESSAGE = "补充线索：行贿发生在二〇二五年春节前"
REPLY = "已转交市纪委第三监督检查室核查"


async def dump(settings: ComplaintsSettings) -> str:
    """Every row of every table of the service's database, as text."""
    engine = create_async_engine(settings.effective_database_url())
    out = []
    try:
        async with engine.connect() as conn:
            for table in metadata.sorted_tables:
                for row in (await conn.execute(sa.select(table))).all():
                    out.append(repr(tuple(row)))
            for name in ("outbox", "idempotency_key"):
                out += [repr(tuple(r)) for r in (await conn.execute(sa.text(f"SELECT * FROM {name}"))).all()]  # noqa: S608
    finally:
        await engine.dispose()
    return "\n".join(out)


async def test_no_plaintext_of_a_report_identity_message_or_receipt_in_any_column(
    filer: Filer, complaints: httpx.AsyncClient, complaints_settings: ComplaintsSettings
):
    body = report(
        text=TEXT,
        anonymous=False,
        reporter=IDENTITY,
        category="corruption",
        subject={"kind": "official", "official_name": OFFICIAL, "official_post": "副局长"},
    )
    filed = await filer.file(body)
    receipt = filed["receipt"]
    r = await complaints.post("/v1/complaints/public/follow-up/messages", json={"receipt": receipt, "text": MESSAGE})
    assert r.status_code == 200
    rid = (await filer.newest())["id"]
    await filer.step(rid, "replies", {"text": REPLY})
    shown = (await complaints.get(f"/v1/complaints/reports/{rid}", headers=filer.staff)).json()
    assert shown["text"] == TEXT and shown["official_name"] == OFFICIAL  # handlers read it

    stored = await dump(complaints_settings)
    assert rid in stored  # the dump did reach the rows
    plain = [TEXT, OFFICIAL, "副局长", *IDENTITY.values(), MESSAGE, REPLY, receipt, receipt.replace("-", "")]
    assert [p for p in plain if p in stored] == []
    assert "秦皇岛" not in stored and "诸葛" not in stored and "13800" not in stored  # no fragment either


async def test_retention_destroys_the_report_and_leaves_its_figures(
    filer: Filer, complaints: httpx.AsyncClient, complaints_app: FastAPI, complaints_settings: ComplaintsSettings
):
    filed = await filer.file(report(text=TEXT))
    rid = (await filer.newest())["id"]
    await filer.step(rid, "decision", {"decision": "reject", "reason": "不属于受理范围"})
    async with complaints_app.state.db.sessions() as session:
        early = await scans.run_scans(session, complaints_settings, now=datetime.now(UTC) + timedelta(days=365))
    assert early.purged == 0  # five years by default
    async with complaints_app.state.db.sessions() as session:
        late = await scans.run_scans(session, complaints_settings, now=datetime.now(UTC) + timedelta(days=5 * 365 + 1))
    assert late.purged == 1
    shown = (await complaints.get(f"/v1/complaints/reports/{rid}", headers=filer.staff)).json()
    assert shown["status"] == "purged" and shown["text"] is None
    assert (shown["category"], shown["region_code"]) == ("misuse_of_funds", "130302")  # the figures remain
    await filer.follow(filed["receipt"], expect=404)
    steps = (await complaints.get(f"/v1/complaints/reports/{rid}/steps", headers=filer.staff)).json()["items"]
    assert steps[-1]["kind"] == "purged" and all(s["note"] is None for s in steps)


async def test_the_key_ring_rotates_and_old_keys_can_go(
    filer: Filer, complaints: httpx.AsyncClient, complaints_app: FastAPI, complaints_settings: ComplaintsSettings
):
    await filer.file(report(text=TEXT))
    rid = (await filer.newest())["id"]
    old = complaints_settings.cipher
    new_key = base64.b64encode(os.urandom(32)).decode()
    old_setting = f"{old.current}:" + base64.b64encode(b"sunlight-development-key-32byte!").decode()
    values = complaints_settings.model_dump()
    rotated = ComplaintsSettings(**{**values, "encryption_keys": f"k2:{new_key},{old_setting}"})
    async with complaints_app.state.db.sessions() as session:
        assert (await keys.rewrap_all(session, rotated)).rewrapped >= 1
    async with complaints_app.state.db.sessions() as session:
        assert (await keys.rewrap_all(session, rotated)).rewrapped == 0
    only_new = ComplaintsSettings(**{**values, "encryption_keys": f"k2:{new_key}"})
    async with complaints_app.state.db.sessions() as session:
        out = await service.read_report(session, only_new, _reader(), uuid.UUID(rid))
    assert out.text == TEXT


def _reader() -> Principal:
    return Principal(
        subject="t", client_id="t", kind="client", scopes=frozenset({"complaints:read"}), regions=("130300",)
    )
