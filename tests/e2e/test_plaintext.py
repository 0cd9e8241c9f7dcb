"""No personal datum or secret in plaintext — the whole suite as real processes, on both backends.

Every personal datum and secret this module uses (a resident ID, a bank account, a person's
name, client secrets, passwords, refresh tokens, the bootstrap secret; a report's text, the official
it names, its reporter, their message, a file they attached and the receipt) is looked for in every
column of every table of every database, in every log line of every process (at INFO, access
logs included), and in every event on the bus: none may appear.
"""

from __future__ import annotations

import asyncio
import base64
import sqlite3
from pathlib import Path

import pytest

from .conftest import Processes, Stack
from .test_funds_platform import resident_id
from .test_idle_soak import SECRETS, bearer, new_client, new_user, refresh, sign_in
from .test_slice import build_programme

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack_env() -> dict[str, str]:
    return {"SUNLIGHT_LOG_LEVEL": "INFO"}  # access logs too: they are scanned


def _needles() -> dict[str, str]:
    return {what: value for what, value in SECRETS.items() if value}


def scan_sqlite(path: Path, needles: dict[str, str]) -> list[str]:
    found = []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            for row in conn.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - names from sqlite_master
                for column, value in zip(columns, row, strict=True):
                    text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
                    found += [f"{path.name} {table}.{column}: {what}" for what, n in needles.items() if n in text]
    finally:
        conn.close()
    return found


async def scan_postgres(url: str, needles: dict[str, str]) -> list[str]:
    import asyncpg

    found = []
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        for (table,) in tables:
            for (row,) in await conn.fetch(f'SELECT t::text FROM "{table}" t'):  # noqa: S608
                found += [f"{url.rsplit('/', 1)[-1]} {table}: {what}" for what, n in needles.items() if n in row]
    finally:
        await conn.close()
    return found


async def scan_bus(processes: Processes, needles: dict[str, str]) -> list[str]:
    settings = processes.backend.bus_settings()
    if settings["bus"] == "sqlite":
        return scan_sqlite(Path(settings["bus_path"]), needles)
    import nats

    found = []
    nc = await nats.connect(settings["nats_url"])
    try:
        js = nc.jetstream()
        stream = settings["nats_stream"]
        info = await js.stream_info(stream)
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            try:
                message = await js.get_msg(stream, seq)
            except Exception:  # noqa: S112 - a deleted message
                continue
            text = (message.data or b"").decode(errors="replace")
            found += [f"{stream}#{seq}: {what}" for what, n in needles.items() if n in text]
    finally:
        await nc.close()
    return found


async def test_no_personal_datum_or_secret_in_any_column_log_line_or_event(stack: Stack) -> None:
    admin = await stack.token()
    bureau = await new_client(stack, admin, "plain-bureau", ["funds:read", "funds:write"])
    await new_user(stack, admin, "plain-inspector", ["funds:read", "integrity:read"])
    person = await sign_in(stack.client, "plain-inspector")
    await refresh(stack.client, person["refresh_token"])
    name, rid, account = "欧阳明华", resident_id(421), "6228480402564890018"
    SECRETS.update({"a person's name": name, "a resident ID": rid, "a bank account": account})
    pid, root, dept = await build_programme(stack, bureau)
    for kind in ("allocate", "disburse"):
        r = await stack.client.post(
            "/v1/funds/movements",
            headers=bearer(bureau),
            json={
                "kind": kind,
                "from_node_id": root,
                "to_node_id": dept,
                "amount_fen": 50_000,
                "occurred_on": "2026-03-01",
            },
        )
        assert r.status_code == 201, r.text
    paid = await stack.client.post(
        "/v1/funds/movements",
        headers=bearer(bureau),
        json={
            "kind": "expend",
            "from_node_id": dept,
            "amount_fen": 2_000,
            "occurred_on": "2026-03-02",
            "payee": {"kind": "person", "name": name, "resident_id": rid, "bank_account": account},
        },
    )
    assert paid.status_code == 201, paid.text
    assert rid not in paid.text and account not in paid.text
    await file_a_report(stack, admin)
    await asyncio.sleep(3)  # the outbox relay publishes within its poll interval (0.5 s)

    # controls: what is stored, logged and published in the clear must be found by the same scan
    controls = {
        "control: a client id": "plain-bureau",
        "control: a programme id": pid,
        "control: a route": "/oauth/token",
    }
    found = await scan_everything(stack.processes, {**_needles(), **controls})
    assert any(f.endswith("control: a client id") for f in found if not f.startswith("bus") and ".log:" not in f)
    assert any(f.startswith("bus") and f.endswith("control: a programme id") for f in found)
    assert any(".log:" in f and f.endswith("control: a route") for f in found)
    leaks = sorted({f for f in found if not f.endswith(tuple(controls))})
    assert not leaks, "in plaintext:\n" + "\n".join(leaks)


