"""docs/rules.md is generated from the rule registries of all five services and must not go stale."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
spec = importlib.util.spec_from_file_location("export_rules", ROOT / "scripts" / "export_rules.py")
assert spec and spec.loader
export = importlib.util.module_from_spec(spec)
spec.loader.exec_module(export)


def test_docs_rules_md_matches_the_registries():
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == export.render(), "docs/rules.md is stale: run `uv run python scripts/export_rules.py`"


def test_every_funds_rule_is_in_the_catalogue():
    from funds.rules import RULES

    text = export.render()
    for rule in RULES:
        assert f"### {rule.id}" in text and rule.title_zh in text
