"""The command line of every deployable: ``sunlight-<name> [serve|migrate|migrated|reencrypt|downgrade REV]``.

The gateway uses the same parser and adds its ``keys`` commands through ``extra``: one place where a command
of every deployable is defined, so a fix to ``migrated --wait`` reaches all six.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sunlight.crypto import FieldCipher
from sunlight.migrations import ForeignDatabase, NotMigrated, downgrade, ensure_migrated, upgrade
from sunlight.settings import CommonSettings


@dataclass(frozen=True)
class ExtraCommands:
    """Commands a deployable adds: ``add`` declares them on the subparsers; ``run`` handles a parsed command
    it owns (the database is migrated by then) and returns False for one it does not."""

    add: Callable[[Any], None]
    run: Callable[[argparse.Namespace, Any], bool]


def service_main(
    settings_cls: type[CommonSettings],
    factory: str,
    migrations: Path,
    argv: list[str] | None = None,
    *,
    name: str | None = None,
    address: Callable[[Any], tuple[str, int]] = lambda s: (s.host, s.port),
    extra: ExtraCommands | None = None,
) -> None:
    """Parse ``argv`` and run the command; ``serve`` (the default) refuses an unmigrated or foreign database
    with one line and exit 2 before uvicorn starts."""
    service = name or str(getattr(settings_cls, "service_name", "service"))
    parser = argparse.ArgumentParser(prog=f"sunlight-{service}")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the HTTP service (the default)")
    serve.add_argument("--workers", type=int, default=1)
    sub.add_parser("migrate", help="upgrade the database to the newest migration")
    migrated = sub.add_parser("migrated", help="exit 0 when the database is at the newest migration (init containers)")
    migrated.add_argument("--wait", type=float, default=0.0, help="seconds to keep checking before giving up")
    sub.add_parser("reencrypt", help="re-encrypt personal data under the current key after a key rotation")
    down = sub.add_parser("downgrade", help="downgrade the database to a revision")
    down.add_argument("revision")
    if extra is not None:
        extra.add(sub)
    args = parser.parse_args(argv)
    settings: Any = settings_cls()
    url = settings.effective_database_url()
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    try:
        if args.command == "migrate":
            upgrade(migrations, url)
            print(f"{service}: migrated {redact(url)}")
            return
        if args.command == "downgrade":
            downgrade(migrations, url, args.revision)
            return
        if args.command == "reencrypt":
            report_reencryption(service, url, settings.cipher)
            return
        if args.command == "migrated":
            asyncio.run(wait_until_migrated(migrations, url, service, args.wait))
            print(f"{service}: at head")
            return
        # the app checks this again at startup; checking here first answers with one clear line, not a traceback
        asyncio.run(ensure_migrated(migrations, url, service))
    except NotMigrated as exc:
        parser.exit(2, f"sunlight-{service}: {exc}\n")
    if extra is not None and extra.run(args, settings):
        return
    if args.command in (None, "serve"):
        import uvicorn

        host, port = address(settings)
        uvicorn.run(
            factory,
            factory=True,
            host=host,
            port=port,
            workers=getattr(args, "workers", 1),
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=20,
            proxy_headers=False,
        )


def report_reencryption(service: str, url: str, cipher: FieldCipher) -> None:
    """Run :mod:`sunlight.reencrypt` over what ``<service>.models.ENCRYPTED`` declares and print the counts."""
    import importlib

    from sunlight.reencrypt import run

    sealed = getattr(importlib.import_module(f"{service}.models"), "ENCRYPTED", [])
    for column, count in run(url, cipher, sealed).items():
        print(f"{service}: {column}: {count} re-encrypted under key {cipher.current}")
    if not sealed:
        print(f"{service}: encrypts nothing")


async def wait_until_migrated(migrations: Path, url: str, service: str, wait: float) -> None:
    """Until the migration Job has run: a database at another revision is checked again every 2 s for ``wait``
    seconds; a database of another service is refused at once."""
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        try:
            await ensure_migrated(migrations, url, service)
            return
        except ForeignDatabase:
            raise
        except NotMigrated:
            if asyncio.get_running_loop().time() >= deadline:
                raise
        await asyncio.sleep(2)


def redact(url: str) -> str:
    """Hide a password in a database URL before printing it."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
