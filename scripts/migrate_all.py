"""Upgrade every database of this machine in one process (``make migrate``).

Each package keeps its own migrations and database; the URL of each comes from
``SUNLIGHT_<NAME>_DATABASE_URL`` when set, else the package's default SQLite file under ./var.
"""

from __future__ import annotations

import os
from pathlib import Path

from sunlight.cli import redact
from sunlight.migrations import upgrade

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gateway", "funds", "tenders", "approvals", "complaints", "integrity")


def main() -> None:
    Path("var").mkdir(exist_ok=True)
    for name in PACKAGES:
        location = ROOT / ("gateway" if name == "gateway" else f"services/{name}") / "migrations"
        url = os.environ.get(f"SUNLIGHT_{name.upper()}_DATABASE_URL") or f"sqlite+aiosqlite:///var/{name}.db"
        upgrade(location, url)
        print(f"{name}: at head ({redact(url)})")


if __name__ == "__main__":
    main()
