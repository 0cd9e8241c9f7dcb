"""What the shapes of several subdomains share."""

from __future__ import annotations

CODE = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"
"""A code a client gives (programme, import): letters and digits first, then also . _ / -."""
