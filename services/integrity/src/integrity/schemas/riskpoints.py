"""API shapes of the risk-point catalogue (廉政风险点) and its heat map."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sunlight.codes import USCC, RegionCode
from sunlight.rule_catalogue import RULE_IDS

from integrity.models import RiskLevel
from integrity.schemas.common import RULE_ID

# --- risk points ------------------------------------------------------------------------------


class RiskPointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
    name: str = Field(min_length=1, pattern=r"\S", max_length=200)
    post: str = Field(min_length=1, max_length=200, description="岗位")
    power: str = Field(min_length=1, max_length=200, description="职权")
    description: str | None = Field(default=None, max_length=4000)
    risk_level: RiskLevel
    controls: list[str] = Field(default_factory=list, max_length=50, description="防控措施")
    rule_ids: list[RuleId] = Field(
        default_factory=list, max_length=50, description="rules whose findings realise it (ids of the rule catalogue)"
    )
    region_code: RegionCode
    unit_uscc: USCC | None = None

    @model_validator(mode="after")
    def _rule_ids(self) -> RiskPointIn:
        _check_rules(self.rule_ids)
        return self


class RiskPointUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, pattern=r"\S", max_length=200)
    post: str | None = Field(default=None, min_length=1, max_length=200)
    power: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    risk_level: RiskLevel | None = None
    controls: list[str] | None = Field(default=None, max_length=50)
    rule_ids: list[RuleId] | None = Field(default=None, max_length=50)

    @model_validator(mode="after")
    def _rule_ids(self) -> RiskPointUpdate:
        _check_rules(self.rule_ids or [])
        return self


def _known_rule(rule_id: str) -> str:
    if rule_id not in RULE_IDS:
        raise ValueError(f"{rule_id!r} is not a rule of the suite (GET /v1/<service>/rules, docs/rules.md)")
    return rule_id


RuleId = Annotated[
    str,
    StringConstraints(pattern=RULE_ID, max_length=64),
    AfterValidator(_known_rule),
    Field(examples=["FUNDS-OVERSPEND"]),
]


def _check_rules(rule_ids: list[str]) -> None:
    if len(set(rule_ids)) != len(rule_ids):
        raise ValueError("rule_ids repeat")


class RiskPointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    post: str
    power: str
    description: str | None
    risk_level: RiskLevel
    controls: list[str]
    rule_ids: list[str] = []
    region_code: str
    unit_uscc: str | None
    created_at: datetime
    updated_at: datetime


class HeatCell(BaseModel):
    """Realised risks (warnings linked to a risk point) of one unit: one cell of the heat map."""

    unit_uscc: str | None
    risk_point_id: uuid.UUID
    risk_point_code: str
    risk_point_name: str
    risk_level: RiskLevel
    blue: int = 0
    orange: int = 0
    red: int = 0
    total: int = 0
