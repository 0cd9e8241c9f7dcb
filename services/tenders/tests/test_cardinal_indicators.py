"""Cardinal's indicators: every documented example and every golden test of cardinal-rs, line for line.

Fixtures in ``fixtures/cardinal/`` are copied unchanged from open-contracting/cardinal-rs (MIT,
``LICENSE.cardinal-rs.txt``): ``docs/`` holds each indicator page's demonstration input
(``docs/examples/R/*.jsonl`` and settings, commit b04158a; R044 from branch ``r044`` 1891189) with
the output printed on the page (``expected.json``, extracted from ``docs/cli/indicators/R/*.md``);
``golden/`` holds ``tests/fixtures/indicators/*.jsonl`` + ``*.expected`` (same commits), which
cardinal-rs runs with the indicator enabled, ``no_price_comparison_procurement_methods = NPC`` and
``[exclusions] procurement_method_details = EXC`` and the setting named in the file name
(``build.rs``). Each input mixes processes that must be flagged with ones that must not, so an
equal output is both the fire and the no-fire test.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from tenders.indicators import CODES, INDICATORS, Settings, SettingsError, parse_ini, read_jsonl, run, stats

CARDINAL = Path(__file__).parent / "fixtures" / "cardinal"
DOCS = json.loads((CARDINAL / "docs" / "expected.json").read_text())
GOLDEN = sorted((CARDINAL / "golden").glob("*.jsonl"))


def golden_settings(name: str) -> str:
    """cardinal-rs ``build.rs``: ``R003-threshold-10`` → ``[R003] threshold = 10``; ``a-b-x-5-y-10`` → a map."""
    parts = name.replace("+", "|").split("-")
    code = parts.pop(0)
    ini = f"no_price_comparison_procurement_methods = NPC\n[exclusions]\nprocurement_method_details = EXC\n[{code}]\n"
    if len(parts) == 2:
        ini += f"{parts[0]} = {parts[1]}\n"
    elif len(parts) > 2:
        ini += f"[{code}.{parts[0]}]\n" + "".join(f"{k} = {v}\n" for k, v in zip(parts[1::2], parts[2::2], strict=True))
    return ini


@pytest.mark.parametrize("code", sorted(DOCS))
def test_documented_demonstration_prints_what_cardinal_prints(code: str) -> None:
    case = DOCS[code]
    settings = parse_ini((CARDINAL / "docs" / case["settings"]).read_text())
    result = run(read_jsonl(CARDINAL / "docs" / f"{code}.jsonl"), settings)
    assert result.as_json() == case["expected"], case["source"]


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_cardinal_golden_file(path: Path) -> None:
    expected = json.loads(path.with_suffix(".expected").read_text())
    result = run(read_jsonl(path), parse_ini(golden_settings(path.stem)))
    assert result.as_json() == expected


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_inputs_hold_quiet_processes_too(path: Path) -> None:
    """The equality above is a no-fire test as well: some processes in each input are not flagged."""
    ocids = {r["ocid"] for r in read_jsonl(path) if isinstance(r.get("ocid"), str)}
    expected = json.loads(path.with_suffix(".expected").read_text())
    flagged = set(expected.get("OCID", {}))
    if "OCID" in expected:
        assert flagged and ocids - flagged, "each OCID-level golden file has flagged and quiet processes"


def test_every_indicator_has_a_documented_example_except_the_r055_draft() -> None:
    assert set(CODES) - {f"R{c}" for c in DOCS} == {"R055"}
    assert set(INDICATORS) == set(CODES)


def bid(tid: str, amount: float, status: str = "valid", **extra: object) -> dict[str, object]:
    return {"status": status, "tenderers": [{"id": tid}], "value": {"amount": amount, "currency": "CNY"}, **extra}


def process(ocid: str, bids: list[dict[str, object]], winner: str, **extra: object) -> dict[str, object]:
    return {
        "ocid": ocid,
        "buyer": {"id": "B"},
        "bids": {"details": bids},
        "awards": [{"status": "active", "suppliers": [{"id": winner}]}],
        **extra,
    }


def test_r024_fence_is_fitted_on_the_dataset_with_cardinals_quartiles() -> None:
    # 20 ordinary processes: the runner-up 10.0–11.9 % above the winner; one at 0.1 %.
    data = [process(f"P{i}", [bid("W", 100), bid(f"L{i}", 110 + i / 10)], "W") for i in range(20)]
    data.append(process("NEAR", [bid("W", 1000), bid("X", 1001)], "W"))
    result = run(data, Settings(enabled=frozenset({"R024", "R058"})))
    ratios = [(10 + i / 10) / 100 for i in range(20)] + [0.001]
    q1, q3 = stats.quartiles(ratios)
    assert result.meta["R024"]["lower_fence"] == stats.round4(q1 - 1.5 * (q3 - q1))
    assert result.as_json()["OCID"] == {"NEAR": {"R024": pytest.approx(0.001)}}
    assert result.as_json()["Tenderer"] == {"W": {"R024": 0.0}, "X": {"R024": 0.0}}


def test_cancelled_excluded_and_foreign_currency_processes_are_skipped() -> None:
    one_bid = {"numberOfTenderers": 1, "procurementMethod": "open"}
    data = [
        {"ocid": "A", "tender": one_bid},
        {"ocid": "C", "tender": {**one_bid, "status": "cancelled"}},
        {"ocid": "X", "tender": {**one_bid, "procurementMethodDetails": "Sorteo"}},
        {"ocid": 7, "tender": one_bid},
    ]
    settings = parse_ini("[exclusions]\nprocurement_method_details = Sorteo\n[R018]\n")
    assert run(data, settings).as_json() == {"OCID": {"A": {"R018": 1.0}}}


def test_r036_compares_only_the_main_currency() -> None:
    low_usd = {"status": "disqualified", "tenderers": [{"id": "D"}], "value": {"amount": 1, "currency": "USD"}}
    data = [process("P", [bid("W", 100), low_usd], "W")]
    assert run(data, parse_ini("currency = CNY\n[R036]\n")).as_json() == {}
    assert run(data, parse_ini("currency = USD\n[R036]\n")).as_json() == {}  # no valid USD bid
    data[0]["bids"]["details"].append(bid("D", 1, status="disqualified"))  # type: ignore[index]
    assert run(data, parse_ini("currency = CNY\n[R036]\n")).as_json() == {"OCID": {"P": {"R036": 1.0}}}


def r055_process(
    ocid: str, method: str, amount: int, supplier: str = "S", day: str = "2025-03-01"
) -> dict[str, object]:
    when = f"{day}T00:00:00+08:00"
    return {
        "ocid": ocid,
        "buyer": {"id": "B"},
        "tender": {
            "procurementMethod": method,
            "procuringEntity": {"id": "PE"},
            "tenderPeriod": {"startDate": when},
            "value": {"amount": amount, "currency": "CNY"},
        },
        "awards": [
            {
                "status": "active",
                "date": when,
                "suppliers": [{"id": supplier}],
                "value": {"amount": amount, "currency": "CNY"},
            }
        ],
    }


def test_r055_direct_awards_adding_up_to_the_smallest_open_tender_fire() -> None:
    settings = parse_ini("[R055]\nstart_date = 2025-01-01\nend_date = 2025-12-31\n")
    data = [
        r055_process("open-1", "open", 400_000),
        r055_process("open-2", "open", 900_000),
        r055_process("d1", "direct", 150_000),
        r055_process("d2", "direct", 150_000),
        r055_process("d3", "direct", 150_000),  # S: 450,000 in direct awards ≥ 400,000
        r055_process("d4", "direct", 390_000, supplier="T"),  # T: just below
        r055_process("old", "direct", 500_000, supplier="U", day="2024-06-01"),  # outside the window
    ]
    result = run(data, settings)
    assert result.as_json() == {
        "Buyer": {"B": {"R055": 450_000.0}},
        "ProcuringEntity": {"PE": {"R055": 450_000.0}},
        "Tenderer": {"S": {"R055": 450_000.0}},
    }
    assert result.meta["R055"]["lower_open_amount"] == 400_000.0
    assert run(data[:1] + data[3:4], settings).as_json() == {}  # one direct award of 150,000: quiet


def test_quantile_is_statrs_method_8() -> None:
    assert stats.quantile([1, 2, 3, 4], 0.25) == pytest.approx(1 + (4 + 1 / 3) * 0.25 + 1 / 3 - 1)
    assert stats.quantile([5.0], 0.75) == 5.0
    assert stats.quantile([1, 2, 3], 0.0) == 1 and stats.quantile([1, 2, 3], 1.0) == 3
    assert stats.quantile([], 0.5) != stats.quantile([], 0.5)  # NaN
    assert stats.quantile([1, 2], 1.5) != stats.quantile([1, 2], 1.5)
    assert stats.round4(0.123456) == 0.1235 and stats.round4(-2.00005) == -2.0001


def test_settings_refuse_what_cardinal_refuses() -> None:
    with pytest.raises(SettingsError, match=r"\[R024\] thresold: unknown property"):
        parse_ini("[R024]\nthresold = 0.05\n")
    with pytest.raises(SettingsError, match="unknown section"):
        parse_ini("[R999]\n")
    with pytest.raises(SettingsError, match="expected uint"):
        parse_ini("[R035]\nthreshold = -1\n")
    settings = parse_ini(
        "currency = USD\nno_price_comparison_procurement_methods = Random Selection|Sorteo de Obras|\n"
        "[defaults]\ncurrency = USD\n[R035]\nthreshold = 0\n[R003.procurement_method_details]\nLicitación = 10\n"
        "[R055]\nstart_date = 2025-01-01\n"
    )
    assert settings.enabled == frozenset({"R003", "R035", "R055"})
    assert settings.currency == "USD"
    assert settings.no_price_comparison_procurement_methods == frozenset({"Random Selection", "Sorteo de Obras"})
    assert settings.r035_threshold == 1  # Cardinal: max(threshold, 1)
    assert settings.r003_procurement_method_details == {"Licitación": 10}
    assert settings.r055_window(date(2025, 6, 1)) == (date(2025, 1, 1), date(2025, 6, 1))
    assert parse_ini(None).enabled == frozenset(CODES)


def varied(n: int, currencies: tuple[str, ...] = ("CNY",)) -> list[dict[str, object]]:
    """Processes that exercise every accumulator: shared tenderers, disqualifications, close and far prices."""
    out = []
    for i in range(n):
        winner, runner = f"T{i % 17}", f"T{(i * 7 + 3) % 17}"
        bids = [
            bid(winner, 100 + i % 5),
            {**bid(runner, 100 + i % 5 + (i % 9) * 3), "status": "disqualified" if i % 4 == 0 else "valid"},
            bid(f"T{(i * 5 + 1) % 17}", 150 + i % 11),
        ]
        for b in bids:
            b["value"]["currency"] = currencies[i % len(currencies)]  # type: ignore[index]
        release = process(f"ocds-{i}", bids, winner, tender={"procuringEntity": {"id": f"PE{i % 6}"}})
        release["buyer"] = {"id": f"B{i % 5}"}
        release["awards"][0]["items"] = [{"classification": {"id": f"{(i * 13) % 90 + 10}000000"}}]  # type: ignore[index]
        out.append(release)
    return out


@pytest.mark.parametrize("currencies", [("CNY",), ("CNY", "USD")])
def test_the_parallel_run_gives_the_sequential_answer(tmp_path: Path, currencies: tuple[str, ...]) -> None:
    import orjson
    from tenders.indicators import run_file

    path = tmp_path / "compiled.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in varied(600, currencies)))
    settings = parse_ini(
        "[R024]\n[R025]\n[R028]\n[R035]\n[R036]\n[R038]\n[R048]\nminimum_contracting_processes = 5\n[R058]\n"
    )
    sequential = run(read_jsonl(path), settings)
    parallel = run_file(path, settings, workers=3, min_bytes=0)
    assert sequential.as_json() and parallel.as_json() == sequential.as_json()
    assert parallel.meta == sequential.meta and parallel.releases == sequential.releases == 600


def test_r024_flags_a_difference_equal_to_the_fence_and_not_above() -> None:
    data = [
        process("AT", [bid("W", 100), bid("L", 105)], "W"),  # (105 − 100) / 100 = 0.05: at the fence
        process("ABOVE", [bid("W", 100), bid("M", 106)], "W"),
    ]
    result = run(data, parse_ini("[R024]\nthreshold = 0.05\n"))
    assert result.as_json() == {"OCID": {"AT": {"R024": 0.05}}, "Tenderer": {"W": {"R024": 0.0}, "L": {"R024": 0.0}}}


def test_r030_a_bid_at_the_deadline_is_on_time_one_second_later_is_late() -> None:
    deadline = "2026-03-21T09:00:00+08:00"

    def late_bid(ocid: str, when: str) -> dict[str, object]:
        release = process(ocid, [bid("W", 100, date=when), bid("L", 120, date="2026-03-20T09:00:00+08:00")], "W")
        release["tender"] = {"tenderPeriod": {"endDate": deadline}}
        return release

    data = [late_bid("ON-TIME", deadline), late_bid("LATE", "2026-03-21T09:00:01+08:00")]
    assert run(data, parse_ini("[R030]\n")).as_json() == {
        "OCID": {"LATE": {"R030": 1.0}},
        "Tenderer": {"W": {"R030": 1.0}},
    }
