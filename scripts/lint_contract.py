"""Lint the committed API documents as a frontend team would, with pinned npm tools.

    uv run python scripts/lint_contract.py      # (make openapi-check runs it after the drift check)

- Spectral, ruleset ``spectral:oas`` (``.spectral.yaml``), on ``openapi/gateway.json``;
- Redocly CLI, rules ``recommended`` (``redocly.yaml``), on ``openapi/gateway.json``;
- the AsyncAPI parser's validation (``scripts/contract/validate_asyncapi.mjs``) on ``openapi/asyncapi.yaml``.

Prints the count of errors and warnings per tool and exits 1 when any tool reports one. The tools
are pinned in ``package.json`` / ``package-lock.json`` and installed into ``node_modules/`` by
``make node-tools`` (``npm ci``); nothing is fetched at lint time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "node_modules" / ".bin"
MERGED = "openapi/gateway.json"
ASYNCAPI = "openapi/asyncapi.yaml"


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def spectral() -> tuple[int, int, list[str]]:
    out = _run([str(BIN / "spectral"), "lint", MERGED, "--format", "json", "--quiet"])
    results = json.loads(out.stdout or "[]")
    lines = [f"{r['severity']} {r['code']} {'.'.join(map(str, r['path']))}: {r['message']}" for r in results]
    return sum(r["severity"] == 0 for r in results), sum(r["severity"] == 1 for r in results), lines


def redocly() -> tuple[int, int, list[str]]:
    out = _run([str(BIN / "redocly"), "lint", MERGED, "--format", "json"])
    report = json.loads(out.stdout)
    lines = [
        f"{p['severity']} {p['ruleId']} {p['location'][0].get('pointer', '')}: {p['message']}"
        for p in report["problems"]
    ]
    return report["totals"]["errors"], report["totals"]["warnings"], lines


def asyncapi() -> tuple[int, int, list[str]]:
    out = _run(["node", "scripts/contract/validate_asyncapi.mjs", ASYNCAPI])
    lines = [line for line in out.stdout.splitlines() if " error " in line or " warning " in line]
    errors = sum(" error " in line for line in lines)
    if out.returncode and not lines:
        lines, errors = [out.stdout + out.stderr], 1
    return errors, len(lines) - errors if errors <= len(lines) else 0, lines


def main() -> int:
    if not (BIN / "spectral").exists():
        print("node_modules/ is missing: run `make node-tools` (npm ci from package-lock.json)", file=sys.stderr)
        return 1
    failed = False
    tools = (("spectral (spectral:oas)", spectral), ("redocly (recommended)", redocly), ("asyncapi", asyncapi))
    for name, check in tools:
        errors, warnings, lines = check()
        print(f"{name}: {errors} errors, {warnings} warnings")
        for line in lines:
            print(f"  {line}")
        failed |= bool(errors or warnings)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
