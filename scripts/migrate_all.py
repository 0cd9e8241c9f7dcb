"""Upgrade every database of this machine in one process (``make migrate``).

Each package keeps its own migrations and database, named as the processes name it
(``CommonSettings.database_url_for``): ``SUNLIGHT_<NAME>_DATABASE_URL``, else ``SUNLIGHT_DATABASE_URL``
with ``{service}`` replaced by the name, else ``var/<name>.db``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sunlight.cli import redact
from sunlight.migrations import NotMigrated, upgrade
from sunlight.settings import CommonSettings

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gateway", "funds", "tenders", "approvals", "complaints", "integrity")


def main() -> None:
    Path("var").mkdir(exist_ok=True)
    settings = CommonSettings()
    for name in PACKAGES:
        location = ROOT / ("gateway" if name == "gateway" else f"services/{name}") / "migrations"
        url = settings.database_url_for(name)
        try:
            upgrade(location, url)
        except NotMigrated as exc:
            sys.exit(f"{name}: {exc}")
        print(f"{name}: at head ({redact(url)})")


if __name__ == "__main__":
    main()
