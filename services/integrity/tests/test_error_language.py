"""Filters refuse values they do not know (issue 10): `?service=bogus` is 422, not an empty page."""

from __future__ import annotations

from .conftest import Integrity


async def test_an_unknown_service_filter_is_422_naming_the_known_ones(integrity: Integrity, reader: dict[str, str]):
    refused = await integrity.client.get("/v1/integrity/warnings", params={"service": "bogus"}, headers=reader)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "/service"
    assert "'funds'" in refused.json()["errors"][0]["message"]
    known = await integrity.client.get("/v1/integrity/warnings", params={"service": "funds"}, headers=reader)
    assert known.status_code == 200 and known.json()["items"] == []
    counts = await integrity.client.get("/v1/integrity/warnings/counts", params={"service": "bogus"}, headers=reader)
    assert counts.status_code == 422
