"""Errors speak the API's language, and validation is strict (issue 10): a frontend can show them as they are."""

from __future__ import annotations

import json
from typing import Any

import httpx

from .conftest import CITY

PROGRAMME = {
    "code": "P-LANG-1",
    "name": "耕地地力保护补贴",
    "category": "agriculture",
    "fiscal_year": 2025,
    "budget_fen": 10_000_000,
    "region_code": CITY,
}


async def test_an_amount_is_a_number_and_a_name_is_not_blank(funds: httpx.AsyncClient, writer: dict[str, str]):
    as_text = await funds.post("/v1/funds/programmes", headers=writer, json={**PROGRAMME, "budget_fen": "100"})
    assert as_text.status_code == 422, as_text.text
    assert as_text.json()["errors"][0]["field"] == "/budget_fen"
    assert as_text.json()["errors"][0]["pointer"] == "/body/budget_fen"
    blank = await funds.post("/v1/funds/programmes", headers=writer, json={**PROGRAMME, "name": "   "})
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "/name", blank.text


async def test_an_invalid_enum_lists_its_values_as_sent_on_the_wire(funds: httpx.AsyncClient, writer: dict[str, str]):
    movement: dict[str, Any] = {
        "kind": "teleport",
        "to_node_id": "0191c3a2-7b1e-7c3d-9a8f-0d6b2e1c3a44",
        "amount_fen": 100,
        "occurred_on": "2025-03-01",
    }
    refused = await funds.post("/v1/funds/movements", headers=writer, json=movement)
    assert refused.status_code == 422, refused.text
    message = refused.json()["errors"][0]["message"]
    assert "'allocate'" in message and "'disburse'" in message, message
    assert "MovementKind" not in refused.text


async def test_a_json_body_sent_as_another_media_type_is_415(funds: httpx.AsyncClient, writer: dict[str, str]):
    body = json.dumps(PROGRAMME).encode()
    as_text = await funds.post("/v1/funds/programmes", headers={**writer, "Content-Type": "text/plain"}, content=body)
    assert as_text.status_code == 415, as_text.text
    assert as_text.json()["type"].endswith("/unsupported-media-type")
    as_json = await funds.post("/v1/funds/programmes", headers=writer, content=body)
    assert as_json.status_code == 415, "no Content-Type is not JSON either"
