"""CloudEvents 1.0 envelope in structured mode (the whole JSON event is the message body).

``id`` is a UUIDv7 (time-ordered), ``source`` is ``/sunlight/<service>``, ``type`` is
``<domain>.<noun>.<verb>.v<N>``, ``subject`` is the entity id. ``data`` is validated
against the registered contract of ``type`` (:mod:`sunlight.events.contracts`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar, cast

import uuid6
from pydantic import BaseModel, ConfigDict, ValidationError

from sunlight.events.contracts import CONTRACTS, schema_uri

P = TypeVar("P", bound=BaseModel)


class UnknownEventType(ValueError):
    pass


class Envelope(BaseModel, Generic[P]):
    """A CloudEvent whose ``data`` is the contract payload ``P``."""

    model_config = ConfigDict(frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str
    source: str
    type: str
    subject: str | None = None
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = None
    data: P

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=True)


def new_event_id() -> str:
    return str(uuid6.uuid7())


def new_event(
    data: BaseModel,
    *,
    source: str,
    subject: str | None = None,
    event_id: str | None = None,
    time: datetime | None = None,
) -> Envelope[Any]:
    """Wrap a contract payload; the type comes from the payload's registered contract."""
    event_type = getattr(type(data), "event_type", None)
    if event_type is None or CONTRACTS.get(event_type) is not type(data):
        raise UnknownEventType(f"{type(data).__name__} is not a registered event contract")
    typed: Any = Envelope[type(data)]  # type: ignore[misc]
    return cast(
        Envelope[Any],
        typed(
            id=event_id or new_event_id(),
            source=source,
            type=event_type,
            subject=subject,
            time=time or datetime.now(UTC),
            dataschema=schema_uri(event_type),
            data=data,
        ),
    )


def parse_event(raw: bytes | str) -> Envelope[Any]:
    """Parse and validate an event; raises ``ValueError`` (permanent) when it cannot be read."""
    try:
        head = _RAW_ENVELOPE.model_validate_json(raw)
    except ValidationError as exc:
        raise ValueError(f"not a Sunlight CloudEvent: {exc.errors()[0]['msg']}") from None
    contract = CONTRACTS.get(head.type)
    if contract is None:
        raise UnknownEventType(f"no contract for event type {head.type!r}")
    typed: Any = Envelope[contract]  # type: ignore[valid-type]
    return cast(Envelope[Any], typed.model_validate({**head.model_dump(exclude={"data"}), "data": head.data}))


_RAW_ENVELOPE: Any = Envelope[dict[str, Any]]  # type: ignore[type-var]
