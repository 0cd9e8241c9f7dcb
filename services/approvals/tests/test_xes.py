"""The XES reader and ``approvals-check`` on the real logs of shared/data/xes (4TU.ResearchData; cited in
services/approvals/mappings/*.toml). Cases named here were checked by hand against the XML."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from approvals.check import main
from sunlight.testing.data import require_data
from sunlight.xes import XesError, count_events, iter_traces

MAPPINGS = Path(__file__).resolve().parents[1] / "mappings"


def run(capsys: pytest.CaptureFixture[str], mapping: Path | str, log: Path) -> tuple[int, dict[str, Any], str]:
    code = main(["--mapping", str(mapping), str(log)])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else {}), err


@pytest.mark.parametrize(
    ("name", "traces", "events"),
    [
        ("receipt.xes", 1434, 8577),
        ("roadtraffic100traces.xes", 100, 390),
        ("roadtraffic_1t_per_variant.xes", 231, 1891),
        ("running-example.xes", 6, 42),
        ("bpic2013_incidents.xes.gz", 7554, 65533),  # gzip, found by its magic number
    ],
)
def test_the_stream_reader_counts_every_trace_and_event(name: str, traces: int, events: int) -> None:
    assert count_events(require_data("xes", name)) == (traces, events)


def test_a_trace_is_read_with_its_typed_attributes_and_events() -> None:
    first = next(iter_traces(require_data("xes", "receipt.xes")))
    assert first.case_id == "case-10011" and first.attributes["channel"] == "Internet"
    assert first.attributes["deadline"].isoformat() == "2011-12-06T13:41:31.788000+01:00"
    assert [e.activity for e in first.events][:2] == ["Confirmation of receipt", "T02 Check confirmation of receipt"]
    assert first.events[0].resource == "Resource21" and first.events[0].transition == "complete"
    fine = next(iter_traces(require_data("xes", "roadtraffic100traces.xes")))
    assert isinstance(fine.events[0].attributes["amount"], float)


def test_approvals_check_on_the_receipt_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, found, summary = run(capsys, MAPPINGS / "receipt.toml", require_data("xes", "receipt.xes"))
    assert code == 0
    assert set(found) == {"APPROVALS-STEP-ORDER", "APPROVALS-SELF-APPROVAL", "APPROVALS-LEGAL-OVERDUE",
                          "APPROVALS-PROMISE-OVERDUE"}  # fmt: skip
    assert {r: len(c) for r, c in found.items()} == {
        "APPROVALS-STEP-ORDER": 1,
        "APPROVALS-SELF-APPROVAL": 1051,
        "APPROVALS-LEGAL-OVERDUE": 18,
        "APPROVALS-PROMISE-OVERDUE": 92,
    }
    # case-7917: confirmation, T02, T05 on 30 June 2011 — never determined (T04)
    assert found["APPROVALS-STEP-ORDER"]["case-7917"]["skipped"] == ["T04 Determine confirmation of receipt"]
    # case-10024: Resource03 checked (T02) and determined (T04) the same confirmation
    assert found["APPROVALS-SELF-APPROVAL"]["case-10024"]["violations"] == [
        {
            "steps": ["T02 Check confirmation of receipt", "T04 Determine confirmation of receipt"],
            "person": "Resource03",
        }
    ]
    # case-10071: received 19 Oct 2011, last step 18 Jan 2012: 91 days (8 weeks = 56), past its deadline of 12 Dec
    legal = found["APPROVALS-LEGAL-OVERDUE"]["case-10071"]
    assert (legal["used_days"], legal["days_over"]) == (91, 35)
    assert found["APPROVALS-PROMISE-OVERDUE"]["case-10071"]["late_by_days"] == 37
    assert "case-10011" not in found["APPROVALS-STEP-ORDER"]
    assert summary.startswith("1434 traces, 8577 events, 0 unmatched")


def test_where_selects_the_traces_of_an_item(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    mapping = tmp_path / "internet.toml"
    mapping.write_text(
        '[[item]]\nname = "receipt"\nwhere = { channel = "Internet" }\n'
        'four_eyes = [["T02 Check confirmation of receipt", "T04 Determine confirmation of receipt"]]\n',
        encoding="utf-8",
    )
    code, found, summary = run(capsys, mapping, require_data("xes", "receipt.xes"))
    assert code == 0 and "184 unmatched" in summary  # 109 desk, 53 post, 21 e-mail, 1 intern
    assert "case-10024" in found["APPROVALS-SELF-APPROVAL"] and found["APPROVALS-LEGAL-OVERDUE"] == {}


def test_approvals_check_on_the_road_traffic_fines(capsys: pytest.CaptureFixture[str]) -> None:
    code, found, _ = run(capsys, MAPPINGS / "roadtraffic.toml", require_data("xes", "roadtraffic100traces.xes"))
    assert code == 0 and len(found["APPROVALS-LEGAL-OVERDUE"]) == 35
    # A10466: created 19 Mar 2007, sent 17 Jul 2007 — 120 days, 30 past the 90 of art. 201
    assert found["APPROVALS-LEGAL-OVERDUE"]["A10466"]["used_days"] == 120
    code, variants, _ = run(
        capsys, MAPPINGS / "roadtraffic.toml", require_data("xes", "roadtraffic_1t_per_variant.xes")
    )
    assert code == 0 and len(variants["APPROVALS-LEGAL-OVERDUE"]) == 107 and variants["APPROVALS-STEP-ORDER"] == {}


def test_approvals_check_on_the_gzipped_incident_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, found, summary = run(capsys, MAPPINGS / "bpic2013.toml", require_data("xes", "bpic2013_incidents.xes.gz"))
    assert code == 0 and summary.startswith("7554 traces, 65533 events")
    assert len(found["APPROVALS-STEP-ORDER"]) == 4 and len(found["APPROVALS-SELF-APPROVAL"]) == 1448
    assert found["APPROVALS-STEP-ORDER"]["1-736504398"]["skipped"] == ["Accepted"]  # completed, never accepted


def test_a_wrong_mapping_or_log_is_a_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[item]]\nname = "x"\nfour_eyes = [["a"]]\n', encoding="utf-8")
    code, _, err = run(capsys, bad, require_data("xes", "running-example.xes"))
    assert code == 2 and "four_eyes" in err
    broken = tmp_path / "broken.xes.gz"
    broken.write_bytes(gzip.compress(b"<log><trace><event>"))
    with pytest.raises(XesError):
        list(iter_traces(broken))


def test_a_year_the_working_day_calendar_lacks_is_refused_not_guessed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = tmp_path / "future.xes"
    log.write_text(
        '<log xmlns="http://www.xes-standard.org/"><trace><string key="concept:name" value="c1"/>'
        '<event><string key="concept:name" value="a"/>'
        '<date key="time:timestamp" value="2031-03-03T09:00:00+08:00"/></event>'
        '<event><string key="concept:name" value="b"/>'
        '<date key="time:timestamp" value="2031-05-03T09:00:00+08:00"/></event>'
        "</trace></log>",
        encoding="utf-8",
    )
    mapping = tmp_path / "m.toml"
    mapping.write_text('[[item]]\nname = "x"\nlegal_days = 20\n', encoding="utf-8")
    code, _, err = run(capsys, mapping, log)
    assert code == 2 and "2031" in err
