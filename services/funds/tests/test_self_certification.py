"""No self-certification: acceptances, audits and thresholds are recorded by another body than the one that
spent the money, thresholds within bounds, every threshold change kept (issue 9)."""

from __future__ import annotations

from .conftest import CITY, ORG_USCC, Maker, org, uscc

BUREAU = uscc("11130302MB5550001")  # 海港区农业农村局: the unit that spends the programme's money
PROBLEMS = "https://sunlight.example/problems/"


def acceptance(kind: str, subject: str, **extra: object) -> dict[str, object]:
    return {"subject": {"kind": kind, "id": subject}, "result": "passed", "accepted_on": "2025-04-01",
            "inspector_unit": "验收组", **extra}  # fmt: skip


async def test_the_bureau_cannot_record_its_own_acceptance_or_audit(make: Maker, funds, writer, keys):
    t = await make.tree(responsible_uscc=BUREAU)
    await make.down(t, 10_000, to="county")
    pay = await make.pay(t.county, 1_000, org())
    # a bureau's token (read, write, even admin) records no acceptance or audit: that is the accepting body's scope
    audit = {"subject": {"kind": "programme", "id": t.pid}, "auditor": "x", "audited_on": "2025-02-01"}
    for url, body in (("/v1/funds/acceptances", acceptance("programme", t.pid)), ("/v1/funds/audits", audit)):
        r = await funds.post(url, headers=make.headers, json=body)
        assert r.status_code == 403 and r.json()["type"] == PROBLEMS + "insufficient-scope", r.text
    # the responsible unit holding the accepting scope is still the unit that spent the money
    own = keys.auth(scopes="funds:read funds:accept funds:audit", regions=[CITY], sub="bureau-panel", unit=BUREAU)
    r = await funds.post("/v1/funds/acceptances", headers=own, json=acceptance("node", t.county["id"]))
    assert r.status_code == 403 and r.json()["type"] == PROBLEMS + "self-certification", r.text
    assert r.json()["unit"] == BUREAU
    r = await funds.post(
        "/v1/funds/audits",
        headers=own,
        json={"subject": {"kind": "node", "id": t.county["id"]}, "auditor": "x", "audited_on": "2025-02-01"},
    )
    assert r.status_code == 403 and r.json()["type"] == PROBLEMS + "self-certification", r.text
    # nor may the payee accept the payment made to it, nor may a panel name the bureau as the inspecting unit
    payee = keys.auth(scopes="funds:read funds:accept", regions=[CITY], sub="supplier", unit=ORG_USCC)
    r = await funds.post("/v1/funds/acceptances", headers=payee, json=acceptance("movement", pay["id"]))
    assert r.status_code == 403 and r.json()["type"] == PROBLEMS + "self-certification", r.text
    panel = keys.auth(scopes="funds:read funds:accept", regions=[CITY], sub="panel")
    r = await funds.post(
        "/v1/funds/acceptances", headers=panel, json=acceptance("movement", pay["id"], inspector_uscc=BUREAU)
    )
    assert r.status_code == 403 and r.json()["type"] == PROBLEMS + "self-certification", r.text
    # another body is accepted, and its unit is recorded as the inspecting unit
    r = await funds.post("/v1/funds/acceptances", headers=panel, json=acceptance("movement", pay["id"]))
    assert r.status_code == 201, r.text


async def test_the_audited_unit_cannot_confirm_its_own_rectification(make: Maker, funds, auditor, keys):
    t = await make.tree(responsible_uscc=BUREAU)
    audit = await funds.post(
        "/v1/funds/audits",
        headers=auditor,
        json={"subject": {"kind": "programme", "id": t.pid}, "auditor": "秦皇岛市审计局", "audited_on": "2025-02-01",
              "findings": [{"description": "台账不全", "rectify_by": "2025-03-01"}]},
    )  # fmt: skip
    assert audit.status_code == 201, audit.text
    a = audit.json()
    url = f"/v1/funds/audits/{a['id']}/findings/{a['findings'][0]['id']}/rectification"
    body = {"rectified_on": "2025-02-20", "rectification": "已补齐"}
    r = await funds.post(url, headers=make.headers, json=body)
    assert r.status_code == 403 and r.json()["type"] == PROBLEMS + "insufficient-scope"
    own = keys.auth(scopes="funds:read funds:audit", regions=[CITY], sub="bureau", unit=BUREAU)
    r = await funds.post(url, headers=own, json=body)
    assert r.status_code == 403 and r.json()["type"] == PROBLEMS + "self-certification"
    assert (await funds.post(url, headers=auditor, json=body)).status_code == 200


