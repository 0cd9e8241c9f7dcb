"""Enums whose values are described in the API contract.

A member is declared with its meaning, ``OPEN = "open", "not yet handled"``; the JSON schema of the enum
then lists each value with its meaning in ``description`` (what Redoc and a reader see) and in
``x-enumDescriptions`` (what generators such as openapi-generator turn into doc comments). A member is
still the plain string (``Status.OPEN == "open"``), so columns, queries and events are unchanged.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

__all__ = ["DescribedEnum", "PlainEnumsJsonSchema"]


class PlainEnumsJsonSchema(GenerateJsonSchema):
    """JSON schemas with enums as pydantic renders them (no value descriptions): the published event schemas
    (``openapi/events``) are frozen byte for byte, and were published before values were described."""

    plain_enums = True


class DescribedEnum(StrEnum):
    """A ``StrEnum`` whose members carry a description: ``NAME = "value", "what it means"``."""

    description: str

    def __new__(cls, value: str, description: str = "") -> DescribedEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        reference: dict[str, Any] = handler(core_schema)
        if getattr(getattr(handler, "generate_json_schema", None), "plain_enums", False):
            return reference
        schema: dict[str, Any] = handler.resolve_ref_schema(reference)
        missing = [m.value for m in cls if not m.description]
        if missing:
            raise TypeError(f"{cls.__name__}: describe {missing}")
        lead = (cls.__doc__ or "").strip()
        values = "\n".join(f"- `{m.value}`: {m.description}" for m in cls)
        schema["description"] = f"{lead}\n\n{values}" if lead else values
        schema["x-enumDescriptions"] = {m.value: m.description for m in cls}
        return reference
