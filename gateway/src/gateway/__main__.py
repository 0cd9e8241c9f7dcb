"""``sunlight-gateway [serve|migrate|keys rotate|keys list]``."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from sunlight.cli import redact, report_reencryption, wait_until_migrated
from sunlight.db import Database
from sunlight.migrations import NotMigrated, ensure_migrated, upgrade

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="sunlight-gateway")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the gateway (the default)")
    sub.add_parser("migrate", help="upgrade the gateway database")
    migrated = sub.add_parser("migrated", help="exit 0 when the database is at the newest migration (init containers)")
    migrated.add_argument("--wait", type=float, default=0.0, help="seconds to keep checking before giving up")
    sub.add_parser("reencrypt", help="re-encrypt the signing keys under the current encryption key after a rotation")
    keys = sub.add_parser("keys", help="signing keys")
    keys.add_argument("action", choices=["rotate", "list"])
    args = parser.parse_args(argv)
    settings = GatewaySettings()
    url = settings.effective_database_url()
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    try:
        if args.command == "migrate":
            upgrade(MIGRATIONS, url)
            print(f"gateway: migrated {redact(url)}")
            return
        if args.command == "reencrypt":
            report_reencryption("gateway", url, settings.cipher)
            return
        if args.command == "migrated":
            asyncio.run(wait_until_migrated(MIGRATIONS, url, "gateway", args.wait))
            print("gateway: at head")
            return
        if args.command in (None, "serve"):
            asyncio.run(ensure_migrated(MIGRATIONS, url, "gateway"))  # one clear line, not uvicorn's traceback
    except NotMigrated as exc:
        parser.exit(2, f"sunlight-gateway: {exc}\n")
    if args.command == "keys" and args.action == "rotate":
        print(f"current signing key: {asyncio.run(_rotate(settings))}")
    elif args.command == "keys":
        print("\n".join(asyncio.run(_list(settings))))
    else:
        import uvicorn

        uvicorn.run(
            "gateway.app:create_app",
            factory=True,
            host=settings.gateway_host,
            port=settings.gateway_port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=20,
            proxy_headers=False,
        )


if __name__ == "__main__":
    main()
