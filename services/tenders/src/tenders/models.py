"""Tenders tables (SQLModel, tables only; API shapes are in schemas.py)."""

from __future__ import annotations

from sqlmodel import SQLModel
from sunlight.db import make_registry

registry = make_registry()


class Base(SQLModel, registry=registry):
    pass


metadata = Base.metadata
