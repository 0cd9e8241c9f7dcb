async def test_programme_tree_and_overspend(funds, writer):
    r = await funds.post(
        "/v1/funds/programmes",
        headers=writer,
        json={
            "code": "P1",
            "name": "耕地地力保护补贴",
            "category": "agriculture",
            "fiscal_year": 2026,
            "budget_fen": 1_000_000,
            "region_code": "130300",
        },
    )
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = await funds.post(
        f"/v1/funds/programmes/{pid}/nodes",
        headers=writer,
        json={"tier": "finance_bureau", "name": "秦皇岛市财政局", "region_code": "130300"},
    )
    assert r.status_code == 201, r.text
    root = r.json()
    assert root["available_fen"] == 1_000_000
    r = await funds.post(
        f"/v1/funds/programmes/{pid}/nodes",
        headers=writer,
        json={"parent_id": root["id"], "tier": "county", "name": "海港区", "region_code": "130302"},
    )
    child = r.json()
    r = await funds.post(
        "/v1/funds/movements",
        headers=writer,
        json={
            "from_node_id": root["id"],
            "to_node_id": child["id"],
            "amount_fen": 600_000,
            "occurred_on": "2026-03-01",
        },
    )
    assert r.status_code == 201, r.text
    r = await funds.post(
        "/v1/funds/movements",
        headers=writer,
        json={
            "from_node_id": root["id"],
            "to_node_id": child["id"],
            "amount_fen": 600_000,
            "occurred_on": "2026-03-02",
        },
    )
    assert r.status_code == 409, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/overspend") and r.json()["available_fen"] == 400_000
