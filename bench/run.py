"""`make bench`: every scenario, figures appended to docs/benchmarks.md."""

import approvals_xes
import events
import proxy

if __name__ == "__main__":
    proxy.run(seconds=3, rounds=2)
    events.run()
    approvals_xes.main()
