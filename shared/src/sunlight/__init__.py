"""Sunlight common package: what every service and the gateway share.

Settings, database setup, RFC 9457 errors, token verification, idempotency keys,
pagination, identifier types (USCC, region codes), money, the working-day calendar,
field encryption, warning rules and the event contracts, outbox, inbox and buses.
"""

__version__ = "0.1.0"
