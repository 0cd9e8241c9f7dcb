"""The README's partner-bureau walkthrough runs as written (against this test's own stack)."""

import asyncio
import re
import subprocess
from pathlib import Path

import pytest

from .conftest import ADMIN_ID, ADMIN_SECRET, Stack

pytestmark = pytest.mark.e2e
README = Path(__file__).resolve().parents[2] / "README.md"


def walkthrough() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"The walkthrough below.*?```bash\n(.*?)```", text, re.S)
    assert match, "the README lost its walkthrough"
    return match.group(1)


async def test_the_readme_walkthrough_runs_as_written(stack: Stack):
    script = walkthrough()
    assert "GW=http://127.0.0.1:8000\n" in script and "set -a; source var/secrets.env; set +a\n" in script
    # the only substitutions: where this test's gateway listens, and where its admin credentials come from
    script = script.replace("GW=http://127.0.0.1:8000\n", f"GW={stack.gateway.url}\n")
    script = script.replace(
        "set -a; source var/secrets.env; set +a\n",
        f"export SUNLIGHT_BOOTSTRAP_CLIENT_ID={ADMIN_ID} SUNLIGHT_BOOTSTRAP_CLIENT_SECRET={ADMIN_SECRET}\n",
    )
    done = await asyncio.to_thread(
        subprocess.run, ["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert '"kind":"allocate"' in lines[0] and '"amount_fen":30000000' in lines[0]
    assert '"type":"https://sunlight.example/problems/overspend"' in lines[1] and '"available_fen":20000000' in lines[1]
    if '"rule_id":"FUNDS-OVERSPEND"' not in lines[-1]:
        # the last call can race the event on a busy machine; the warning must still arrive
        token = await stack.token()
        for _ in range(100):
            listed = await stack.client.get(
                "/v1/integrity/warnings",
                params={"rule_id": "FUNDS-OVERSPEND"},
                headers={"Authorization": f"Bearer {token}"},
            )
            if listed.json()["items"]:
                break
            await asyncio.sleep(0.05)
        assert listed.json()["items"], "the README's warning never reached the register"
