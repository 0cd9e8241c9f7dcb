"""Attachments: files sent with a report by the reporter (on filing, on follow-up) or by staff.

Each is checked before anything is stored — valid base64, at most ``attachment_max_bytes``, a type sniffed
from its bytes (``sniff.py``) that ``attachment_types`` allows, within ``attachments_max_per_report`` — then
its name and bytes are sealed with the report's data key (``vault.py``), so destroying that key at the end
of the retention period makes every copy unreadable. Staff read them with ``complaints:read`` in the
report's region; the download is ``Cache-Control: no-store`` and ``Content-Disposition: attachment``.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.db import utcnow
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page

from complaints import repository, sniff
from complaints.errors import AttachmentRefused, Destroyed, WrongState
from complaints.models import Attachment, Report, Status
from complaints.schemas.reports import AttachmentIn, AttachmentOut, PublicAttachmentOut
from complaints.service import ensure_found, vault_of, visible_report
from complaints.settings import ComplaintsSettings
from complaints.vault import ReportVault

OPEN_TO_FILES = (Status.RECEIVED, Status.ACCEPTED, Status.CONCLUDED, Status.APPEALED)


def checked(settings: ComplaintsSettings, items: Sequence[AttachmentIn], *, pointer: str) -> list[tuple[bytes, str]]:
    """(bytes, sniffed type) of each item, or AttachmentRefused naming the first that fails."""
    out = []
    for i, item in enumerate(items):
        where = f"{pointer}/{i}/content"
        try:
            data = base64.b64decode(item.content, validate=True)
        except (binascii.Error, ValueError):
            raise AttachmentRefused("the attachment is not valid base64", field=where) from None
        if len(data) > settings.attachment_max_bytes:
            raise AttachmentRefused(
                f"the attachment has {len(data)} bytes; at most {settings.attachment_max_bytes} are accepted",
                field=where,
                max_bytes=settings.attachment_max_bytes,
            )
        kind = sniff.sniff(data)
        if kind is None or kind not in settings.attachment_types:
            allowed = ", ".join(settings.attachment_types)
            raise AttachmentRefused(f"the file's bytes are not one of the accepted types ({allowed})", field=where)
        out.append((data, kind))
    return out


async def add(
    session: AsyncSession,
    settings: ComplaintsSettings,
    report: Report,
    vault: ReportVault,
    items: Sequence[AttachmentIn],
    *,
    sender: str,
    pointer: str,
    now: datetime,
    stored: int | None = None,
    files: list[tuple[bytes, str]] | None = None,
) -> list[Attachment]:
    """Check (unless ``files`` holds what :func:`checked` found) and seal ``items`` onto ``report``, in the
    caller's transaction."""
    if files is None:
        files = checked(settings, items, pointer=pointer)
    if stored is None:
        stored = await repository.count_attachments(session, report.id)
    if stored + len(files) > settings.attachments_max_per_report:
        raise AttachmentRefused(
            f"a report holds at most {settings.attachments_max_per_report} attachments; this one has {stored}",
            field=pointer,
        )
    rows = []
    for i, (item, (data, kind)) in enumerate(zip(items, files, strict=True)):
        at = now + timedelta(microseconds=i)  # the order they were sent in
        row = Attachment(report_id=report.id, sender=sender, content_type=kind, size=len(data), at=at)
        row.filename_sealed = vault.seal(item.filename, f"attachment:{row.id}:name")
        row.content_sealed = vault.seal_bytes(data, f"attachment:{row.id}:content")
        session.add(row)
        rows.append(row)
    report.updated_at = now
    return rows


def public_out(row: Attachment, vault: ReportVault) -> PublicAttachmentOut:
    return PublicAttachmentOut(
        filename=vault.unseal(row.filename_sealed, f"attachment:{row.id}:name"),
        content_type=row.content_type,
        size=row.size,
        at=row.at,
    )


def staff_out(row: Attachment, vault: ReportVault) -> AttachmentOut:
    return AttachmentOut(
        id=row.id,
        report_id=row.report_id,
        sender=row.sender,
        filename=vault.unseal(row.filename_sealed, f"attachment:{row.id}:name"),
        content_type=row.content_type,
        size=row.size,
        at=row.at,
    )


async def add_by_staff(
    session: AsyncSession,
    settings: ComplaintsSettings,
    who: Principal,
    report_id: uuid.UUID,
    body: AttachmentIn,
    *,
    key: IdempotencyKey | None,
    now: datetime | None = None,
) -> AttachmentOut:
    now = now or utcnow()
    await idempotency.begin(session, who, key)
    report = await visible_report(session, who, report_id, for_update=True)
    if report.status not in OPEN_TO_FILES:
        raise WrongState(f"the report is {report.status}: no more files", status_now=report.status)
    vault = await vault_of(session, settings, report)
    (row,) = await add(session, settings, report, vault, [body], sender=who.subject, pointer="", now=now)
    await session.flush()
    out = staff_out(row, vault)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def list_for_staff(
    session: AsyncSession, settings: ComplaintsSettings, who: Principal, report_id: uuid.UUID, page: PageParams
) -> Page[AttachmentOut]:
    report = await visible_report(session, who, report_id)
    if report.status == Status.PURGED:
        raise Destroyed("the report's attachments were destroyed at the end of its retention")
    vault = await vault_of(session, settings, report)
    rows = await repository.attachments(session, report.id, page)
    return make_page(rows, page, lambda a: [a.at.isoformat(), str(a.id)], lambda a: staff_out(a, vault))


async def content_for_staff(
    session: AsyncSession, settings: ComplaintsSettings, who: Principal, report_id: uuid.UUID, attachment_id: uuid.UUID
) -> tuple[bytes, str, str]:
    """(bytes, content type, file name to offer) of one attachment of a report in the caller's regions."""
    report = await visible_report(session, who, report_id)
    row = ensure_found(await repository.attachment(session, report.id, attachment_id), "attachment")
    vault = await vault_of(session, settings, report)
    data = vault.unseal_bytes(row.content_sealed, f"attachment:{row.id}:content")
    name = f"attachment-{str(row.id)[:8]}{sniff.EXTENSIONS.get(row.content_type, '')}"
    return data, row.content_type, name
