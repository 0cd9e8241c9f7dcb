"""Swagger UI works without internet: /docs names no external host and its assets are served here."""

import httpx
from sunlight.testing.docs import assert_docs_are_self_contained


async def test_gateway_docs_load_without_a_cdn(gateway: httpx.AsyncClient):
    page = await assert_docs_are_self_contained(gateway)
    assert '"clientId": "sunlight-web"' in page, "Swagger UI signs people in through the public client"
