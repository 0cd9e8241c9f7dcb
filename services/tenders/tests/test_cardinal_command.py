"""``tenders-indicators`` on real OCDS data: import → JSON Lines of compiled releases → the command.

The real files (``../shared/data/ocds``: Mexico City, CompraNet, Paraguay, the fictional example)
have no bid details, so only the tender-level flags can fire; the expectations are recomputed here
from the compiled releases with nothing but ``datetime``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import orjson
import pytest
from sunlight.testing.data import require_data
from tenders.indicators.cli import main
from tenders.ocds import import_file

CARDINAL_DOCS = Path(__file__).parent / "fixtures" / "cardinal" / "docs"


@pytest.fixture
def real_jsonl(tmp_path: Path) -> tuple[Path, dict[str, dict]]:
    base = require_data("ocds")
    processes: dict[str, dict] = {}
    for path in sorted(base.rglob("*.json")):
        if "iso-8859-1" in path.name:
            continue  # the UTF-8 twin holds the same process
        _, items = import_file(path)
        processes.update((p.ocid, p.compiled) for p in items)
    out = tmp_path / "compiled.jsonl"
    out.write_bytes(b"".join(orjson.dumps(c) + b"\n" for c in processes.values()))
    return out, processes


def short_period(release: dict) -> bool:
    period = (release.get("tender") or {}).get("tenderPeriod") or {}
    try:
        start, end = datetime.fromisoformat(period["startDate"]), datetime.fromisoformat(period["endDate"])
    except (KeyError, TypeError):
        return False
    return (end - start).total_seconds() < 15 * 86400


def test_real_processes_flag_short_periods_and_single_bids(
    real_jsonl: tuple[Path, dict[str, dict]], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path, processes = real_jsonl
    assert len(processes) == 8
    assert main(["--no-meta", str(path)]) == 0
    result = json.loads(capsysbinary.readouterr().out)
    assert set(result) == {"OCID"}
    r003 = {o for o, codes in result["OCID"].items() if "R003" in codes}
    r018 = {o for o, codes in result["OCID"].items() if "R018" in codes}
    assert r003 == {o for o, c in processes.items() if short_period(c)}
    assert len(r003) == 3  # CDMX processes opened and closed within 0–3 days
    assert r018 == {
        o
        for o, c in processes.items()
        if (t := c.get("tender") or {}).get("numberOfTenderers") == 1
        and t.get("procurementMethod") in ("open", "selective")
    }
    assert len(r018) == 1
    assert "ocds-213czf-000-00001" not in result["OCID"]  # the fictional tender: 38 days, 2 tenderers


def test_the_installed_command_prints_cardinals_json_with_meta(tmp_path: Path) -> None:
    command = shutil.which("tenders-indicators", path=str(Path(sys.executable).parent))
    assert command, "tenders-indicators is registered in services/tenders/pyproject.toml [project.scripts]"
    done = subprocess.run(
        [command, "--settings", str(CARDINAL_DOCS / "024.ini"), str(CARDINAL_DOCS / "024.jsonl")],
        capture_output=True,
        check=True,
    )
    out = json.loads(done.stdout)
    assert out["OCID"] == {"F": {"R024": 1.0}}
    assert set(out["Meta"]["R024"]) == {"q1", "q3", "lower_fence"}


def test_bad_settings_and_missing_files_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ini = tmp_path / "s.ini"
    ini.write_text("[R024]\nthreshold = low\n")
    with pytest.raises(SystemExit) as exited:
        main(["--settings", str(ini), str(CARDINAL_DOCS / "024.jsonl")])
    assert exited.value.code == 2 and "threshold: invalid value 'low'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main([str(tmp_path / "missing.jsonl")])
    assert exited.value.code == 2


def test_invalid_lines_are_skipped_like_cardinal(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    data = tmp_path / "mixed.jsonl"
    good = {"ocid": "A", "tender": {"procurementMethod": "open", "numberOfTenderers": 1}}
    data.write_bytes(b"{not json\n\n" + orjson.dumps(good) + b"\n\xff\xfe\n")
    assert main(["--no-meta", str(data)]) == 0
    assert json.loads(capsysbinary.readouterr().out) == {"OCID": {"A": {"R018": 1.0}}}
