"""Where the shared public data sets are (read-only, beside the repository, never copied into it).

Looked up in order: ``SUNLIGHT_DATA_DIR``; ``../shared/data`` beside the repository; the
workplace's ``/work/shared/data``. A test that needs them skips only when none exists and
``SUNLIGHT_REQUIRE_DATA`` is not set — CI sets it, so there a missing folder fails instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
CANDIDATES = (REPO.parent / "shared" / "data", Path("/work/shared/data"))


def data_dir() -> Path | None:
    configured = os.environ.get("SUNLIGHT_DATA_DIR")
    if configured:
        return Path(configured)
    return next((c for c in CANDIDATES if c.is_dir()), None)


def require_data(*parts: str) -> Path:
    """The path of a data set, or skip (fail under ``SUNLIGHT_REQUIRE_DATA``) when it is not here."""
    base = data_dir()
    path = base.joinpath(*parts) if base else None
    if path is None or not path.exists():
        message = f"shared data {'/'.join(parts)} not found (set SUNLIGHT_DATA_DIR)"
        if os.environ.get("SUNLIGHT_REQUIRE_DATA"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path
