"""Test support shared by every package (loaded as the ``sunlight`` pytest plugin).

Real parts only: every database test runs on SQLite *and* PostgreSQL, every bus test on
the embedded log *and* NATS JetStream; each test gets a freshly migrated database (cloned
from a per-session template) and its own bus namespace; tokens are real ES256 JWTs
verified by the real verifier. A missing PostgreSQL or NATS fails the run with the command
that starts it — it never skips.
"""

from sunlight.testing.backends import Backend
from sunlight.testing.capture import EventCapture
from sunlight.testing.harness import ServiceHarness
from sunlight.testing.tokens import TestKeys

__all__ = ["Backend", "EventCapture", "ServiceHarness", "TestKeys"]
