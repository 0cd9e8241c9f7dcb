"""Open311 GeoReport v2 reads: public, the general categories only; a report about a person never appears,
and no report's content does."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import UNIT, Filer, report

OPEN311 = "/v1/complaints/open311/v2"  # the path GeoReport clients are given (issue 13)
STREETLIGHT = "海港区文化路路灯连续一周不亮，夜间行人摔倒"
PERSON = "张卫东"


async def requests(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    r = await client.get(f"{OPEN311}/requests.json", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    return list(r.json())


async def test_service_requests_show_their_status_and_a_report_about_a_person_never_does(
    filer: Filer, complaints: httpx.AsyncClient
):
    services = (await complaints.get(f"{OPEN311}/services.json")).json()
    assert [s["service_code"] for s in services] == ["service_request"]
    assert services[0]["metadata"] is False and services[0]["type"] == "realtime"

    await filer.file(report(STREETLIGHT, category="service_request", subject={"kind": "unit", "unit_uscc": UNIT}))
    lamp = (await filer.newest())["id"]
    person = {"kind": "official", "official_name": PERSON, "official_post": "科长"}
    await filer.file(report(f"{PERSON}科长办事推诿", category="service_request", subject=person))
    about_person = (await filer.newest())["id"]
    await filer.file(report(f"{PERSON}收受贿赂", category="corruption", subject=person))
    bribe = (await filer.newest())["id"]

    (shown,) = await requests(complaints)
    assert shown["service_request_id"] == lamp and shown["service_code"] == "service_request"
    assert shown["status"] == "open" and shown["jurisdiction_id"] == "130302" and shown["expected_datetime"]
    assert shown["description"] is None and shown["address"] is None and shown["media_url"] is None
    for hidden in (about_person, bribe):
        assert await requests(complaints, service_request_id=hidden) == []
        assert (await complaints.get(f"{OPEN311}/requests/{hidden}.json")).status_code == 404
    assert await requests(complaints, service_code="corruption") == []
    everything = (await complaints.get(f"{OPEN311}/requests.json", params={"start_date": "2004-01-01T00:00:00Z"})).text
    assert PERSON not in everything and "路灯" not in everything and about_person not in everything

    # its status follows the handling; the filters are GeoReport's
    await filer.step(lamp, "decision", {"decision": "reject", "reason": "已由供电公司处理"})
    (one,) = (await complaints.get(f"{OPEN311}/requests/{lamp}.json")).json()
    assert one["status"] == "closed" and one["expected_datetime"] is None
    assert await requests(complaints, status="open") == []
    assert [r["service_request_id"] for r in await requests(complaints, status="closed")] == [lamp]
    assert await requests(complaints, jurisdiction_id="110000") == []
    assert len(await requests(complaints, jurisdiction_id="130300")) == 1
