"""OCDS files imported through the API and stored: the real files of ``/work/shared/data/ocds/``, idempotent
re-import, the stored processes in the indicator run and re-published, refusals as problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from .conftest import DISTRICT, Maker

DATA = Path("/work/shared/data/ocds")
REAL = DATA / "realdata"


async def upload(
    client: httpx.AsyncClient, headers: dict[str, str], path: Path, expect: int = 201, **params: Any
) -> dict[str, Any]:
    async def chunks():  # streamed, as a large file would be
        with path.open("rb") as f:
            while block := f.read(4096):
                yield block

    response = await client.post(
        "/v1/tenders/ocds/imports",
        params={"region_code": DISTRICT, **params},
        content=chunks(),
        headers={**headers, "content-type": "application/json"},
    )
    assert response.status_code == expect, response.text
    return dict(response.json())


async def test_a_release_package_is_stored_and_a_reimport_changes_nothing(tenders: httpx.AsyncClient, make: Maker):
    first = await upload(tenders, make.headers, REAL / "release-package_1.1-1.json")
    assert first["processes"] > 0 and first["created"] == first["processes"] and first["unchanged"] == 0
    again = await upload(tenders, make.headers, REAL / "release-package_1.1-1.json")
    assert again["created"] == again["updated"] == 0 and again["unchanged"] == first["processes"]
    receipt = await make.get(f"/v1/tenders/ocds/imports/{first['id']}")
    assert receipt == first

    run = (await tenders.post("/v1/tenders/indicators/run", json={}, headers=make.headers)).json()
    assert run["tenders"] == first["processes"], "each imported process counted once, after two imports"


async def test_record_packages_json_lines_and_bare_releases_are_stored(tenders: httpx.AsyncClient, make: Maker):
    record = await upload(tenders, make.headers, REAL / "record-package_1.1.json")
    assert record["records"] > 0 and record["created"] > 0
    fictional = sorted((DATA / "fictional").glob("ocds-213czf-000-00001-0*.json"))
    created = 0
    for path in fictional:  # six release packages of one process: the first creates it, later ones update it
        out = await upload(tenders, make.headers, path)
        created += out["created"]
        assert out["processes"] == 1
    assert created == 1
    package = await make.get("/v1/tenders/ocds/processes/ocds-213czf-000-00001")
    [compiled] = package["releases"]
    assert compiled["ocid"] == "ocds-213czf-000-00001" and compiled["contracts"], "the contract's release was merged"


async def test_a_file_not_in_utf8_is_refused_unless_its_encoding_is_named(tenders: httpx.AsyncClient, make: Maker):
    latin = REAL / "release-package_encoding-iso-8859-1.json"
    problem = await upload(tenders, make.headers, latin, expect=422)
    assert problem["type"].endswith("ocds-not-utf8")
    unknown = await upload(tenders, make.headers, latin, expect=422, encoding="403")
    assert unknown["type"].endswith("ocds-unknown-encoding")
    decoded = await upload(tenders, make.headers, latin, encoding="iso-8859-1")
    assert decoded["created"] == decoded["processes"] > 0
    other = await tenders.post(
        "/v1/tenders/ocds/imports", params={"region_code": "110101"}, content=b"{}", headers=make.headers
    )
    assert other.status_code == 403, "no writes outside the caller's regions"
    missing = await tenders.get("/v1/tenders/ocds/processes/ocds-unknown-1", headers=make.headers)
    assert missing.status_code == 404


async def test_imported_processes_are_listed_page_by_page_in_the_callers_regions_only(
    tenders: httpx.AsyncClient, make: Maker, outsider: dict[str, str]
):
    first = await upload(tenders, make.headers, REAL / "release-package-1-2.json")
    second = await upload(tenders, make.headers, REAL / "record-package-1-2.json")
    expected = {r["id"]: r["created"] for r in (first, second)}
    assert all(expected.values()), "two files of different processes"

    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = await make.get("/v1/tenders/ocds/processes", **params)
        assert len(page["items"]) <= 1
        seen += page["items"]
        if not (cursor := page["next_cursor"]):
            break
    assert len({p["id"] for p in seen}) == len(seen) == sum(expected.values()), "every process once, across pages"
    assert [p["updated_at"] for p in seen] == sorted((p["updated_at"] for p in seen), reverse=True), "newest first"
    for import_id, count in expected.items():
        only = await make.get("/v1/tenders/ocds/processes", import_id=import_id)
        assert len(only["items"]) == count and {p["import_id"] for p in only["items"]} == {import_id}

    # the summary is read from the compiled release the process's own page publishes
    listed = seen[0]
    [compiled] = (await make.get(f"/v1/tenders/ocds/processes/{listed['ocid']}"))["releases"]
    tender = compiled.get("tender", {})
    assert listed["title"] == tender.get("title") and listed["tender_status"] == tender.get("status")
    assert listed["buyer_id"] == compiled.get("buyer", {}).get("id")
    assert listed["awards"] == len(compiled.get("awards", []))
    assert listed["releases"] >= 1 and listed["region_code"] == DISTRICT

    elsewhere = await tenders.get("/v1/tenders/ocds/processes", headers=outsider)
    assert elsewhere.status_code == 200 and elsewhere.json()["items"] == [], "another province sees none of them"