REPORT_TEXT = "举报：海港区某所所长慕容秋水挪用农机补贴二十三万元"
ATTACHED = b"%PDF-1.4\n(LEDGER-QX-5521 transfer to the director's brother)\n%%EOF\n"


async def file_a_report(stack: Stack, admin: str) -> None:
    """A named report naming an official, with a message and a file, read by a handler."""
    reporter, phone = "司徒明月", "13699887766"
    filed = await stack.client.post(
        "/v1/complaints/public/reports",
        json={
            "category": "corruption",
            "region_code": "130302",
            "subject": {"kind": "official", "official_name": "慕容秋水", "official_post": "所长"},
            "text": REPORT_TEXT,
            "anonymous": False,
            "reporter": {"name": reporter, "phone": phone},
            "attachments": [{"filename": "慕容账本.pdf", "content": base64.b64encode(ATTACHED).decode()}],
        },
    )
    assert filed.status_code == 201, filed.text
    receipt = filed.json()["receipt"]
    message = "补充：转账发生在三月五日夜间"
    r = await stack.client.post("/v1/complaints/public/follow-up/messages", json={"receipt": receipt, "text": message})
    assert r.status_code == 200, r.text
    office = await new_client(stack, admin, "plain-complaints", ["complaints:read", "complaints:write"])
    (report,) = (await stack.client.get("/v1/complaints/reports", headers=bearer(office))).json()["items"]
    shown = await stack.client.get(f"/v1/complaints/reports/{report['id']}", headers=bearer(office))
    assert shown.json()["text"] == REPORT_TEXT  # a handler reads it: it is sealed, not lost
    SECRETS.update(
        {
            "a report's text": REPORT_TEXT,
            "an official named in a report": "慕容秋水",
            "a reporter's name": reporter,
            "a reporter's phone": phone,
            "a reporter's message": message,
            "an attachment's bytes": "LEDGER-QX-5521",
            "an attachment's bytes (hex, as PostgreSQL shows bytea)": b"LEDGER-QX-5521".hex(),
            "an attachment's name": "慕容账本",
            "a receipt": receipt,
            "a receipt (as typed, without hyphens)": receipt.replace("-", ""),
        }
    )


async def scan_everything(processes: Processes, needles: dict[str, str]) -> list[str]:
    """Where each needle appears: every column of every database, every event on the bus, every log line."""
    found: list[str] = []
    for url in processes.databases.values():
        if url.startswith("sqlite"):
            found += scan_sqlite(Path(url.split("///", 1)[1]), needles)
        else:
            found += await scan_postgres(url, needles)
    found += [f"bus {hit}" for hit in await scan_bus(processes, needles)]
    for process in [processes.gateway, *processes.services.values()]:
        for number, line in enumerate(process.log_path.read_text(errors="replace").splitlines(), 1):
            found += [f"{process.name}.log:{number}: {what}" for what, n in needles.items() if n in line]
    return found
