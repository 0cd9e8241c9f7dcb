"""How often each funds rule fires on the Oxford payment files and on synthetic clean data.

    .venv/bin/python bench/funds_rules_oxford.py            # markdown tables on stdout
    .venv/bin/python bench/funds_rules_oxford.py --json out.json

Oxford: the four quarters of 2017 are imported one after the other into one fresh SQLite
database through ``POST /v1/funds/imports/oxford-expenditure`` (as a council would load them),
and after each import the periodic scan runs as of the first day of the next quarter (so
Benford sees the quarter just imported and the deadlines are judged when the quarter is over).
A warning counts for the quarter whose programme it belongs to: the number of distinct
warnings per rule (one warning may carry several occurrences; those are shown after the slash).

Synthetic clean data: two 2025 programmes run by the book — every pass-down on time, a township
returning unspent money that the county passes on again within days, a payee paying 1,000 yuan
back in May; one programme buys (a
supplier paid every week ordinary amounts, a monthly rent of the same amount, 350 payments per
quarter whose amounts follow Benford's law), the other pays a per-head subsidy of one fixed
amount to 400 people — scanned on 1 April, 1 May and 1 July. Every warning on it is
a false one. Not a test: run by hand; the numbers go in the notes of a change to the rules.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from funds.app import MIGRATIONS, create_app
from funds.settings import FundsSettings
from sunlight.testing.backends import Backend, Templates
from sunlight.testing.data import require_data
from sunlight.testing.tokens import TestKeys

QUARTERS = [
    ("2017Q1", "jan-mar", "2017-04-01"),
    ("2017Q2", "apr-jun", "2017-07-01"),
    ("2017Q3", "jul-sep", "2017-10-01"),
    ("2017Q4", "oct-dec", "2018-01-01"),
]


async def warnings_of(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/funds/warnings", headers=headers, params=params)).json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


async def scan(client: httpx.AsyncClient, headers: dict[str, str], day: str) -> dict[str, Any]:
    r = await client.post("/v1/funds/scans", headers=headers, json={"as_of": f"{day}T04:00:00Z"})
    assert r.status_code == 200, r.text
    return dict(r.json())


def tally(warnings: list[dict[str, Any]], programmes: dict[str, str]) -> dict[str, dict[str, list[int]]]:
    out: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for w in warnings:
        label = programmes.get(str(w["programme_id"]), "?")
        cell = out[w["rule_id"]].setdefault(label, [0, 0])
        cell[0] += 1
        cell[1] += w["occurrences"]
    return out


async def stack(tmp: Path, templates: Templates) -> tuple[Backend, FundsSettings, TestKeys]:
    keys = TestKeys()
    backend = Backend(name="sqlite", tmp=tmp, templates=templates)
    settings = FundsSettings(
        environment="test",
        log_level="WARNING",
        database_url=await backend.database("funds", MIGRATIONS),
        jwks_json=keys.jwks_json,
        jwt_issuer=keys.issuer,
        jwt_audience=keys.audience,
        **backend.bus_settings(),
    )
    return backend, settings, keys


async def oxford(templates: Templates) -> dict[str, Any]:
    backend, settings, keys = await stack(Path(tempfile.mkdtemp(prefix="funds-rules-ox-")), templates)
    headers = keys.auth(scopes="funds:read funds:write funds:admin funds:supervise", regions=["000000"], lifetime=3600)
    programmes: dict[str, str] = {}
    imports: dict[str, Any] = {}
    scans: dict[str, Any] = {}
    try:
        app = create_app(settings)
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
                for label, name, scan_on in QUARTERS:
                    raw = require_data(
                        "funds", "oxford-expenditure-over-500", f"expenditure-over-500-{name}-2017.csv"
                    ).read_bytes()
                    r = await client.post(
                        "/v1/funds/imports/oxford-expenditure",
                        params={"code": f"OXF-{label}", "region_code": "130300"},
                        content=raw,
                        headers={**headers, "content-type": "text/csv"},
                    )
                    assert r.status_code == 201, r.text[:2000]
                    out = r.json()
                    programmes[out["programme_id"]] = label
                    imports[label] = {
                        "payments": out["payments"],
                        "skipped": len(out["skipped"]),
                        "refunds": out.get("refunds"),
                        "warnings_raised": out["warnings_raised"],
                    }
                    scans[scan_on] = (await scan(client, headers, scan_on))["findings"]
                warnings = await warnings_of(client, headers)
    finally:
        await backend.cleanup()
    return {"imports": imports, "scans": scans, "rules": tally(warnings, programmes)}


def benford_amount(rng: random.Random) -> int:
    return int(10 ** rng.uniform(4, 7))  # 100 to 100,000 yuan, log-uniform: first digits follow Benford


async def synthetic(templates: Templates) -> dict[str, Any]:
    backend, settings, keys = await stack(Path(tempfile.mkdtemp(prefix="funds-rules-syn-")), templates)
    headers = keys.auth(scopes="funds:read funds:write funds:admin funds:supervise", regions=["000000"], lifetime=3600)
    rng = random.Random(2025)
    try:
        app = create_app(settings)
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:

                async def post(path: str, body: Any, **params: Any) -> Any:
                    r = await client.post(path, headers=headers, json=body, params=params)
                    assert r.status_code == 201, r.text[:2000]
                    return r.json()

                async def node(pid: str, tier: str, name: str, region: str, parent: str | None = None) -> str:
                    body = {"tier": tier, "name": name, "region_code": region}
                    if parent is not None:
                        body["parent_id"] = parent
                    return str((await post(f"/v1/funds/programmes/{pid}/nodes", body))["id"])

                async def programme(code: str, payments: list[dict[str, Any]], spare: int, **extra: Any) -> str:
                    """A programme whose quota goes down on time (9, 10 and 21 days) and whose cash reaches the
                    township when it is needed; the township makes ``payments`` (``from_node_id`` filled here)."""
                    total = sum(x["amount_fen"] for x in payments) + spare
                    p = await post(
                        "/v1/funds/programmes",
                        {
                            "code": code,
                            "name": code,
                            "category": "agriculture",
                            "fiscal_year": 2025,
                            "budget_fen": total,
                            "region_code": "130300",
                            "budget_approved_on": "2025-01-01",
                            **extra,
                        },
                    )
                    pid = p["id"]
                    root = await node(pid, "finance_bureau", "市财政局", "130300")
                    dept = await node(pid, "department", "市农业农村局", "130300", root)
                    county = await node(pid, "county", "海港区农业农村局", "130302", dept)
                    town = await node(pid, "township", "海港镇", "130302001", county)
                    chain = ((root, dept, "2025-01-10"), (dept, county, "2025-01-20"), (county, town, "2025-02-10"))
                    records = [
                        {"kind": k, "from_node_id": src, "to_node_id": dst, "amount_fen": total, "occurred_on": on}
                        for src, dst, on in chain
                        for k in ("allocate", "disburse")
                    ]
                    records += [{**x, "from_node_id": town} for x in payments]
                    batch = await post("/v1/funds/movements/batch", records, batch_key=code)
                    # a payee pays 1,000 yuan of the first payment back on 20 May (it stays at the township)
                    first_payment = batch["movement_ids"][len(records) - len(payments)]
                    await post(
                        "/v1/funds/movements",
                        {
                            "kind": "refund",
                            "refund_of": first_payment,
                            "amount_fen": 100_000,
                            "occurred_on": "2025-05-20",
                        },
                    )
                    # the township returns unspent money in April; the county passes it on again five days later
                    back = {"amount_fen": spare, "occurred_on": "2025-04-20"}
                    await post(
                        "/v1/funds/movements", {"kind": "refund", "from_node_id": town, "to_node_id": county, **back}
                    )
                    for kind in ("allocate", "disburse"):
                        await post(
                            "/v1/funds/movements",
                            {
                                "kind": kind,
                                "from_node_id": county,
                                "to_node_id": town,
                                "amount_fen": spare,
                                "occurred_on": "2025-04-25",
                            },
                        )
                    return str(pid)

                buying: list[dict[str, Any]] = []
                # a supplier paid every week, ordinary amounts (12,000–28,000 yuan; approval needed at 50,000)
                supplier = {"kind": "organisation", "name": "秦皇岛市农机服务有限公司", "external_id": "SUP-1"}
                for week in range(12):
                    on = date(2025, 2, 11) + timedelta(days=7 * week)
                    buying.append(
                        {
                            "kind": "expend",
                            "amount_fen": rng.randint(1_200_000, 2_800_000),
                            "occurred_on": on.isoformat(),
                            "reference": f"W{week}",
                            "payee": supplier,
                        }
                    )
                # monthly rent, the same amount every month
                landlord = {"kind": "organisation", "name": "某物业公司", "external_id": "RENT-1"}
                for month in (2, 3, 4):
                    buying.append(
                        {
                            "kind": "expend",
                            "amount_fen": 800_000,
                            "occurred_on": f"2025-0{month}-11",
                            "reference": f"RENT-{month}",
                            "payee": landlord,
                        }
                    )
                # payments whose amounts follow Benford's law: 350 in Q1, 350 in Q2
                for first, days in ((date(2025, 2, 11), 45), (date(2025, 4, 1), 30)):
                    for i in range(350):
                        buying.append(
                            {
                                "kind": "expend",
                                "amount_fen": benford_amount(rng),
                                "occurred_on": (first + timedelta(days=i % days)).isoformat(),
                                "reference": f"B{first.month}-{i}",
                                "payee": {"kind": "organisation", "name": f"供应商{i}", "external_id": f"B-{i}"},
                            }
                        )
                subsidy: list[dict[str, Any]] = []
                # a per-head subsidy: 400 people, 1,200 yuan each, in April
                for i in range(400):
                    serial = 100 + i
                    body = f"110105198001{serial // 1000 % 28 + 1:02d}{serial % 1000:03d}"
                    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
                    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
                    subsidy.append(
                        {
                            "kind": "expend",
                            "amount_fen": 120_000,
                            "occurred_on": "2025-04-15",
                            "reference": f"S{i}",
                            "payee": {"kind": "person", "name": "张三", "resident_id": body + check},
                        }
                    )
                pids = {
                    await programme("SYN-BUY", buying, 5_000_000): "purchases",
                    await programme(
                        "SYN-SUB", subsidy, 5_000_000, thresholds={"per_head_standard_fen": 120_000}
                    ): "subsidy",
                }
                scans = {}
                for day in ("2025-04-01", "2025-05-01", "2025-07-01"):
                    scans[day] = (await scan(client, headers, day))["findings"]
                warnings = await warnings_of(client, headers)
    finally:
        await backend.cleanup()
    return {"scans": scans, "rules": tally(warnings, pids)}


def table(title: str, rules: dict[str, dict[str, list[int]]], columns: list[str]) -> str:
    lines = [f"### {title}", "", "| rule | " + " | ".join(columns) + " |", "| --- |" + " --- |" * len(columns)]
    for rule in sorted(rules):
        cells = [f"{rules[rule][c][0]}/{rules[rule][c][1]}" if c in rules[rule] else "0" for c in columns]
        lines.append(f"| {rule} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    templates = Templates(Path(tempfile.mkdtemp(prefix="funds-rules-templates-")))
    try:
        ox = asyncio.run(oxford(templates))
        syn = asyncio.run(synthetic(templates))
    finally:
        templates.drop_all()
    print(table("Oxford 2017 (warnings/occurrences per quarter)", ox["rules"], [q for q, _, _ in QUARTERS]))
    print()
    print("imports:", json.dumps(ox["imports"]))
    print()
    print("scan findings:", json.dumps(ox["scans"]))
    print()
    print(table("Synthetic clean programmes, 2025 (every warning is false)", syn["rules"], ["purchases", "subsidy"]))
    print()
    print("scan findings:", json.dumps(syn["scans"]))
    if args.json:
        args.json.write_text(json.dumps({"oxford": ox, "synthetic": syn}, indent=2, default=str), encoding="utf-8")
    counts = Counter({rule: sum(c[0] for c in cells.values()) for rule, cells in syn["rules"].items()})
    print("synthetic total:", sum(counts.values()))


if __name__ == "__main__":
    main()
