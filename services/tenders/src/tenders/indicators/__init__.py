"""Cardinal's procurement red flags (open-contracting/cardinal-rs) in Python, over OCDS compiled releases.

    from tenders.indicators import Settings, parse_ini, run, read_jsonl
    result = run(read_jsonl("compiled.jsonl"), parse_ini(open("settings.ini").read()))
    result = run_file("compiled.jsonl", load("settings.ini"))   # the same, on every core
    result.as_json()          # {"OCID": {ocid: {"R024": 0.01}}, "Tenderer": {...}, ...}

Command line (the same output as ``ocdscardinal indicators --no-meta``)::

    uv run tenders-indicators [--settings FILE.ini] [--no-meta] FILE.jsonl

Pure Python, no database: the tenders service maps its own tenders onto compiled releases
(``tenders.ocds.export``) and runs the same engine in batch and live.
"""

from tenders.indicators.catalogue import INDICATORS, Indicator
from tenders.indicators.engine import Engine, run
from tenders.indicators.parallel import run_file
from tenders.indicators.reader import read_jsonl
from tenders.indicators.result import Result
from tenders.indicators.settings import CODES, Settings, SettingsError, load, parse_ini

__all__ = [
    "CODES",
    "INDICATORS",
    "Engine",
    "Indicator",
    "Result",
    "Settings",
    "SettingsError",
    "load",
    "parse_ini",
    "read_jsonl",
    "run",
    "run_file",
]
