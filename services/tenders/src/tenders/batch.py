"""The Cardinal indicators in batch over the service's own tenders (``POST /v1/tenders/indicators/run``).

Each tender in the caller's regions becomes its OCDS compiled release (``publication.py``) and the
Cardinal engine of ``tenders.indicators`` runs over them with the caller's INI settings (Cardinal's
format; none: every indicator with its defaults). The quartiles and fences are computed over the
tenders the caller sees, so a county's run compares the county's tenders with each other. Results
are Cardinal's JSON (``OCID`` / ``Buyer`` / ``ProcuringEntity`` / ``Tenderer`` → identifier → code →
value), the same the ``tenders-indicators`` command prints for the same compiled releases. Contracting processes
imported from OCDS files (``ocds_imports.py``) join them as their stored compiled releases.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal

from tenders import publication, repository
from tenders.errors import IndicatorSettingsInvalid, TooManyTenders
from tenders.indicators import SettingsError, parse_ini, run
from tenders.ocds import export
from tenders.schemas.findings import IndicatorRunIn, IndicatorRunOut
from tenders.settings import TendersSettings


async def run_indicators(
    session: AsyncSession, settings: TendersSettings, who: Principal, body: IndicatorRunIn
) -> IndicatorRunOut:
    try:
        cardinal = parse_ini(body.settings_ini, source="settings_ini")
    except SettingsError as exc:
        raise IndicatorSettingsInvalid(str(exc), field="/settings_ini") from None
    tenders = await repository.tenders_within(session, who.region_prefixes, limit=settings.indicator_max_tenders + 1)
    if len(tenders) > settings.indicator_max_tenders:
        raise TooManyTenders(
            f"more than {settings.indicator_max_tenders} tenders in these regions: use the tenders-indicators "
            "command over an export",
            max_tenders=settings.indicator_max_tenders,
        )
    releases = []
    for tender in tenders:
        doc, steps = await publication.tender_doc(session, settings, tender)
        releases.append(export.compiled_release(doc, date=max(steps.values())))
    limit = settings.indicator_max_tenders - len(releases) + 1
    imported = await repository.ocds_processes_within(session, who.region_prefixes, limit=limit)
    if len(releases) + len(imported) > settings.indicator_max_tenders:
        raise TooManyTenders(
            f"more than {settings.indicator_max_tenders} tenders and imported processes in these regions: use the "
            "tenders-indicators command over an export",
            max_tenders=settings.indicator_max_tenders,
        )
    releases += [p.compiled for p in imported]
    result = run(releases, cardinal)
    return IndicatorRunOut(tenders=len(releases), results=result.as_json(), counts=result.counts())
