"""docs/operations.md documents every process setting (an operator configures only what is written down)."""

from __future__ import annotations

from pathlib import Path

from gateway.settings import GatewaySettings
from sunlight.settings import ServiceSettings

DOC = Path(__file__).resolve().parents[1] / "docs" / "operations.md"


def test_every_process_setting_is_documented():
    text = DOC.read_text(encoding="utf-8")
    names = {f"SUNLIGHT_{name.upper()}" for cls in (ServiceSettings, GatewaySettings) for name in cls.model_fields}
    assert sorted(n for n in names if f"`{n}`" not in text) == []
