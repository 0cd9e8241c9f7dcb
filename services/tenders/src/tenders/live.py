"""Cardinal's per-tender indicators, live: the tender's compiled release through the engine, in the write's transaction.

When a tender is opened, awarded or contracted, its OCDS compiled release (the one ``GET /v1/tenders/ocds/...``
publishes) goes through :class:`tenders.indicators.Engine` with only the indicators one tender decides
(``rules.CARDINAL_LIVE``) enabled, Cardinal's defaults otherwise. Each OCID flag becomes a finding keyed by
the rule and the tender (region-scoped by ``Found``). A later write that finds the same flag with the same
evidence sends nothing (the register would only count a repeat of one fact); changed evidence (another
tenderer, another value) is sent again under the same key.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tenders import publication, repository, rules
from tenders.findings import Found
from tenders.indicators import Engine, Settings
from tenders.models import Tender
from tenders.ocds import export
from tenders.settings import TendersSettings

LIVE_SETTINGS = Settings(enabled=frozenset(rules.CARDINAL_LIVE))


async def cardinal_findings(session: AsyncSession, settings: TendersSettings, tender: Tender) -> list[Found]:
    """The per-tender Cardinal flags of this tender as it stands now, minus those already sent unchanged."""
    await session.flush()
    doc, steps = await publication.tender_doc(session, settings, tender)
    release = export.compiled_release(doc, date=max(steps.values()))
    engine = Engine(LIVE_SETTINGS)
    engine.add(release)
    result = engine.finish()
    flagged = result.results["OCID"].get(doc.ocid, {})
    tenderers = result.results["Tenderer"]
    found = []
    for code, value in sorted(flagged.items()):
        rule = rules.CARDINAL_LIVE.get(code)
        if rule is None:
            continue
        found.append(
            Found.about_tender(
                tender,
                rule=rule,
                unit_uscc=tender.owner_uscc,
                evidence={
                    "tender_id": str(tender.id),
                    "ocid": doc.ocid,
                    "indicator": code,
                    "value": value,
                    "tenderers": sorted(t for t, codes in tenderers.items() if code in codes),
                },
                dedupe_key=f"{rule.id}:tender:{tender.id}",
            )
        )
    if not found:
        return []
    sent = await repository.findings_by_keys(session, {f.dedupe_key for f in found})
    return [f for f in found if (row := sent.get(f.dedupe_key)) is None or row.evidence != f.evidence]
