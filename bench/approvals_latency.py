"""Event latency in approvals: a step that breaks a rule → the warning in the integrity register.

    .venv/bin/python bench/approvals_latency.py            # both buses, appends docs/benchmarks.md
    .venv/bin/python bench/approvals_latency.py --no-write

The funds latency bench's approach (``bench/events.py``) with approvals: real processes (gateway, approvals,
integrity); N cases, each refused without a reason in one pushed step through the gateway (a red
APPROVALS-REFUSAL-WITHOUT-REASON at write time), one every 20 ms; latency = integrity's ``registered_at`` −
the warning's ``first_seen_at`` (the instant approvals raised it; both stamped on this machine's clock). Run on
the embedded log (SQLite) and on NATS JetStream (PostgreSQL).
"""

from __future__ import annotations

import sys
import time
import uuid
from datetime import UTC, datetime

import httpx
from common import Stack
from events import on_both_buses, register_latencies_ms, report_latencies

N = 100
RULE = "APPROVALS-REFUSAL-WITHOUT-REASON"


def scenario(stack: Stack) -> list[float]:
    token = stack.token("approvals:read approvals:write")
    headers = {"Authorization": f"Bearer {token}"}
    tag = uuid.uuid4().hex[:6]
    with httpx.Client(base_url=stack.gateway.url, headers=headers, timeout=30) as client:
        item = client.post(
            "/v1/approvals/items", json={"code": f"BENCH-{tag}", "name": "bench", "region_code": "130300"}
        )
        assert item.status_code == 201, item.text
        for i in range(N):
            step = {
                "case_no": f"BENCH-{tag}-{i}",
                "region_code": "130302",
                "item_code": f"BENCH-{tag}",
                "step": "refuse",
                "occurred_at": datetime.now(UTC).isoformat(),
            }
            refused = client.post("/v1/approvals/steps", json=step)
            assert refused.status_code == 201 and refused.json()["warnings_raised"] >= 1, refused.text
            time.sleep(0.02)

    return register_latencies_ms(stack, RULE, N)


def run(write: bool = True) -> dict[str, list[float]]:
    results = on_both_buses("approvals", scenario)
    report_latencies(
        "Approvals event latency: rule-breaking step → warning in the register",
        (
            f"`.venv/bin/python bench/approvals_latency.py`: {N} cases through the gateway, each refused without a "
            f"reason in one pushed step (a red {RULE} at write time), one every 20 ms; latency from the warning "
            "raised in approvals to its row in the integrity register (outbox → relay → bus → consumer → commit)."
        ),
        results,
        write,
    )
    return results


if __name__ == "__main__":
    run(write="--no-write" not in sys.argv)
