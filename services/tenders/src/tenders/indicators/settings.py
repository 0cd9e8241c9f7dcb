"""Cardinal's settings file (INI), read with :mod:`configparser` into the same fields and defaults.

The format is Cardinal's (``docs/topics/settings.md``, ``ocdscardinal init``): top-level properties
before any section (``currency``, ``no_price_comparison_procurement_methods``,
``price_comparison_procurement_methods``), an ``[exclusions]`` section, and one section per
indicator; **a section enables its indicator** (``[R024]`` with no property runs R024 with its
defaults). Sections of Cardinal's ``prepare`` command (``[defaults]``, ``[redactions]``,
``[corrections]``, ``[modifications]``, ``[codelists.*]``) and ``[output]`` are accepted and
ignored. As in Cardinal (serde ``deny_unknown_fields``), an unknown section or property, or a
value of the wrong type, is an error naming it — never silently ignored.

Differences, by decision: ``parse_ini(None)`` (no settings file) enables every indicator with its
defaults, where Cardinal would run none; ``R044`` and ``R055`` come from Cardinal branches not yet
merged upstream (see ``engine.py``); a ``; comment`` or ``# comment`` after a value is dropped
(Cardinal's documentation writes ``threshold = 15 # default``).
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

CODES = ("R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R044", "R048", "R055", "R058")
IGNORED_SECTIONS = ("output", "defaults", "redactions", "corrections", "modifications")
TOP = "__top__"


class SettingsError(ValueError):
    """A settings file Cardinal would refuse: unknown section/property or a value of the wrong type."""


def pipe_set(value: str | None, default: str = "") -> frozenset[str]:
    """Rust's ``split_terminator('|')``: ``"a|b|"`` → {a, b}; ``""`` → {} ; ``"a||b"`` keeps the empty name."""
    text = default if value is None else value
    parts = text.split("|")
    if parts and parts[-1] == "":
        parts.pop()
    return frozenset(parts)


@dataclass(frozen=True)
class Settings:
    """Every knob of the 13 indicators, with Cardinal's defaults; ``enabled`` = the sections present."""

    enabled: frozenset[str] = frozenset(CODES)
    currency: str | None = None
    no_price_comparison_procurement_methods: frozenset[str] = frozenset()
    price_comparison_procurement_methods: frozenset[str] = frozenset()
    excluded_procurement_method_details: frozenset[str] = frozenset()
    r003_threshold: int = 15
    r003_procurement_methods: frozenset[str] = frozenset()
    r003_procurement_method_details: dict[str, int] = field(default_factory=dict)
    r018_procurement_methods: frozenset[str] = frozenset({"open", "selective"})
    r024_threshold: float | None = None
    r025_percentile: int = 75
    r025_threshold: float | None = None
    r035_threshold: int = 1
    r038_threshold: float | None = None
    r038_minimum_submitted_bids: int = 2
    r038_minimum_contracting_processes: int = 2
    r048_digits: int = 2
    r048_threshold: int | None = None
    r048_minimum_contracting_processes: int = 20
    r055_threshold: float | None = None
    r055_start_date: date | None = None  # default: 365 days before today (as Cardinal's draft)
    r055_end_date: date | None = None  # default: today
    r058_threshold: float | None = None

    def r055_window(self, today: date | None = None) -> tuple[date, date]:
        today = today or date.today()
        return (self.r055_start_date or today - timedelta(days=365), self.r055_end_date or today)


# section → {property: type}; "str" is a plain string, "pipe" a pipe-separated set.
SCHEMA: dict[str, dict[str, str]] = {
    TOP: {
        "currency": "str",
        "no_price_comparison_procurement_methods": "pipe",
        "price_comparison_procurement_methods": "pipe",
    },
    "exclusions": {"procurement_method_details": "pipe"},
    "R003": {"threshold": "int", "procurement_methods": "pipe"},
    "R018": {"procurement_methods": "pipe"},
    "R024": {"threshold": "float"},
    "R025": {"percentile": "uint", "threshold": "float"},
    "R028": {},
    "R030": {},
    "R035": {"threshold": "uint"},
    "R036": {},
    "R038": {"threshold": "float", "minimum_submitted_bids": "uint", "minimum_contracting_processes": "uint"},
    "R044": {},
    "R048": {"digits": "uint", "threshold": "uint", "minimum_contracting_processes": "uint"},
    "R055": {"threshold": "float", "start_date": "date", "end_date": "date"},
    "R058": {"threshold": "float"},
}


def _convert(kind: str, raw: str, where: str) -> object:
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    try:
        if kind == "int":
            return int(value)
        if kind == "uint":
            number = int(value)
            if number < 0:
                raise ValueError(value)
            return number
        if kind == "float":
            return float(value)
        if kind == "date":
            return date.fromisoformat(value)
    except ValueError:
        raise SettingsError(f"{where}: invalid value {raw!r} (expected {kind})") from None
    return value  # "str" and "pipe" (split by the caller)


def parse_ini(text: str | None, *, source: str = "settings") -> Settings:
    """Cardinal's INI settings → :class:`Settings`; ``None`` (no file) enables every indicator."""
    if text is None:
        return Settings()
    parser = configparser.ConfigParser(
        interpolation=None,
        inline_comment_prefixes=(";", "#"),
        comment_prefixes=(";", "#"),
        strict=False,
        default_section="\x00no-default",
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive, as in Cardinal
    try:
        parser.read_string(f"[{TOP}]\n{text}", source=source)
    except configparser.Error as e:
        raise SettingsError(f"{source}: {e}") from None

    values: dict[str, object] = {}
    enabled: set[str] = set()
    for section in parser.sections():
        options = parser[section]
        if section == "R003.procurement_method_details":
            enabled.add("R003")
            values["r003_procurement_method_details"] = {
                key: _convert("int", raw, f"{source} [{section}] {key}") for key, raw in options.items()
            }
            continue
        if section in IGNORED_SECTIONS or section.startswith("codelists."):
            continue
        if section not in SCHEMA:
            raise SettingsError(f"{source}: unknown section [{section}]")
        if section in CODES:
            enabled.add(section)
        for key, raw in options.items():
            kind = SCHEMA[section].get(key)
            where = f"{source} [{section}] {key}" if section != TOP else f"{source} {key}"
            if kind is None:
                raise SettingsError(f"{where}: unknown property")
            value = _convert(kind, raw, where)
            name = key if section == TOP else f"{section.lower()}_{key}"
            if section == "exclusions":
                name = "excluded_procurement_method_details"
            if kind == "pipe":
                value = pipe_set(str(value))
            values[name] = value
    if "r035_threshold" in values:
        values["r035_threshold"] = max(int(values["r035_threshold"]), 1)  # type: ignore[call-overload]
    return Settings(enabled=frozenset(enabled), **values)  # type: ignore[arg-type]


def load(path: str | Path | None) -> Settings:
    if path is None:
        return Settings()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SettingsError(f"{path}: {e}") from None
    return parse_ini(text, source=str(path))
