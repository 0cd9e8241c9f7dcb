"""Events the complaints service consumes."""

from __future__ import annotations

from sunlight.events.consumer import Handlers

handlers = Handlers()
