"""The OCDS 1.1 schemas we validate against and merge with, loaded from files committed beside this module.

``schema/release-schema.json``, ``release-package-schema.json`` and ``record-package-schema.json``
are the official OCDS 1.1.5 files (open-contracting/standard, tag ``1.1``, commit 715687a,
Apache-2.0, ``schema/LICENSE.standard.txt``). ``bid-extension-release-schema.json`` is the Bids
extension v1.1.5 (open-contracting-extensions/ocds_bid_extension, commit d9b771e, Apache-2.0,
``schema/LICENSE.bid-extension.txt``), a JSON Merge Patch (RFC 7386) applied to the release schema,
so ``bids`` are validated too. Nothing is fetched over the network: the packages' ``$ref`` to
``https://standard.open-contracting.org/schema/1__1__5/release-schema.json`` resolves to the
patched local file through a :mod:`referencing` registry.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import ocdsmerge
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

BASE = "https://standard.open-contracting.org/schema/1__1__5/"
BID_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"


def _load(name: str) -> dict[str, Any]:
    return json.loads(resources.files("tenders.ocds").joinpath("schema", name).read_text(encoding="utf-8"))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch (how OCDS extensions patch the release schema)."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@cache
def release_schema() -> dict[str, Any]:
    """OCDS 1.1.5 release schema with the Bids extension applied."""
    return merge_patch(_load("release-schema.json"), _load("bid-extension-release-schema.json"))  # type: ignore[no-any-return]


@cache
def _registry() -> Registry:  # type: ignore[type-arg]
    resources_ = [
        (BASE + "release-schema.json", release_schema()),
        (BASE + "release-package-schema.json", _load("release-package-schema.json")),
        (BASE + "record-package-schema.json", _load("record-package-schema.json")),
    ]
    return Registry().with_resources(  # type: ignore[no-any-return]
        (uri, Resource.from_contents(contents, default_specification=DRAFT4)) for uri, contents in resources_
    )


@cache
def validator(name: str) -> Draft4Validator:
    """A Draft 4 validator for the release, release package or record package schema (by file name)."""
    schema = release_schema() if name == "release-schema.json" else _load(name)
    return Draft4Validator(schema, registry=_registry(), format_checker=Draft4Validator.FORMAT_CHECKER)


def errors(instance: Any, name: str = "release-schema.json") -> list[str]:
    """Every schema violation as ``path: message`` (empty when valid)."""
    found = sorted(validator(name).iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


@cache
def merger() -> ocdsmerge.Merger:
    """ocdsmerge's merger with the merge rules of our (local) schema — never the network default."""
    return ocdsmerge.Merger(schema=release_schema())
