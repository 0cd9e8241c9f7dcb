"""Generate OCDS compiled releases with bids for the tenders benches (deterministic, seeded).

    .venv/bin/python bench/tenders_gen.py --count 100000 --out var/bench/tenders   # writes two files:

- ``compiled.jsonl``: one compiled release per line (what ``tenders-indicators`` and Cardinal read);
- ``package.json``: the same releases as one OCDS 1.1 release package (what the importer reads).

Each process: a buyer and procuring entity out of 400, an open/selective/limited/direct method,
a tender period of 5–40 days, 1–3 items with 8-digit CPV-like codes, 1–8 bids by tenderers out of
3,000 (valid, some disqualified, a few pending/withdrawn), one active award to the lowest valid
bid mostly (else another valid bid), amounts in CNY. A few processes are cancelled. The mix makes
every indicator do its work (fences fitted, some processes flagged).
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson

METHODS = ["open"] * 6 + ["selective"] * 2 + ["limited", "direct"]
ZONE = timezone(timedelta(hours=8))


def process(i: int, rnd: random.Random) -> dict:
    ocid = f"ocds-sunlt1-{i:08d}"
    buyer = f"CN-B-{rnd.randrange(400):04d}"
    start = datetime(2024, 1, 1, 9, tzinfo=ZONE) + timedelta(days=rnd.randrange(700))
    end = start + timedelta(days=rnd.choice([5, 10, 14, 15, 20, 20, 25, 30, 40]))
    estimate = rnd.randrange(100_000, 50_000_000)
    n = rnd.choice([1, 2, 3, 3, 4, 4, 5, 6, 8])
    tenderers = rnd.sample(range(3000), n)
    bids = []
    for k, t in enumerate(tenderers):
        status = rnd.choices(["valid", "disqualified", "pending", "withdrawn"], [80, 15, 3, 2])[0]
        late = rnd.random() < 0.01
        bids.append(
            {
                "id": f"{ocid}-bid-{k}",
                "date": (
                    end + timedelta(hours=2) if late else end - timedelta(hours=rnd.randrange(1, 200))
                ).isoformat(),
                "status": status,
                "tenderers": [{"id": f"CN-T-{t:05d}", "name": f"Tenderer {t}"}],
                "value": {"amount": round(estimate * rnd.uniform(0.8, 1.05), 2), "currency": "CNY"},
            }
        )
    valid = sorted((b for b in bids if b["status"] == "valid"), key=lambda b: b["value"]["amount"])
    items = [
        {
            "id": str(j),
            "description": "item",
            "classification": {"scheme": "CPV", "id": f"{rnd.randrange(3, 98):02d}{rnd.randrange(10**6):06d}"},
            "quantity": 1,
        }
        for j in range(rnd.randint(1, 3))
    ]
    awards = []
    if valid:
        winner = valid[0] if rnd.random() < 0.85 or len(valid) == 1 else rnd.choice(valid[1:])
        supplier = winner["tenderers"][0]
        awards.append(
            {
                "id": f"{ocid}-award-1",
                "status": "active",
                "date": (end + timedelta(days=10)).isoformat(),
                "suppliers": [supplier],
                "value": dict(winner["value"]),
                "items": items,
            }
        )
    return {
        "ocid": ocid,
        "id": f"{ocid}-{end.date()}",
        "date": (end + timedelta(days=10)).isoformat(),
        "tag": ["compiled"],
        "initiationType": "tender",
        "buyer": {"id": buyer, "name": f"Buyer {buyer}"},
        "tender": {
            "id": f"{ocid}-tender",
            "status": "cancelled" if rnd.random() < 0.02 else "complete",
            "procurementMethod": rnd.choice(METHODS),
            "procuringEntity": {"id": buyer, "name": f"Buyer {buyer}"},
            "value": {"amount": estimate, "currency": "CNY"},
            "tenderPeriod": {"startDate": start.isoformat(), "endDate": end.isoformat()},
            "numberOfTenderers": len([b for b in bids if b["status"] in ("valid", "disqualified", "pending")]),
            "items": items,
        },
        "bids": {"details": bids},
        "awards": awards,
    }


def generate(count: int, out: Path, seed: int = 11) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(seed)
    jsonl, package = out / "compiled.jsonl", out / "package.json"
    with jsonl.open("wb") as lines, package.open("wb") as pkg:
        pkg.write(b'{"uri":"https://example.org/bench","version":"1.1","publishedDate":"2026-11-30T00:00:00Z",')
        pkg.write(b'"publisher":{"name":"bench"},"releases":[')
        for i in range(count):
            body = orjson.dumps(process(i, rnd))
            lines.write(body + b"\n")
            pkg.write((b"," if i else b"") + body)
        pkg.write(b"]}")
    return jsonl, package


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("var/bench/tenders"))
    args = parser.parse_args()
    for path in generate(args.count, args.out):
        print(f"{path} {path.stat().st_size / 2**20:.1f} MiB")
