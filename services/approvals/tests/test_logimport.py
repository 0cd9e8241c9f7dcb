"""A real process log imported into the service: cases and steps stored, the same findings as approvals-check,
and the sweep over what stays open."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from approvals.cases import write_steps
from approvals.logcheck import check_traces
from approvals.logimport import import_log
from approvals.mapping import load_mapping
from approvals.schemas.cases import StepIn
from approvals.settings import ApprovalsSettings
from approvals.sweeps import run_sweep
from fastapi import FastAPI
from sunlight.auth import Principal
from sunlight.testing.data import require_data
from sunlight.workdays import WorkdayCalendar
from sunlight.xes import iter_traces

from .conftest import Maker, at

MAPPING = Path(__file__).resolve().parents[1] / "mappings" / "receipt.toml"
TRACES = 300  # the first 300 applications of the receipt log
IMPORTER = Principal(
    subject="log-importer",
    client_id="log-importer",
    kind="client",
    scopes=frozenset({"approvals:read", "approvals:write"}),
    regions=("130300",),
)


async def all_warnings(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/approvals/warnings", headers=headers, params=params)).json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


async def test_the_receipt_log_imported_finds_what_the_analysts_command_finds(
    make: Maker, approvals: httpx.AsyncClient, approvals_app: FastAPI, approvals_settings: ApprovalsSettings
) -> None:
    log = require_data("xes", "receipt.xes")
    mapping = load_mapping(MAPPING)
    await make.item(code="receipt", legal_days=40, required_steps=["accept", "review", "decide", "conclude"],
                    four_eyes=[["review", "decide"]])  # fmt: skip
    async with approvals_app.state.db.sessions() as session:
        stats = await import_log(session, approvals_settings, IMPORTER, log, mapping, region_code="130302",
                                 max_traces=TRACES, traces_per_commit=120)  # fmt: skip
    assert (stats.traces, stats.cases) == (TRACES, TRACES)

    # the same first traces through the analysts' check, with only the review/decide pair (T02/T04)
    only_t02_t04 = mapping.model_copy(deep=True)
    only_t02_t04.item[0].four_eyes = [["T02 Check confirmation of receipt", "T04 Determine confirmation of receipt"]]
    expected = check_traces(itertools.islice(iter_traces(log), TRACES), only_t02_t04, WorkdayCalendar())
    stored = await all_warnings(approvals, make.headers)
    by_rule = Counter(w["rule_id"] for w in stored)
    assert by_rule["APPROVALS-SELF-APPROVAL"] == len(expected.findings["APPROVALS-SELF-APPROVAL"]) > 0
    labels = {w["evidence"]["case_no"] for w in stored if w["rule_id"] == "APPROVALS-SELF-APPROVAL"}
    assert labels == set(expected.findings["APPROVALS-SELF-APPROVAL"])

    # case-10024 (checked by hand): accepted, reviewed, decided and sent by Resource03 within four minutes
    case = await make.get_case("case-10024")
    assert (case["status"], case["officer_code"], case["used_days"]) == ("concluded", "Resource03", 0)
    timeline = (await approvals.get(f"/v1/approvals/cases/{case['id']}/timeline", headers=make.headers)).json()
    assert [s["step"] for s in timeline["steps"]] == ["accept", "review", "decide", "conclude"]

    # the sweep: the applications never concluded (T05 never came) run out of time with nothing happening
    listed = await approvals.get(
        "/v1/approvals/cases", headers=make.headers, params={"status": "accepted", "limit": 500}
    )
    open_before = listed.json()["items"]
    async with approvals_app.state.db.sessions() as session:
        swept = await run_sweep(session, approvals_settings, now=datetime.now(UTC))
    assert swept.cases == len(open_before) > 0
    assert swept.findings.get("APPROVALS-LEGAL-OVERDUE") == len(open_before)


async def test_steps_already_stored_are_left_out_and_a_wrong_record_is_named_by_its_own_index(
    make: Maker, approvals_app: FastAPI, approvals_settings: ApprovalsSettings
) -> None:
    """What an import sends again is counted, not stored twice; the record that is wrong is the one reported,
    however many known ones came before it in the chunk."""
    item = await make.item(code="receipt")
    case_no = await make.case(item, [("accept", "2026-03-02", {})])
    known = StepIn(case_no=case_no, region_code="130302", step="accept", occurred_at=at("2026-03-02"))
    review = StepIn(case_no=case_no, region_code="130302", step="review", occurred_at=at("2026-03-03"))
    stray = StepIn(case_no="C-stray", region_code="130302", step="accept", occurred_at=at("2026-03-03"),
                   item_code="NO-SUCH-ITEM")  # fmt: skip
    async with approvals_app.state.db.sessions() as session:
        written, wrong = await write_steps(session, approvals_settings, IMPORTER, [known, stray], skip_stored=True)
        assert [(index, type(problem).__name__) for index, problem in wrong] == [(1, "UnknownItem")]
        await session.rollback()
        written, wrong = await write_steps(session, approvals_settings, IMPORTER, [known, review], skip_stored=True)
        assert wrong == [] and written.known == 1 and [s.kind for s in written.steps] == ["review"]
        await session.commit()
    timeline = await make.client.get("/v1/approvals/cases", headers=make.headers, params={"limit": 500})
    case = next(c for c in timeline.json()["items"] if c["case_no"] == case_no)
    steps = (await make.client.get(f"/v1/approvals/cases/{case['id']}/timeline", headers=make.headers)).json()
    assert [s["step"] for s in steps["steps"]] == ["accept", "review"]
