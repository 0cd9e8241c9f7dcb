"""The real-data importer on Oxford City Council's published payments over £500 (2017, OGL v3.0).

The expected figures are recomputed here from the CSV with nothing but the csv module, so the
test checks the importer against the file, not against itself.
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from funds import checks
from funds.importers import oxford
from sunlight.testing.data import require_data

from .conftest import Maker

QUARTERS = ["jan-mar", "apr-jun", "jul-sep", "oct-dec"]


def path(quarter: str) -> Path:
    return require_data("funds", "oxford-expenditure-over-500", f"expenditure-over-500-{quarter}-2017.csv")


def expected(quarter: str) -> dict:
    """Ground truth straight from the CSV: payments (amount > 0 with a supplier), credit notes (amount < 0 with
    a supplier), totals per service area."""
    with path(quarter).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    paid = [r for r in rows if Decimal(r["Amount"]) > 0 and r["Supplier ID"].strip()]
    credits = [r for r in rows if Decimal(r["Amount"]) < 0 and r["Supplier ID"].strip()]
    by_area: dict[str, int] = defaultdict(int)
    for r in paid:
        by_area[" ".join(r["Service Area"].split())] += int(Decimal(r["Amount"]) * 100)
    return {
        "rows": len(rows),
        "payments": len(paid),
        "total": sum(by_area.values()),
        "by_area": dict(by_area),
        "suppliers": len({r["Supplier ID"] for r in paid}),
        "paid": paid,
        "credits": credits,
    }


@pytest.mark.parametrize("quarter", QUARTERS)
def test_every_quarter_reads_despite_its_header_drift(quarter):
    parsed = oxford.read(path(quarter).read_text(encoding="utf-8"))
    truth = expected(quarter)
    assert len(parsed.payments) == truth["payments"]
    assert len(parsed.credits) == len(truth["credits"]) > 0, "credit notes are read, not dropped"
    assert sum(c.amount_minor for c in parsed.credits) == -sum(
        int(Decimal(r["Amount"]) * 100) for r in truth["credits"]
    )
    assert len(parsed.payments) + len(parsed.credits) + len(parsed.skipped) == truth["rows"]
    assert sum(p.amount_minor for p in parsed.payments) == truth["total"]
    assert parsed.has_category == (quarter != "jul-sep")
    first = parsed.payments[0]
    assert first.line >= 2 and first.paid_on.year == 2017 and first.type in ("Revenue", "Capital")
    if quarter == "jul-sep":
        assert first.category == first.code, "without a category column the expenditure code stands in"
    assert all("with no supplier" in reason for _, reason in parsed.skipped)


def test_a_broken_file_is_refused_with_its_line():
    with pytest.raises(oxford.OxfordFormatError, match="missing columns"):
        oxford.read("Service Area,Amount\nx,1\n")
    text = path("apr-jun").read_text(encoding="utf-8").splitlines()
    text[3] = text[3].replace("/2017", "/17x")
    with pytest.raises(oxford.OxfordFormatError, match="line 4"):
        oxford.read("\n".join(text))


async def test_a_real_quarter_becomes_a_programme_with_its_tree_and_payments(make: Maker, funds, national):
    raw = path("apr-jun").read_bytes()
    truth = expected("apr-jun")
    r = await funds.post(
        "/v1/funds/imports/oxford-expenditure",
        params={"code": "OXF-2017Q2", "region_code": "130300"},
        content=raw,
        headers={**make.headers, "content-type": "text/csv"},
    )
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["payments"] == truth["payments"] == 4045
    assert out["total_fen"] == truth["total"] and out["payees"] == truth["suppliers"]
    assert out["nodes"] == 1 + len(truth["by_area"])
    # five credit notes kept as refunds; the council's two penny corrections have no supplier
    assert out["refunds"] == len(truth["credits"]) == 5
    assert out["refunded_fen"] == -sum(int(Decimal(r["Amount"]) * 100) for r in truth["credits"]) == 145_949
    assert out["skipped"] == [
        {"line": 2, "reason": "amount -0.01: a correction with no supplier"},
        {"line": 15, "reason": "amount -0.01: a correction with no supplier"},
    ]

    pid = out["programme_id"]
    programme = (await funds.get(f"/v1/funds/programmes/{pid}", headers=make.headers)).json()
    assert programme["budget_fen"] == truth["total"] and programme["fiscal_year"] == 2017
    assert programme["budget_approved_on"] == "2017-04-03", "the day of the file's first payment"
    assert {k: v for k, v in programme["thresholds"].items() if v is not None} == {"reporting_floor_fen": 50_000}
    lines = {line["code"]: line for line in programme["budget_lines"]}
    assert set(lines) == {"Revenue", "Capital"}
    assert sum(x["amount_fen"] - x["spent_fen"] for x in lines.values()) == out["refunded_fen"], "net of credits"

    trace = (await funds.get(f"/v1/funds/programmes/{pid}/trace", headers=make.headers)).json()
    assert trace["conserved"], trace["discrepancies"]
    areas = {n["name"]: n for n in trace["nodes"] if n["tier"] == "department"}
    credited: dict[str, int] = defaultdict(int)
    for r in truth["credits"]:
        credited[" ".join(r["Service Area"].split())] -= int(Decimal(r["Amount"]) * 100)
    assert {name: n["spent_fen"] + n["idle_fen"] for name, n in areas.items()} == truth["by_area"]
    assert {name: n["idle_fen"] for name, n in areas.items() if n["idle_fen"]} == credited, (
        "what a supplier paid back is back in the service area's hands"
    )

    # one real payment, followed back to the council and its budget line
    sample = truth["paid"][100]
    listed = (
        await funds.get("/v1/funds/movements", headers=make.headers, params={"programme_id": pid, "limit": 500})
    ).json()
    assert listed["next_cursor"]
    found = None
    cursor = None
    while found is None:
        page = (
            await funds.get(
                "/v1/funds/movements",
                headers=make.headers,
                params={"programme_id": pid, "kind": "expend", "limit": 500, **({"cursor": cursor} if cursor else {})},
            )
        ).json()
        found = next((m for m in page["items"] if m["reference"] == sample["Trans No"]), None)
        cursor = page["next_cursor"]
        assert found or cursor
    assert found["amount_fen"] == int(Decimal(sample["Amount"]) * 100)
    assert found["payee"]["external_id"] == f"oxford:{sample['Supplier ID']}"
    path_ = (await funds.get(f"/v1/funds/movements/{found['id']}/path", headers=make.headers)).json()
    assert [h["node"]["tier"] for h in path_["hops"]] == ["department", "finance_bureau"]
    assert path_["budget_line"]["code"] == sample["Type"]

    # Benford on the biggest service area, against a count made here from the file
    direct = areas["Direct Services"]
    digits = Counter(
        checks.first_digit(int(Decimal(r["Amount"]) * 100))
        for r in truth["paid"]
        if " ".join(r["Service Area"].split()) == "Direct Services"
    )
    b = (
        await funds.get(
            f"/v1/funds/nodes/{direct['id']}/benford",
            headers=make.headers,
            params={"from": "2017-04-01", "to": "2017-07-01"},
        )
    ).json()
    assert b["counts"] == [digits[d] for d in range(1, 10)] and b["count"] == sum(digits.values())
    assert b["conformity"] == "nonconformity", "payments over £500 only: the first digits cannot follow Benford"

    # the warnings the import raised, and those of the scan after the quarter: counted per rule
    warnings = await all_warnings(funds, make, pid)
    assert {rule: len(ws) for rule, ws in warnings.items()} == {
        "FUNDS-DUPLICATE-PAYMENT": 132,
        "FUNDS-SPLIT-PAYMENT": 1,
    }, "no late pass-down from the import's own dates; no refusals"
    for w in warnings["FUNDS-DUPLICATE-PAYMENT"]:  # no invoice numbers in the file: same supplier and amount, 3 days
        ev = w["evidence"]
        days = sorted(date.fromisoformat(d) for d in ev["dates"])
        assert w["level"] == "orange" and ev["match"] == "payee_amount_date" and len(ev["payment_ids"]) >= 2
        assert len(set(ev["references"])) == len(ev["references"]), "each a payment of its own"
        assert any((b - a).days <= 3 for a, b in itertools.pairwise(days)), ev
    (split,) = warnings["FUNDS-SPLIT-PAYMENT"]
    amounts = split["evidence"]["amounts_fen"]
    assert len(amounts) >= 2 and all(4_500_000 <= a < 5_000_000 for a in amounts), "just under £50,000"
    scanned = await funds.post("/v1/funds/scans", headers=national, json={"as_of": "2017-07-01T04:00:00Z"})
    assert scanned.status_code == 200, scanned.text
    assert scanned.json()["findings"] == {"FUNDS-BENFORD": 1}, "no late pass-down, nothing idle"
    (benford,) = (await all_warnings(funds, make, pid))["FUNDS-BENFORD"]
    assert benford["evidence"]["floor_fen"] == 100_000, "tested from £1,000 up: the file starts at £500"
    assert benford["evidence"]["p_value"] < 0.01 and benford["evidence"]["mad"] > 0.015
    # later scans: the five credit notes' money back at the service areas does not turn "idle" 90 days on because
    # the next quarter's spending is another file — the budget is the import's own, not judged (budget_source)
    assert programme["budget_source"] == "oxford-payments-file"
    for day in ("2017-10-01", "2018-01-01"):
        later = await funds.post("/v1/funds/scans", headers=national, json={"as_of": f"{day}T04:00:00Z"})
        assert later.status_code == 200, later.text
        assert "FUNDS-IDLE-FUNDS" not in later.json()["findings"], (day, later.json())
        assert "FUNDS-LATE-PASS-DOWN" not in later.json()["findings"], (day, later.json())
    assert set(await all_warnings(funds, make, pid)) == {
        "FUNDS-DUPLICATE-PAYMENT",
        "FUNDS-SPLIT-PAYMENT",
        "FUNDS-BENFORD",
    }, "which warnings an import and a year of scans raise"

    public = (await funds.get(f"/v1/funds/public/programmes/{pid}/payments", params={"limit": 5})).json()
    assert len(public["items"]) == 5 and all(p["payee"]["kind"] == "organisation" for p in public["items"])

    again = await funds.post(
        "/v1/funds/imports/oxford-expenditure",
        params={"code": "OXF-2017Q2", "region_code": "130300"},
        content=raw,
        headers={**make.headers, "content-type": "text/csv"},
    )
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true" and again.json() == out
    other = await funds.post(
        "/v1/funds/imports/oxford-expenditure",
        params={"code": "OXF-2017Q2", "region_code": "130300"},
        content=path("jul-sep").read_bytes(),
        headers={**make.headers, "content-type": "text/csv"},
    )
    assert other.status_code == 409 and other.json()["type"].endswith("/duplicate-code")


async def all_warnings(funds, make: Maker, pid: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = defaultdict(list)
    cursor = None
    while True:
        params = {"programme_id": pid, "limit": 500, **({"cursor": cursor} if cursor else {})}
        page = (await funds.get("/v1/funds/warnings", headers=make.headers, params=params)).json()
        for w in page["items"]:
            found[w["rule_id"]].append(w)
        cursor = page["next_cursor"]
        if not cursor:
            return dict(found)


async def test_an_unreadable_file_writes_nothing(make: Maker, funds):
    r = await funds.post(
        "/v1/funds/imports/oxford-expenditure",
        params={"code": "OXF-BAD", "region_code": "130300"},
        content=b"Service Area,Amount\nx,1\n",
        headers={**make.headers, "content-type": "text/csv"},
    )
    assert r.status_code == 422 and r.json()["type"].endswith("/import-invalid") and "line 1" in r.json()["detail"]
    assert (await funds.get("/v1/funds/programmes", headers=make.headers)).json()["items"] == []


@pytest.mark.parametrize(("paid", "words"), [("01/01/2999", "future"), ("01/01/2014", "outside")])
async def test_an_import_refuses_payments_dated_in_the_future_or_outside_its_year(make: Maker, funds, paid, words):
    """The importer dates the programme from its first payment; a payment in the future, or years before the
    rest (so the others fall outside that year), is refused like any movement: nothing is written."""
    header, *rows = path("apr-jun").read_text(encoding="utf-8-sig").splitlines()
    rows = [r for r in rows if r.split(",")[7].strip()][:5]  # payments with a supplier
    fields = rows[0].split(",")
    fields[3] = paid
    raw = "\n".join([header, ",".join(fields), *rows[1:]]).encode()
    r = await funds.post(
        "/v1/funds/imports/oxford-expenditure",
        params={"code": f"OXF-DATE-{words}", "region_code": "130300"},
        content=raw,
        headers={**make.headers, "content-type": "text/csv"},
    )
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["type"].endswith("/batch-invalid"), problem
    dates = [e for e in problem["errors"] if e["type"].endswith("/date-out-of-range")]
    assert dates and all(e["pointer"].endswith("/occurred_on") for e in dates)
    assert any(words in e["message"] for e in dates), dates
    assert (await funds.get("/v1/funds/programmes", headers=make.headers)).json()["items"] == []
