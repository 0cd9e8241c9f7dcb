"""Red-flag latency: a live bid's red flag in tenders → the warning in the integrity register.

Real processes (gateway, tenders, integrity), as ``events.py`` does for funds: N tenders, each with a bid
by enterprise A and then one by enterprise B from the same submitting IP (kept as a keyed hash) — the
second bid raises TENDERS-LINKED-BIDDERS (red) in its own transaction, one warning per lot; one bid every
20 ms. Latency = integrity's ``registered_at`` − the finding's time in tenders (both on this machine's
clock). On the embedded log (SQLite) and on NATS JetStream (PostgreSQL). Target (issue 11): p99 ≤ 100 ms
on NATS, as funds.

    .venv/bin/python bench/tenders_latency.py [--no-write]
"""

from __future__ import annotations

import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from common import Stack
from events import on_both_buses, register_latencies_ms, report_latencies
from stdnum.cn import uscc as stdnum_uscc

# bench/tenders.py must not shadow the ``tenders`` package (the migrations import it in this process).
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

N = 100
RULE = "TENDERS-LINKED-BIDDERS"


def uscc(n: int) -> str:
    base = f"91130300{n:09d}"
    return base + stdnum_uscc.calc_check_digit(base + "0")


def scenario(stack: Stack) -> list[float]:
    token = stack.token("tenders:read tenders:write")
    headers = {"Authorization": f"Bearer {token}"}
    now = datetime.now(UTC)
    serial = int(time.time()) % 10_000_000
    with httpx.Client(base_url=stack.gateway.url, headers=headers, timeout=30) as client:

        def post(path: str, body: dict) -> dict:
            response = client.post(path, json=body)
            assert response.status_code == 201, response.text
            return dict(response.json())

        a, b = (
            post("/v1/tenders/enterprises", {"uscc": uscc(serial + i), "name": f"bench {i}", "region_code": "130300"})
            for i in (1, 2)
        )
        project = post(
            "/v1/tenders/projects",
            {
                "code": f"PRJ-{uuid.uuid4().hex[:8]}",
                "name": "bench",
                "owner_uscc": uscc(serial + 3),
                "owner_name": "bench owner",
                "estimate_fen": 2_000_000_000,
                "location": "bench",
                "funding_source": "fiscal",
                "region_code": "130302",
            },
        )
        tenders = []
        for i in range(N):
            tender = post(
                "/v1/tenders/tenders",
                {
                    "code": f"T-{uuid.uuid4().hex[:8]}",
                    "project_id": project["id"],
                    "title": f"bench {i}",
                    "category": "construction",
                    "procedure": "open",
                    "estimate_fen": 1_500_000_000,
                    "ceiling_fen": 1_450_000_000,
                    "published_at": (now - timedelta(days=1)).isoformat(),
                    "deadline": (now + timedelta(days=30)).isoformat(),
                    "documents": [{"name": "bench.pdf", "sha256": "a" * 64}],
                },
            )
            for e in (a, b):
                post(f"/v1/tenders/tenders/{tender['id']}/registrations", {"uscc": e["uscc"]})
            tenders.append(tender)
        for tender in tenders:
            for e, price in ((a, 1_400_000_000), (b, 1_410_000_000)):
                post(
                    f"/v1/tenders/tenders/{tender['id']}/bids",
                    {"uscc": e["uscc"], "price_fen": price, "submitter_ip": "10.9.9.9"},
                )
            time.sleep(0.02)

    return register_latencies_ms(stack, RULE, N)


def run(write: bool = True) -> dict[str, list[float]]:
    results = on_both_buses("tenders", scenario)
    report_latencies(
        "Tenders: a live bid's red flag → warning in the register",
        (
            f"`.venv/bin/python bench/tenders_latency.py` — {N} tenders through the gateway, each given a bid by A and "
            "then one by B from the same IP (one bid every 20 ms after the first): the second bid raises "
            f"{RULE} in its transaction; latency from the finding in tenders to the warning's row in the "
            "integrity register (outbox → relay → bus → consumer → commit). Target: p99 ≤ 100 ms on NATS."
        ),
        results,
        write,
    )
    return results


if __name__ == "__main__":
    run(write="--no-write" not in sys.argv)
