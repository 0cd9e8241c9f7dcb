"""`make bench`: every scenario, figures appended to docs/benchmarks.md."""

import subprocess
import sys
from pathlib import Path

import approvals_latency
import approvals_xes
import events
import proxy
import tenders_latency

if __name__ == "__main__":
    proxy.run(seconds=3, rounds=2)
    events.run()
    tenders_latency.run()
    # bench/tenders.py runs in its own process: its name would shadow the ``tenders`` package here.
    subprocess.run([sys.executable, str(Path(__file__).with_name("tenders.py")), "--write"], check=True)
    approvals_xes.main()
    for script in ("complaints_filing.py", "complaints_xes.py"):
        subprocess.run([sys.executable, str(Path(__file__).with_name(script))], check=True)
    approvals_latency.run()
