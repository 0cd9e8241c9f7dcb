"""Field encryption with key rotation, keyed hashes, masking; CloudEvents and contracts."""

import json

import pytest
from sunlight.crypto import DecryptionError, FieldCipher, KeyedHasher, mask_name, mask_tail
from sunlight.errors import BadRequest
from sunlight.events import new_event, parse_event
from sunlight.events.contracts import CONTRACTS
from sunlight.events.contracts.warnings import WarningRaised
from sunlight.events.envelope import UnknownEventType
from sunlight.pagination import PageParams, encode_cursor
from sunlight.warnings import Level, Rule, RuleRegistry, SubjectRef, warning_event


def test_encryption_round_trips_binds_context_and_rotates_keys():
    k1, k2 = FieldCipher.generate_key(), FieldCipher.generate_key()
    old = FieldCipher.from_setting(f"k1:{k1}")
    sealed = old.encrypt("6222020200112233", context="payee.account")
    assert "6222020200112233" not in sealed and sealed.startswith("v1.k1.")
    assert old.decrypt(sealed, context="payee.account") == "6222020200112233"
    with pytest.raises(DecryptionError):
        old.decrypt(sealed, context="another.column")
    rotated = FieldCipher.from_setting(f"k2:{k2},k1:{k1}")  # k2 now encrypts; k1 still decrypts
    assert rotated.decrypt(sealed, context="payee.account") == "6222020200112233"
    assert rotated.needs_rotation(sealed) and rotated.encrypt("x").startswith("v1.k2.")
    with pytest.raises(DecryptionError):
        rotated.decrypt(sealed[:-4] + "AAAA", context="payee.account")
    with pytest.raises(DecryptionError):
        FieldCipher.from_setting(f"k2:{k2}").decrypt(sealed, context="payee.account")


def test_keyed_hash_normalises_and_depends_on_the_key():
    a = KeyedHasher(b"k" * 32)
    assert a.hash("1101 0519 4912 3100 2x") == a.hash("11010519491231002X")
    assert a.hash("x", purpose="id") != a.hash("x", purpose="account")
    assert a.hash("x") != KeyedHasher(b"j" * 32).hash("x")


def test_masking():
    assert mask_name("张三丰") == "张**" and mask_name("John Smith") == "J*** S****"
    assert mask_tail("6222020200112233") == "************2233"


def test_every_contract_is_versioned_and_events_round_trip():
    assert all(t.rsplit(".", 1)[1].startswith("v") for t in CONTRACTS)
    for required in (
        "funds.movement.recorded.v1",
        "tenders.bid.submitted.v1",
        "approvals.case.concluded.v1",
        "complaints.report.filed.v1",
        "warnings.raised.v1",
        "warnings.disposed.v1",
    ):
        assert required in CONTRACTS
    rule = RuleRegistry("funds").add(Rule(id="FUNDS-TEST", level=Level.RED, title="t", title_zh="测", description="d"))
    event = warning_event(
        rule,
        service="funds",
        subject=SubjectRef(service="funds", kind="node", id="n1"),
        region_code="130302",
        evidence={"available_fen": 5},
    )
    parsed = parse_event(event.to_json())
    assert isinstance(parsed.data, WarningRaised) and parsed.id == event.id and parsed.type == "warnings.raised.v1"
    assert parsed.data.dedupe_key == "130302:FUNDS-TEST:funds:node:n1", "a dedupe key always names its region"
    body = json.loads(event.to_json())
    assert body["specversion"] == "1.0" and body["source"] == "/sunlight/funds" and len(body["id"]) == 36


def test_unknown_or_malformed_events_are_permanent_errors():
    with pytest.raises(UnknownEventType):
        parse_event(
            json.dumps(
                {
                    "specversion": "1.0",
                    "id": "x",
                    "source": "/x",
                    "type": "nope.thing.done.v1",
                    "time": "2026-01-01T00:00:00Z",
                    "data": {},
                }
            )
        )
    with pytest.raises(ValueError):
        parse_event(b"{not json")
    with pytest.raises(ValueError):
        parse_event(
            json.dumps(
                {
                    "specversion": "1.0",
                    "id": "x",
                    "source": "/x",
                    "type": "warnings.raised.v1",
                    "time": "2026-01-01T00:00:00Z",
                    "data": {"rule_id": "bad id"},
                }
            )
        )
    with pytest.raises(UnknownEventType):
        new_event(SubjectRef(service="funds", kind="node", id="1"), source="/x")


def test_cursors_are_opaque_and_checked():
    assert PageParams(cursor=encode_cursor(["2026-01-01T00:00:00+00:00", "abc"])).after() == [
        "2026-01-01T00:00:00+00:00",
        "abc",
    ]
    with pytest.raises(BadRequest):
        PageParams(cursor="!!!").after()


async def test_keyset_pages_cover_every_row_once_in_order(tmp_path):
    import uuid as uuidlib
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import Column, MetaData, Table, Uuid, insert, select
    from sqlalchemy.ext.asyncio import create_async_engine
    from sunlight.db import UTCDateTime
    from sunlight.pagination import keyset, make_page

    table = Table("t", MetaData(), Column("at", UTCDateTime), Column("id", Uuid, primary_key=True))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [{"at": start + timedelta(minutes=i // 3), "id": uuidlib.uuid4()} for i in range(25)]  # ties on "at"
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'k.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(table.metadata.create_all)  # a scratch table for a pure query helper
        await conn.execute(insert(table), rows)
        seen, cursor = [], None
        while True:
            params = PageParams(cursor=cursor, limit=4)
            found = (await conn.execute(keyset(select(table), params, table.c.at, table.c.id))).all()
            page = make_page(found, params, lambda r: [r.at.isoformat(), str(r.id)], lambda r: (r.at, r.id))
            seen += page.items
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    await engine.dispose()
    assert seen == sorted(((r["at"], r["id"]) for r in rows), reverse=True), "newest first, ties by id, no gaps"
    with pytest.raises(BadRequest):
        keyset(select(table), PageParams(cursor=encode_cursor(["yesterday", "x"])), table.c.at, table.c.id)
