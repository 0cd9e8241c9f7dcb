"""The reporter's identity: sealed; a second registrar approves a request; every read is logged."""

from __future__ import annotations

import httpx

from .conftest import Filer, report

IDENTITY = {"name": "欧阳春花", "phone": "13800138000", "contact": "海港区某街道"}


async def _named(filer: Filer) -> str:
    await filer.file(report(anonymous=False, reporter=IDENTITY))
    return str((await filer.newest())["id"])


async def test_identity_needs_a_second_registrar_and_every_read_is_logged(
    filer: Filer, complaints: httpx.AsyncClient, registrar, registrar2, handler, outsider
):
    rid = await _named(filer)
    shown = (await complaints.get(f"/v1/complaints/reports/{rid}", headers=handler)).json()
    assert shown["has_identity"] is True and "欧阳春花" not in str(shown) and "13800138000" not in str(shown)

    # a handler cannot even ask
    r = await complaints.post(
        f"/v1/complaints/reports/{rid}/identity-requests",
        headers=handler,
        json={"reason": "需要核实举报人身份以便询问"},
    )
    assert r.status_code == 403
    r = await complaints.post(
        f"/v1/complaints/reports/{rid}/identity-requests",
        headers=registrar,
        json={"reason": "需要当面核实举报线索细节"},
    )
    assert r.status_code == 201, r.text
    request_id = r.json()["id"]
    read = f"/v1/complaints/identity-requests/{request_id}/identity"
    decide = f"/v1/complaints/identity-requests/{request_id}/decision"

    r = await complaints.post(read, headers=registrar)
    assert r.status_code == 409 and r.json()["type"].endswith("/identity-not-approved")  # not yet approved
    r = await complaints.post(decide, headers=registrar, json={"approve": True})
    assert r.status_code == 409 and r.json()["type"].endswith("/same-registrar")  # not by the one who asked
    r = await complaints.post(decide, headers=outsider, json={"approve": True})
    assert r.status_code == 404  # another region's registrar does not see the request
    r = await complaints.post(decide, headers=registrar2, json={"approve": True})
    assert r.status_code == 200 and r.json()["decided_by"] == "registrar-chen"

    r = await complaints.post(read, headers=registrar2)
    assert r.status_code == 409  # the approver does not read it: only the registrar who asked
    r = await complaints.post(read, headers=registrar)
    assert r.status_code == 200 and r.json() == {**IDENTITY, "resident_id": None}

    log = await complaints.get(f"/v1/complaints/reports/{rid}/identity-accesses", headers=registrar2)
    (entry,) = log.json()["items"]
    assert entry["accessed_by"] == "registrar-wang" and entry["reason"] == "需要当面核实举报线索细节"
    assert "欧阳春花" not in log.text and "13800138000" not in log.text
    r = await complaints.get(f"/v1/complaints/reports/{rid}/identity-accesses", headers=handler)
    assert r.status_code == 403


async def test_a_denied_request_reads_nothing_and_an_anonymous_report_has_no_identity(
    filer: Filer, complaints: httpx.AsyncClient, registrar, registrar2
):
    rid = await _named(filer)
    r = await complaints.post(
        f"/v1/complaints/reports/{rid}/identity-requests",
        headers=registrar,
        json={"reason": "想了解举报人是谁，便于沟通"},
    )
    request_id = r.json()["id"]
    r = await complaints.post(
        f"/v1/complaints/identity-requests/{request_id}/decision", headers=registrar2, json={"approve": False}
    )
    assert r.json()["status"] == "denied"
    r = await complaints.post(f"/v1/complaints/identity-requests/{request_id}/identity", headers=registrar)
    assert r.status_code == 409
    log = await complaints.get(f"/v1/complaints/reports/{rid}/identity-accesses", headers=registrar)
    assert log.json()["items"] == []

    await filer.file()
    anonymous = (await filer.newest())["id"]
    r = await complaints.post(
        f"/v1/complaints/reports/{anonymous}/identity-requests",
        headers=registrar,
        json={"reason": "需要核实举报人的身份信息"},
    )
    assert r.status_code == 409 and r.json()["type"].endswith("/no-identity")
