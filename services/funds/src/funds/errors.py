"""Problem types of the funds service."""

from __future__ import annotations

from sunlight.errors import Conflict, InvalidInput


class Overspend(Conflict):
    """A node tried to pass on or spend more than it holds (the refusal is recorded and warned)."""

    slug, title = "overspend", "The movement exceeds what the node holds"


class NotAChild(InvalidInput):
    slug, title = "not-a-child", "Money moves from a node to one of its own children"


class RootExists(Conflict):
    slug, title = "root-exists", "The programme already has a root node"


class RegionOutsideParent(InvalidInput):
    slug, title = "region-outside-parent", "A node's region lies within its parent's region"


class DuplicateCode(Conflict):
    slug, title = "duplicate-code", "A programme with this code exists"
