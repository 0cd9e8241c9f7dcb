"""Acceptance and audit records: write, list, rectify; regions and errors."""

from __future__ import annotations

from sunlight.testing import EventCapture

from .conftest import Maker, org


async def test_acceptances_are_recorded_listed_and_published(make: Maker, funds, backend, outsider, acceptor, keys):
    t = await make.tree()
    await make.down(t, 10_000, to="county")
    pay = await make.pay(t.county, 1_000, org())
    async with EventCapture.on(backend.bus_settings(), ["funds.acceptance.recorded.v1"]) as capture:
        r = await funds.post(
            "/v1/funds/acceptances",
            headers=acceptor,
            json={"subject": {"kind": "movement", "id": pay["id"]}, "result": "conditional",
                  "accepted_on": "2025-04-01", "inspector_unit": "海港区验收组", "findings": "围栏未完工"},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        event = await capture.wait_for("funds.acceptance.recorded.v1")
    a = r.json()
    assert (a["programme_id"], a["region_code"], a["result"]) == (t.pid, "130302", "conditional")
    assert event.data.acceptance_id == a["id"] and event.data.subject_kind == "movement"
    listed = (await funds.get("/v1/funds/acceptances", headers=make.headers, params={"programme_id": t.pid})).json()
    assert [x["id"] for x in listed["items"]] == [a["id"]]
    assert (await funds.get("/v1/funds/acceptances", headers=outsider)).json()["items"] == []
    missing = await funds.post(
        "/v1/funds/acceptances",
        headers=acceptor,
        json={"subject": {"kind": "node", "id": "00000000-0000-0000-0000-000000000000"}, "result": "passed",
              "accepted_on": "2025-04-01", "inspector_unit": "x"},
    )  # fmt: skip
    assert missing.status_code == 404
    foreign = await funds.post(
        "/v1/funds/acceptances",
        headers=keys.auth(scopes="funds:read funds:accept", regions=["110000"], sub="bj-panel"),
        json={"subject": {"kind": "programme", "id": t.pid}, "result": "passed", "accepted_on": "2025-04-01",
              "inspector_unit": "x"},
    )  # fmt: skip
    assert foreign.status_code == 404


async def test_audits_and_their_rectification(make: Maker, funds, auditor):
    t = await make.tree()
    r = await funds.post(
        "/v1/funds/audits",
        headers=auditor,
        json={"subject": {"kind": "programme", "id": t.pid}, "auditor": "河北省审计厅", "audited_on": "2025-02-01",
              "conclusion": "基本合规", "findings": [{"description": "公示不及时", "rectify_by": "2025-03-01"}]},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    audit = r.json()
    (finding,) = audit["findings"]
    url = f"/v1/funds/audits/{audit['id']}/findings/{finding['id']}/rectification"
    early = await funds.post(url, headers=auditor, json={"rectified_on": "2025-01-01", "rectification": "x"})
    assert early.status_code == 422 and early.json()["type"].endswith("/rectified-before-audit")
    done = await funds.post(url, headers=auditor, json={"rectified_on": "2025-02-20", "rectification": "已公示"})
    assert done.status_code == 200 and done.json()["rectified_on"] == "2025-02-20"
    again = await funds.post(url, headers=auditor, json={"rectified_on": "2025-02-21", "rectification": "x"})
    assert again.status_code == 409 and again.json()["type"].endswith("/already-rectified")
    listed = (await funds.get("/v1/funds/audits", headers=make.headers, params={"subject_id": t.pid})).json()
    assert listed["items"][0]["findings"][0]["rectification"] == "已公示"
    bad = await funds.post(
        "/v1/funds/audits",
        headers=auditor,
        json={"subject": {"kind": "programme", "id": t.pid}, "auditor": "x", "audited_on": "2025-02-01",
              "findings": [{"description": "d", "rectify_by": "2025-01-01"}]},
    )  # fmt: skip
    assert bad.status_code == 422
    other = await funds.post(
        f"/v1/funds/audits/{audit['id']}/findings/00000000-0000-0000-0000-000000000000/rectification",
        headers=auditor,
        json={"rectified_on": "2025-02-20", "rectification": "x"},
    )
    assert other.status_code == 404
