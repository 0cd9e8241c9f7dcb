"""Filing without an account, and following up with the receipt (public routes).

Nothing here records who the caller is: no address, no user agent, no account. The receipt is made,
shown once and stored only as hashes (``receipts.py``); the text, the official's name and the reporter's
identity are sealed under the report's own data key (``vault.py``). An unknown and a wrong receipt answer
alike, after the same argon2 work.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.db import utcnow
from sunlight.events import add_event

from complaints import alerts, attachments, deadlines, events, grouping, repository
from complaints.errors import ReceiptNotRecognised, WrongState
from complaints.models import Channel, Report, ReportKey, Status, StepKind
from complaints.receipts import new_receipt, normalise
from complaints.schemas.reports import (
    AppealIn,
    FollowUpOut,
    PublicMessageOut,
    PublicReportIn,
    ReceiptOut,
    ReporterAttachmentsIn,
    ReporterMessageIn,
    SubjectIn,
)
from complaints.service import add_step, subject_fields, tools, vault_of
from complaints.settings import ComplaintsSettings
from complaints.vault import ReportVault

REPORTER = "reporter"


def new_report(
    settings: ComplaintsSettings,
    *,
    category: str,
    region_code: str,
    subject: SubjectIn,
    text: str,
    channel: Channel,
    anonymous: bool,
    identity: dict[str, str | None] | None,
    received_at: datetime,
    now: datetime,
) -> tuple[Report, ReportKey, ReportVault]:
    """A report row with its sealed content and its data key (not yet added to the session)."""
    report = Report(
        region_code=region_code,
        category=category,
        channel=channel.value,
        anonymous=anonymous,
        received_on=deadlines.today(settings, received_at),
        accept_due=deadlines.today(settings, received_at),  # set below
        filed_at=received_at,
        updated_at=now,
        **subject_fields(settings, subject),
    )
    report.accept_due = deadlines.add_days(settings, report.received_on, settings.acceptance_days)
    vault, wrapped = ReportVault.new(report.id, settings.cipher)
    content = {"text": text, "official_name": subject.official_name, "official_post": subject.official_post}
    report.content_sealed = vault.seal(content, "content")
    if identity is not None:
        report.identity_sealed = vault.seal(identity, "identity")
    report.signature = tools(settings).signer.signature(text)
    return report, ReportKey(report_id=report.id, wrapped=wrapped, created_at=now), vault


async def file_report(
    session: AsyncSession, settings: ComplaintsSettings, body: PublicReportIn, *, now: datetime | None = None
) -> ReceiptOut:
    now = now or utcnow()
    t = tools(settings)
    code = new_receipt()
    normal = normalise(code)
    assert normal is not None
    slow = await t.receipts.slow_hash(normal)  # before the transaction: no lock is held while it runs
    files = attachments.checked(settings, body.attachments, pointer="/attachments")  # refuse before argon2 work
    identity = body.reporter.model_dump() if body.reporter is not None else None
    report, key, vault = new_report(
        settings,
        category=body.category.value,
        region_code=body.region_code,
        subject=body.subject,
        text=body.text,
        channel=Channel.ONLINE,
        anonymous=body.anonymous,
        identity=identity,
        received_at=now,
        now=now,
    )
    report.receipt_lookup = t.receipts.lookup(normal)
    report.receipt_hash = slow
    report.notify_outcome = body.notify_outcome
    session.add(report)
    session.add(key)
    if files:
        await attachments.add(
            session,
            settings,
            report,
            vault,
            body.attachments,
            sender=REPORTER,
            pointer="/attachments",
            now=now,
            stored=0,
            files=files,
        )
    await grouping.add_bands(session, report)
    add_step(
        session,
        report,
        StepKind.FILED,
        REPORTER,
        visible=True,
        details={"channel": report.channel, "accept_due": report.accept_due.isoformat()},
        now=now,
    )
    await session.flush()
    finding = await grouping.place(session, settings, report, now=now)
    if finding is not None:
        await alerts.raise_findings(session, [finding], now=now, repeat=True)
    add_event(session, events.report_filed(report))
    await session.commit()
    return ReceiptOut(receipt=code, status=Status.RECEIVED, filed_at=now, accept_due=report.accept_due)


async def _by_receipt(session: AsyncSession, settings: ComplaintsSettings, receipt: str) -> Report:
    """The report this receipt opens. The argon2 check runs outside any transaction."""
    t = tools(settings)
    code = normalise(receipt)
    if code is None:
        await t.receipts.burn()
        raise ReceiptNotRecognised()
    report = await repository.report_by_receipt(session, t.receipts.lookup(code))
    stored = report.receipt_hash if report is not None else None
    report_id = report.id if report is not None else None
    await session.rollback()  # end the read before the slow hash (SQLite would hold its lock)
    if stored is None or report_id is None:
        await t.receipts.burn()
        raise ReceiptNotRecognised()
    if not await t.receipts.verify(stored, code):
        raise ReceiptNotRecognised()
    found = await repository.report(session, report_id, for_update=True)
    if found is None or found.status == Status.PURGED:
        raise ReceiptNotRecognised()
    return found


async def _follow_up_out(session: AsyncSession, settings: ComplaintsSettings, report: Report) -> FollowUpOut:
    vault = await vault_of(session, settings, report)
    messages = []
    for step in await repository.steps(session, report.id):
        if not step.visible_to_reporter:
            continue
        text = vault.unseal(step.note_sealed, "step") if step.note_sealed else None
        messages.append(PublicMessageOut(at=step.at, kind=step.kind, text=text))
    files = [
        attachments.public_out(row, vault)
        for row in await repository.attachments(session, report.id)
        if row.sender == REPORTER
    ]
    return FollowUpOut(
        status=report.status,
        category=report.category,
        filed_at=report.filed_at,
        accept_due=report.accept_due,
        conclude_due=report.conclude_due,
        outcome=report.outcome,
        messages=messages,
        attachments=files,
    )


async def follow_up(session: AsyncSession, settings: ComplaintsSettings, receipt: str) -> FollowUpOut:
    report = await _by_receipt(session, settings, receipt)
    out = await _follow_up_out(session, settings, report)
    await session.rollback()
    return out


async def add_message(
    session: AsyncSession, settings: ComplaintsSettings, body: ReporterMessageIn, *, now: datetime | None = None
) -> FollowUpOut:
    now = now or utcnow()
    report = await _by_receipt(session, settings, body.receipt)
    if report.status in (Status.CLOSED, Status.REJECTED, Status.REFERRED):
        raise WrongState(f"the report is {report.status}: messages are closed", status_now=report.status)
    if await repository.count_messages(session, report.id) >= settings.messages_max_per_report:
        raise WrongState("this report has as many messages from the reporter as it may hold")
    vault = await vault_of(session, settings, report)
    add_step(session, report, StepKind.REPORTER_MESSAGE, REPORTER, vault=vault, note=body.text, visible=True, now=now)
    await session.flush()
    out = await _follow_up_out(session, settings, report)
    await session.commit()
    return out


async def add_attachments(
    session: AsyncSession, settings: ComplaintsSettings, body: ReporterAttachmentsIn, *, now: datetime | None = None
) -> FollowUpOut:
    """The reporter sends more files (the receipt in the body); refused once the report is closed."""
    now = now or utcnow()
    files = attachments.checked(settings, body.attachments, pointer="/attachments")  # refuse before argon2 work
    report = await _by_receipt(session, settings, body.receipt)
    if report.status not in attachments.OPEN_TO_FILES:
        raise WrongState(f"the report is {report.status}: no more files", status_now=report.status)
    vault = await vault_of(session, settings, report)
    await attachments.add(
        session,
        settings,
        report,
        vault,
        body.attachments,
        sender=REPORTER,
        pointer="/attachments",
        now=now,
        files=files,
    )
    await session.flush()
    out = await _follow_up_out(session, settings, report)
    await session.commit()
    return out


async def appeal(
    session: AsyncSession, settings: ComplaintsSettings, body: AppealIn, *, now: datetime | None = None
) -> FollowUpOut:
    """The reporter disagrees with the conclusion (复查申请): a reviewer decides (handling.review)."""
    now = now or utcnow()
    report = await _by_receipt(session, settings, body.receipt)
    if report.status != Status.CONCLUDED:
        raise WrongState(
            f"only a concluded report can be appealed; this one is {report.status}", status_now=report.status
        )
    vault = await vault_of(session, settings, report)
    report.status = Status.APPEALED
    add_step(session, report, StepKind.APPEALED, REPORTER, vault=vault, note=body.reason, visible=True, now=now)
    await session.flush()
    out = await _follow_up_out(session, settings, report)
    await session.commit()
    return out