async def test_thresholds_are_set_by_the_supervising_side_within_bounds_and_audited(
    make: Maker, funds, supervisor, keys
):
    base = {"name": "耕地地力保护补贴", "category": "agriculture", "fiscal_year": 2025, "budget_fen": 10_000_000,
            "region_code": CITY, "responsible_uscc": BUREAU}  # fmt: skip
    # the bureau creating its programme cannot set the thresholds that watch it
    r = await funds.post(
        "/v1/funds/programmes", headers=make.headers, json={**base, "code": "P-T1", "thresholds": {"idle_days": 200}}
    )
    assert r.status_code == 403 and r.json()["type"] == PROBLEMS + "thresholds-supervised", r.text
    p = (await funds.post("/v1/funds/programmes", headers=make.headers, json={**base, "code": "P-T2"})).json()
    url = f"/v1/funds/programmes/{p['id']}/thresholds"
    r = await funds.put(url, headers=make.headers, json={"thresholds": {"idle_days": 200}, "reason": "季度考核"})
    assert r.status_code == 403 and r.json()["type"] == PROBLEMS + "insufficient-scope"
    # a value that would silence a rule is refused, whoever asks
    for thresholds in ({"idle_days": 3650}, {"pass_down_days": {"county": 365}}, {"duplicate_window_days": 0},
                       {"approval_threshold_fen": 10_000_000_000}):  # fmt: skip
        r = await funds.put(url, headers=supervisor, json={"thresholds": thresholds, "reason": "放宽阈值以减少预警"})
        assert r.status_code == 422, (thresholds, r.text)
    r = await funds.put(
        url, headers=supervisor, json={"thresholds": {"per_head_standard_fen": 10_000_001}, "reason": "按人均标准"}
    )
    assert r.status_code == 422 and r.json()["type"] == PROBLEMS + "threshold-out-of-bounds", r.text
    # a reason is required
    assert (await funds.put(url, headers=supervisor, json={"thresholds": {"idle_days": 60}})).status_code == 422
    # the supervising body of the programme's region sets them; every change is kept: who, when, old → new, why
    r = await funds.put(
        url, headers=supervisor, json={"thresholds": {"idle_days": 60}, "reason": "春耕补贴须在两个月内发放"}
    )
    assert r.status_code == 200, r.text
    r = await funds.put(
        url, headers=supervisor, json={"thresholds": {"idle_days": 45, "split_window_days": 7}, "reason": "复核后收紧"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["new"] == {"idle_days": 45, "split_window_days": 7}, "the answer is the change just made"
    changes = (await funds.get(f"/v1/funds/programmes/{p['id']}/threshold-changes", headers=make.headers)).json()[
        "items"
    ]
    assert [(c["old"], c["new"], c["reason"], c["changed_by"]) for c in changes] == [
        ({}, {"idle_days": 60}, "春耕补贴须在两个月内发放", "qhd-inspector"),
        ({"idle_days": 60}, {"idle_days": 45, "split_window_days": 7}, "复核后收紧", "qhd-inspector"),
    ]
    assert changes[0]["changed_by_unit"] and changes[0]["recorded_at"]
    got = (await funds.get(f"/v1/funds/programmes/{p['id']}", headers=make.headers)).json()
    assert {k: v for k, v in got["thresholds"].items() if v is not None} == {"idle_days": 45, "split_window_days": 7}
    # a supervising token whose unit is the programme's responsible unit is the bureau itself
    own = keys.auth(scopes="funds:read funds:supervise", regions=[CITY], sub="bureau-chief", unit=BUREAU)
    r = await funds.put(url, headers=own, json={"thresholds": {"idle_days": 365}, "reason": "本单位自行调整"})
    assert r.status_code == 403 and r.json()["type"] == PROBLEMS + "self-certification"
    # another region's supervisor does not see the programme
    bj = keys.auth(scopes="funds:read funds:supervise", regions=["110000"], sub="bj-inspector")
    assert (
        await funds.put(url, headers=bj, json={"thresholds": {"idle_days": 60}, "reason": "xxxxx"})
    ).status_code == 404
    bounds = (await funds.get("/v1/funds/threshold-bounds", headers=make.headers)).json()["items"]
    idle = next(b for b in bounds if b["name"] == "idle_days")
    assert (idle["minimum"], idle["maximum"]) == (30, 365) and "预算法" in idle["source"]
