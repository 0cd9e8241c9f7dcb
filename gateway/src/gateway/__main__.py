"""``sunlight-gateway [serve|migrate|migrated|reencrypt|downgrade REV|keys rotate|keys list]``.

The commands every deployable has come from :func:`sunlight.cli.service_main`; the gateway adds ``keys``.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from sunlight.cli import ExtraCommands, service_main
from sunlight.db import Database

from gateway.app import MIGRATIONS
from gateway.keys import KeyStore
from gateway.settings import GatewaySettings


async def _rotate(settings: GatewaySettings) -> str:
    db = Database(settings.effective_database_url())
    try:
        store = KeyStore(db, settings.cipher, token_seconds=settings.access_token_seconds)
        await store.ensure()
        return await store.rotate()
    finally:
        await db.dispose()


async def _list(settings: GatewaySettings) -> list[str]:
    db = Database(settings.effective_database_url())
    try:
        store = KeyStore(db, settings.cipher)
        await store.load()
        return [f"{k['kid']} {k['alg']}" for k in (await store.jwks())["keys"]]
    finally:
        await db.dispose()


def _add_keys(sub: Any) -> None:
    keys = sub.add_parser("keys", help="signing keys: rotate, or list the published ones")
    keys.add_argument("action", choices=["rotate", "list"])


def _run_keys(args: argparse.Namespace, settings: GatewaySettings) -> bool:
    if args.command != "keys":
        return False
    if args.action == "rotate":
        print(f"current signing key: {asyncio.run(_rotate(settings))}")
    else:
        print("\n".join(asyncio.run(_list(settings))))
    return True


def main(argv: list[str] | None = None) -> None:
    service_main(
        GatewaySettings,
        "gateway.app:create_app",
        MIGRATIONS,
        argv,
        name="gateway",
        address=lambda s: (s.gateway_host, s.gateway_port),
        extra=ExtraCommands(add=_add_keys, run=_run_keys),
    )


if __name__ == "__main__":
    main()
