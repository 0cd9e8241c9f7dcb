"""Cardinal's indicators in batch over the service's own tenders, and their agreement with the command."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import timedelta

from .conftest import DEADLINE, PUBLISHED, Maker

PROBLEMS = "https://sunlight.example/problems/"


async def test_the_batch_run_flags_per_ocid_and_agrees_with_the_command(make: Maker, tmp_path):
    single = await make.tender()  # one bidder in an open procedure: R018
    await make.bid(single, await make.enterprise("独家"), 1_400_000_000)
    short = await make.tender(deadline=(PUBLISHED + timedelta(days=10)).isoformat())  # 10 days < 15: R003
    busy = await make.tender()
    for i in range(3):
        await make.bid(busy, await make.enterprise(f"竞争{i}"), 1_300_000_000 + i * 10_000_000)
    r = await make.client.post("/v1/tenders/indicators/run", headers=make.headers, json={})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["tenders"] == 3
    ocid = {t["id"]: f"ocds-sunlit-{t['id']}" for t in (single, short, busy)}
    flagged = out["results"]["OCID"]
    assert "R018" in flagged[ocid[single["id"]]] and "R003" in flagged[ocid[short["id"]]]
    assert "R018" not in flagged.get(ocid[busy["id"]], {}) and "R003" not in flagged.get(ocid[busy["id"]], {})

    compiled = [
        (await make.get(f"/v1/tenders/tenders/{t['id']}/ocds"))["records"][0]["compiledRelease"]
        for t in (single, short, busy)
    ]
    lines = tmp_path / "compiled.jsonl"
    lines.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in compiled))
    argv = [sys.executable, "-m", "tenders.indicators.cli", "--no-meta", str(lines)]
    command = await asyncio.to_thread(subprocess.run, argv, capture_output=True, text=True, check=True)
    assert json.loads(command.stdout) == out["results"], "the API and the command agree line for line"

    only = await make.client.post("/v1/tenders/indicators/run", headers=make.headers, json={"settings_ini": "[R018]\n"})
    assert set(only.json()["counts"]["OCID"]) == {"R018"}, "the INI settings choose the indicators"
    bad = await make.client.post(
        "/v1/tenders/indicators/run", headers=make.headers, json={"settings_ini": "[R999]\nfoo = 1\n"}
    )
    assert bad.status_code == 422 and bad.json()["type"] == PROBLEMS + "indicator-settings-invalid"
    assert DEADLINE  # the default tender period (24 days) raises no R003
