"""Access matrix: every route of every app, called as each kind of principal.

Routes come from each app's own OpenAPI (so a new route or service is covered without a
line here); one object per resource is seeded in region A (秦皇岛 130300) so path ids are
real. For a route needing scopes S:

- no token                    → 401 problem+json
- a token without S (another service's scopes, same region) → 403 …/insufficient-scope
- S in region A               → never 401/403; a GET of a seeded object is 200
- S in region B (北京 110000)  → a seeded object is 404; nothing of region A in any answer
- every scope of the app, region B (the other region's administrator) → the same as above
- routes needing ``<app>:admin``/``admin`` → 403 for region A's non-administrators

Names and ids of the seeded objects are canaries: no answer to a region-B principal may
contain one, whatever its status.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from stdnum.cn import uscc
from sunlight.events.bus import bus_from_settings
from sunlight.settings import CommonSettings
from sunlight.testing import TestKeys
from sunlight.warnings import Level, Rule, SubjectRef, warning_event

from .conftest import APPS, GATEWAY, GATEWAY_ADMIN, Live, Operation, ServiceApp, openapi_of, operations

REGION_A, REGION_B = "130300", "110000"
PROBLEMS = "https://sunlight.example/problems/"
KINDS = ("anonymous", "wrong scope", "in region", "outside region", "other region's admin")

# (app, "METHOD /path") -> why it fails today (issue 8 section); strict xfail until the fix lands
KNOWN: dict[tuple[str, str], str] = {}
# operations only a nationwide principal may call (deployment-wide settings, work over every region):
# region A's administrator is refused with 403 …/nationwide-only
NATIONWIDE_ONLY = {
    (GATEWAY, "POST /v1/admin/keys/rotate"),
    ("funds", "POST /v1/funds/scans"),
    ("approvals", "POST /v1/approvals/sweeps"),
    ("complaints", "POST /v1/complaints/scans"),
    ("complaints", "POST /v1/complaints/keys/rewrap"),
    ("integrity", "POST /v1/integrity/frameworks"),
    ("integrity", "PUT /v1/integrity/frameworks/{code}"),
}


def unit(n: int, region: str = REGION_A) -> str:
    base = f"91{region}{n:09d}"
    return base + uscc.calc_check_digit(base + "0")


@dataclass
class Seeded:
    """Path parameter values of region A's objects, and the canaries that must not leak."""

    params: dict[str, str] = field(default_factory=dict)
    canaries: set[str] = field(default_factory=set)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # principal kind -> headers (gateway)

    def add(self, name: str, value: Any, *, canary: bool = True) -> str:
        self.params[name] = str(value)
        if canary:
            self.canaries.add(str(value))
        return str(value)


def _ok(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


def seed_funds(live: Live, keys: TestKeys) -> Seeded:
    seeded = Seeded()
    h = keys.auth(scopes="funds:read funds:write funds:admin funds:audit", regions=[REGION_A], sub="seed-a")
    name = f"CANARY-P-{uuid.uuid4().hex[:8]}"
    seeded.canaries.add(name)
    programme = _ok(
        live.call(
            "POST",
            "/v1/funds/programmes",
            headers=h,
            json={
                "code": name,
                "name": name,
                "category": "agriculture",
                "fiscal_year": 2025,
                "budget_fen": 10_000_000,
                "region_code": REGION_A,
            },
        )
    )
    pid = seeded.add("programme_id", programme["id"])
    root = _ok(
        live.call(
            "POST",
            f"/v1/funds/programmes/{pid}/nodes",
            headers=h,
            json={"tier": "finance_bureau", "name": "CANARY-ROOT", "region_code": REGION_A},
        )
    )
    county = _ok(
        live.call(
            "POST",
            f"/v1/funds/programmes/{pid}/nodes",
            headers=h,
            json={"parent_id": root["id"], "tier": "county", "name": "CANARY-COUNTY", "region_code": "130302"},
        )
    )
    seeded.add("node_id", county["id"])
    for kind in ("allocate", "disburse"):
        _ok(
            live.call(
                "POST",
                "/v1/funds/movements",
                headers=h,
                json={
                    "kind": kind,
                    "from_node_id": root["id"],
                    "to_node_id": county["id"],
                    "amount_fen": 100_000,
                    "occurred_on": "2025-03-01",
                },
            )
        )
    pay = _ok(
        live.call(
            "POST",
            "/v1/funds/movements",
            headers=h,
            json={
                "kind": "expend",
                "from_node_id": county["id"],
                "amount_fen": 1_000,
                "occurred_on": "2025-03-02",
                "payee": {"kind": "organisation", "name": "CANARY-PAYEE有限公司", "uscc": unit(7)},
            },
        )
    )
    seeded.add("movement_id", pay["id"])
    seeded.add("payee_id", pay["payee_id"])
    audit = _ok(
        live.call(
            "POST",
            "/v1/funds/audits",
            headers=h,
            json={
                "subject": {"kind": "programme", "id": pid},
                "auditor": "CANARY-AUDITOR",
                "audited_on": "2025-02-01",
                "findings": [{"description": "CANARY-FINDING", "rectify_by": "2025-03-01"}],
            },
        )
    )
    seeded.add("audit_id", audit["id"])
    entry = {"list": "debarred", "uscc": unit(8), "region_code": REGION_A, "reason": "CANARY-WATCH"}
    _ok(live.call("POST", "/v1/funds/watchlist", headers=h, json={"entries": [{**entry, "listed_on": "2024-01-01"}]}))
    entries = _ok(live.call("GET", "/v1/funds/watchlist", headers=h), 200)["items"]
    seeded.add("entry_id", next(e["id"] for e in entries if e["reason"] == "CANARY-WATCH"))
    seeded.add("finding_id", audit["findings"][0]["id"])
    seeded.canaries |= {"CANARY-ROOT", "CANARY-COUNTY", "CANARY-PAYEE", "CANARY-AUDITOR", "CANARY-FINDING"}
    seeded.canaries |= {"CANARY-WATCH"}
    return seeded


def seed_integrity(live: Live, keys: TestKeys) -> Seeded:
    seeded = Seeded()
    h = keys.auth(scopes="integrity:read integrity:write integrity:admin", regions=[REGION_A], sub="seed-a")
    subject = f"canary-{uuid.uuid4().hex[:8]}"
    rule = Rule(id="FUNDS-OVERSPEND", level=Level.RED, title="Overspend", title_zh="超额", description="t")
    event = warning_event(
        rule,
        service="funds",
        subject=SubjectRef(service="funds", kind="node", id=subject, label=f"CANARY-LABEL {subject}"),
        region_code="130302",
        unit_uscc=unit(3),
        evidence={"subject": subject},
        occurred_at=datetime.now(UTC),
    )

    async def publish() -> None:
        bus = bus_from_settings(CommonSettings(**live.backend.bus_settings()), client_name="harness-seed")
        await bus.connect()
        try:
            await bus.publish(event.type, event.to_json().encode(), msg_id=event.id)
        finally:
            await bus.close()

    asyncio.run(publish())
    deadline = time.monotonic() + 30
    warning = None
    while warning is None:
        items = live.call("GET", "/v1/integrity/warnings", headers=h, params={"limit": 500}).json()["items"]
        warning = next((w for w in items if w["subject_id"] == subject), None)
        assert warning is not None or time.monotonic() < deadline, "the seeded warning never reached the register"
        time.sleep(0.1)
    seeded.canaries.add(subject)
    wid = seeded.add("warning_id", warning["id"])
    seeded.add("unit_uscc", unit(3))
    disposition = _ok(
        live.call(
            "POST",
            f"/v1/integrity/warnings/{wid}/dispositions",
            headers=h,
            json={"kind": "inquiry", "assignee": "CANARY-ASSIGNEE"},
        )
    )
    seeded.add("disposition_id", disposition["id"])
    risk = _ok(
        live.call(
            "POST",
            "/v1/integrity/risk-points",
            headers=h,
            json={
                "code": f"CANARY-RP-{subject}",
                "name": "CANARY-RISK",
                "post": "CANARY-POST",
                "power": "CANARY-POWER",
                "risk_level": "high",
                "region_code": REGION_A,
            },
        )
    )
    seeded.add("risk_point_id", risk["id"])
    team = _ok(
        live.call(
            "POST",
            "/v1/integrity/subjects",
            headers=h,
            json={
                "kind": "team",
                "code": f"CANARY-T-{subject}",
                "label": "CANARY-TEAM",
                "region_code": REGION_A,
                "unit_uscc": unit(3),
            },
        )
    )
    seeded.add("subject_id", team["id"])
    seeded.canaries |= {"CANARY-ASSIGNEE", "CANARY-RISK", "CANARY-TEAM", "CANARY-LABEL"}
    return seeded


def seed_approvals(live: Live, keys: TestKeys) -> Seeded:
    seeded = Seeded()
    h = keys.auth(scopes="approvals:read approvals:write approvals:admin", regions=[REGION_A], sub="seed-a")
    tag = uuid.uuid4().hex[:8]
    item = _ok(
        live.call(
            "POST",
            "/v1/approvals/items",
            headers=h,
            json={"code": f"CANARY-I-{tag}", "name": "CANARY-ITEM", "region_code": REGION_A},
        )
    )
    seeded.add("item_id", item["id"])
    step = _ok(
        live.call(
            "POST",
            "/v1/approvals/steps",
            headers=h,
            json={
                "case_no": f"CANARY-C-{tag}",
                "region_code": "130302",
                "item_code": item["code"],
                "step": "submit",
                "occurred_at": "2025-03-03T10:00:00+08:00",
                "officer_code": "CANARY-OFFICER",
            },
        )
    )
    seeded.add("case_id", step["case"]["id"])
    _ok(
        live.call(
            "POST",
            f"/v1/approvals/cases/{step['case']['id']}/rating",
            headers=h,
            json={"score": 2, "rated_at": "2025-03-04T10:00:00+08:00"},
        )
    )
    power = _ok(
        live.call(
            "POST",
            "/v1/approvals/enforcement-powers",
            headers=h,
            json={"code": f"CANARY-P-{tag}", "name": "CANARY-POWER", "region_code": REGION_A,
                  "legal_basis": "CANARY-BASIS",
                  "bands": [{"code": "light", "circumstance": "CANARY-FACTS", "kinds": ["fine"],
                             "min_fen": 100, "max_fen": 200}]},
        )
    )  # fmt: skip
    seeded.add("power_id", power["id"])
    penalty = _ok(
        live.call(
            "POST",
            "/v1/approvals/penalties",
            headers=h,
            json={"decision_no": f"CANARY-D-{tag}", "region_code": "130302", "power_code": power["code"],
                  "band_code": "light", "kinds": ["fine"], "fine_fen": 999, "officer_code": "CANARY-OFFICER",
                  "decided_at": "2025-03-05T10:00:00+08:00"},
        )
    )  # fmt: skip
    seeded.add("penalty_id", penalty["id"])
    mapping = f'[[item]]\nname = "{item["code"]}"\nsteps = ["a"]\n[item.kinds]\n"a" = "submit"\n'
    job = _ok(
        live.call("POST", "/v1/approvals/imports", headers=h, params={"region_code": "130302"},
                  files={"mapping": (None, mapping), "log": ("log.xes", b"<log/>", "application/xml")}),
        202,
    )  # fmt: skip
    seeded.add("import_id", job["id"])
    # the performance trend of the seeded case's unit: level and region are not secrets, the officer's code is
    seeded.add("level", "officer", canary=False)
    seeded.add("region_code", "130302", canary=False)
    seeded.add("code", "CANARY-OFFICER")
    seeded.canaries |= {f"CANARY-I-{tag}", f"CANARY-C-{tag}", "CANARY-ITEM", "CANARY-OFFICER", f"CANARY-P-{tag}",
                        "CANARY-POWER", "CANARY-BASIS", "CANARY-FACTS", f"CANARY-D-{tag}"}  # fmt: skip
    return seeded


def seed_complaints(live: Live, keys: TestKeys) -> Seeded:
    """A named report in 海港区 about an official with a file attached, and an identity request on it."""
    seeded = Seeded()
    body = {
        "category": "corruption",
        "region_code": "130302",
        "subject": {"kind": "official", "official_name": "CANARY-OFFICIAL", "unit_uscc": unit(4)},
        "text": "CANARY-REPORT-TEXT 收受回扣",
        "anonymous": False,
        "reporter": {"name": "CANARY-REPORTER", "phone": "13800138000"},
        "attachments": [
            {"filename": "CANARY-FILE.pdf", "content": base64.b64encode(b"%PDF-1.4 CANARY-ATTACHMENT").decode()}
        ],
    }
    _ok(live.call("POST", "/v1/complaints/public/reports", json=body))
    h = keys.auth(scopes="complaints:read complaints:registrar", regions=[REGION_A], sub="seed-registrar")
    (report,) = live.call("GET", "/v1/complaints/reports", headers=h, params={"limit": 1}).json()["items"]
    seeded.add("report_id", report["id"])
    files = live.call("GET", f"/v1/complaints/reports/{report['id']}/attachments", headers=h).json()["items"]
    seeded.add("attachment_id", files[0]["id"])
    request = _ok(
        live.call(
            "POST",
            f"/v1/complaints/reports/{report['id']}/identity-requests",
            headers=h,
            json={"reason": "CANARY-REASON 核实线索"},
        )
    )
    seeded.add("request_id", request["id"])
    w = keys.auth(scopes="complaints:read complaints:write", regions=[REGION_A], sub="seed-importer")
    job = _ok(
        live.call("POST", "/v1/complaints/imports", headers=w, params={"region_code": "130302"},
                  files={"log": ("log.xes", b"<log/>", "application/xml")}),
        202,
    )  # fmt: skip
    seeded.add("import_id", job["id"])
    seeded.canaries |= {"CANARY-OFFICIAL", "CANARY-REPORT-TEXT", "CANARY-REPORTER", "13800138000", "CANARY-REASON"}
    seeded.canaries |= {"CANARY-FILE", "CANARY-ATTACHMENT"}
    return seeded


def seed_gateway(live: Live, keys: TestKeys) -> Seeded:
    seeded = Seeded()

    def client(client_id: str, scopes: list[str], regions: list[str]) -> dict[str, str]:
        created = _ok(
            live.call(
                "POST",
                "/v1/admin/clients",
                headers=live.auth,
                json={"client_id": client_id, "name": client_id, "scopes": scopes, "regions": regions},
            )
        )
        got = live.call(
            "POST",
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, created["client_secret"]),
        )
        return {"Authorization": f"Bearer {_ok(got, 200)['access_token']}"}

    tag = uuid.uuid4().hex[:6]
    everything = ["admin", "funds:read", "funds:write", "funds:admin", "integrity:read"]
    seeded.headers = {
        "wrong scope": client(f"harness-reader-{tag}", ["funds:read"], [REGION_A]),
        "in region": client(f"harness-admin-a-{tag}", everything, [REGION_A]),
        "outside region": client(f"harness-admin-b-{tag}", ["admin", "funds:read"], [REGION_B]),
        "other region's admin": client(f"harness-admin-b2-{tag}", everything, [REGION_B]),
    }
    target = f"harness-canary-{tag}"
    client(target, ["funds:read"], [REGION_A])
    seeded.add("client_id", target)
    user = f"canary-user-{tag}"
    _ok(
        live.call(
            "POST",
            "/v1/admin/users",
            headers=live.auth,
            json={
                "username": user,
                "password": "Canary-passw0rd-long",
                "scopes": ["funds:read"],
                "regions": [REGION_A],
            },
        )
    )
    seeded.add("username", user)
    return seeded


def seed_tenders(live: Live, keys: TestKeys) -> Seeded:
    """A tender in 130302 taken through bids, a made expert draw, evaluation, award and contract."""
    seeded = Seeded()
    h = keys.auth(scopes="tenders:read tenders:write tenders:admin", regions=[REGION_A], sub="seed-a")
    tag = uuid.uuid4().hex[:8]
    bidder = _ok(
        live.call(
            "POST",
            "/v1/tenders/enterprises",
            headers=h,
            json={"uscc": unit(21), "name": "CANARY-BIDDER有限公司", "region_code": REGION_A},
        )
    )
    seeded.add("enterprise_id", bidder["id"])
    expert = _ok(
        live.call(
            "POST",
            "/v1/tenders/persons",
            headers=h,
            json={
                "name": "CANARY-EXPERT",
                "resident_id": "11010519800101001" + _check("11010519800101001"),
                "region_code": "130302",
                "specialties": ["CANARY-SPECIALTY"],
            },
        )
    )
    seeded.add("person_id", expert["id"])
    project = _ok(
        live.call(
            "POST",
            "/v1/tenders/projects",
            headers=h,
            json={
                "code": f"CANARY-PRJ-{tag}",
                "name": "CANARY-PROJECT",
                "owner_uscc": unit(22),
                "owner_name": "CANARY-OWNER",
                "estimate_fen": 1_000_000,
                "location": "CANARY-LOCATION",
                "funding_source": "fiscal",
                "region_code": "130302",
            },
        )
    )
    seeded.add("project_id", project["id"])
    tender = _ok(
        live.call(
            "POST",
            "/v1/tenders/tenders",
            headers=h,
            json={
                "code": f"CANARY-T-{tag}",
                "project_id": project["id"],
                "title": "CANARY-TENDER",
                "category": "construction",
                "procedure": "open",
                "estimate_fen": 900_000,
                "published_at": "2026-01-05T00:00:00Z",
                "deadline": "2026-02-01T00:00:00Z",
            },
        )
    )
    tid = seeded.add("tender_id", tender["id"])
    _ok(
        live.call(
            "POST",
            f"/v1/tenders/tenders/{tid}/registrations",
            headers=h,
            json={"uscc": bidder["uscc"], "registered_at": "2026-01-10T00:00:00Z"},
        )
    )
    _ok(
        live.call(
            "POST",
            f"/v1/tenders/tenders/{tid}/bids",
            headers=h,
            json={"uscc": bidder["uscc"], "price_fen": 800_000, "submitted_at": "2026-01-20T00:00:00Z"},
        )
    )
    _ok(
        live.call("POST", f"/v1/tenders/tenders/{tid}/opening", headers=h, json={"opened_at": "2026-02-01T00:00:00Z"}),
        200,
    )
    draw = _ok(
        live.call(
            "POST",
            f"/v1/tenders/tenders/{tid}/draws",
            headers=h,
            json={"specialty": "CANARY-SPECIALTY", "pool_region": "130302", "count": 1},
        )
    )
    seeded.add("draw_id", draw["id"])
    _ok(live.call("POST", f"/v1/tenders/draws/{draw['id']}/execution", headers=h, json={}), 200)
    _ok(live.call("POST", f"/v1/tenders/tenders/{tid}/evaluations", headers=h, json={"method": "lowest_price"}))
    award = _ok(live.call("POST", f"/v1/tenders/tenders/{tid}/awards", headers=h, json={"awarded_on": "2026-02-10"}))
    contract = _ok(
        live.call(
            "POST",
            f"/v1/tenders/tenders/{tid}/contracts",
            headers=h,
            json={"award_id": award["id"], "amount_fen": 800_000, "signed_on": "2026-02-20"},
        )
    )
    seeded.add("contract_id", contract["id"])
    ocid = f"ocds-canary-{uuid.uuid4().hex[:8]}"
    release = {"ocid": ocid, "id": f"{ocid}-1", "date": "2026-02-01T00:00:00Z", "tag": ["tender"],
               "initiationType": "tender", "tender": {"id": "1", "title": "CANARY-OCDS-TITLE"}}  # fmt: skip
    package = {"uri": "https://example.org/p", "version": "1.1", "publishedDate": "2026-02-01T00:00:00Z",
               "publisher": {"name": "canary"}, "releases": [release]}  # fmt: skip
    imported = _ok(
        live.call(
            "POST", "/v1/tenders/ocds/imports", headers=h, params={"region_code": REGION_A}, data=json.dumps(package)
        )
    )
    seeded.add("import_id", imported["id"])
    seeded.add("ocid", ocid)
    seeded.canaries |= {
        "CANARY-OCDS-TITLE",
        "CANARY-BIDDER",
        "CANARY-PROJECT",
        "CANARY-OWNER",
        "CANARY-LOCATION",
        "CANARY-TENDER",
        "CANARY-SPECIALTY",
        "CANARY-EXPERT",
        "CANARY-PRJ",
    }
    return seeded


def _check(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


SEEDERS: dict[str, Callable[[Live, TestKeys], Seeded]] = {
    GATEWAY: seed_gateway,
    "funds": seed_funds,
    "tenders": seed_tenders,
    "approvals": seed_approvals,
    "integrity": seed_integrity,
    "complaints": seed_complaints,
}  # services without one (empty skeletons) have no path ids yet
_SEEDED: dict[tuple[str, str], Seeded] = {}


def seeded_for(live: Live, keys: TestKeys) -> Seeded:
    key = (live.name, str(id(live.app)))
    if key not in _SEEDED:
        _SEEDED[key] = SEEDERS.get(live.name, lambda _l, _k: Seeded())(live, keys)
    return _SEEDED[key]


def headers_for(live: Live, keys: TestKeys, seeded: Seeded, op: Operation, kind: str) -> dict[str, str]:
    if kind == "anonymous":
        return {}
    if live.name == GATEWAY:
        return seeded.headers[kind]
    own = ServiceApp.of(live.name).scopes
    other = "integrity" if live.name != "integrity" else "funds"
    scopes = {
        "wrong scope": [f"{other}:read", f"{other}:write", f"{other}:admin"],
        "in region": list(op.scopes),
        "outside region": list(op.scopes),
        "other region's admin": sorted(set(own) | set(op.scopes)),  # every scope, specific ones too
    }[kind]
    region = REGION_A if kind in ("wrong scope", "in region") else REGION_B
    return keys.auth(scopes=scopes, regions=[region], sub="matrix-" + re.sub(r"\W+", "-", kind))


def _path(op: Operation, seeded: Seeded) -> tuple[str, bool]:
    """The path with seeded ids (or made-up ones), and whether every id is a seeded object."""
    names = re.findall(r"{([^}]+)}", op.path)
    path = op.path
    for name in names:
        path = path.replace("{" + name + "}", seeded.params.get(name, str(uuid.uuid4())))
    return path, bool(names) and all(n in seeded.params for n in names)


def _required_query(op: Operation) -> bool:
    """Query validation (422) comes before the lookup; such routes are not asked for 200/404 without it."""
    return any(p.get("in") == "query" and p.get("required") for p in op.doc.get("parameters", []))


def _assert_problem(response: Any, status: int, slug: str | None = None) -> None:
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text[:300]}"
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["type"].startswith(PROBLEMS), body
    if slug:
        assert body["type"] == PROBLEMS + slug, body


def _cases() -> list[Any]:
    out = []
    for app in APPS:
        for op in operations(app):
            if op.public:
                continue
            why = KNOWN.get((app, op.label))
            marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
            out.append(pytest.param(app, op, id=f"{app}:{op.label}", marks=marks))
    return out


@pytest.mark.parametrize(("live", "op"), _cases(), indirect=["live"])
def test_route_answers_each_principal(live: Live, keys: TestKeys, op: Operation) -> None:
    failures = []
    for kind in KINDS:
        try:
            check_principal(live, keys, op, kind)
        except AssertionError as exc:
            failures.append(f"{kind}: {exc}")
    assert not failures, "\n".join(failures)


def example_body(live: Live, op: Operation) -> Any:
    """The documented example of the route's JSON body (its first), ``{}`` when it has none."""
    media = op.doc.get("requestBody", {}).get("content", {}).get("application/json")
    if not media:
        return {}
    schema, schemas = media["schema"], openapi_of(live.name)["components"]["schemas"]
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
    examples = schemas[ref.rsplit("/", 1)[1]].get("examples", []) if ref else []
    if not examples:
        return {}
    return examples[:1] if "items" in schema else examples[0]


def check_principal(live: Live, keys: TestKeys, op: Operation, kind: str) -> None:
    seeded = seeded_for(live, keys)
    path, all_seeded = _path(op, seeded)
    headers = headers_for(live, keys, seeded, op, kind)
    body = {} if op.method in ("POST", "PUT", "PATCH") else None
    # another region writing to a seeded object, with a body that validates: the object does not exist for it
    # (404), the same as a read; never 403 …/forbidden-region, which would disclose that it exists
    elsewhere = kind in ("outside region", "other region's admin")
    writes_there = body is not None and all_seeded and "{" in op.path and elsewhere
    if writes_there:
        body = example_body(live, op)
    response = live.call(op.method, path, headers=headers, json=body)
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    if kind == "anonymous":
        _assert_problem(response, 401)
    elif kind == "wrong scope":
        _assert_problem(response, 403, "insufficient-scope")
    elif kind == "in region":
        if (live.name, op.label) in NATIONWIDE_ONLY:
            _assert_problem(response, 403, "nationwide-only")
            return
        assert response.status_code not in (401, 403), response.text[:300]
        if op.method == "GET" and all_seeded and not _required_query(op):
            assert response.status_code == 200, response.text[:300]
    else:
        answer = response.json() if response.text else {}
        if isinstance(answer, dict):
            answer.pop("instance", None)  # the path the caller sent, echoed
        text = json.dumps(answer, ensure_ascii=False)
        sent = set(path.split("/"))
        leaked = sorted(c for c in seeded.canaries - sent if c in text)
        assert not leaked, f"region {REGION_A}'s data in an answer to region {REGION_B}: {leaked}"
        if all_seeded and op.method == "GET" and not _required_query(op):
            _assert_problem(response, 404)
        elif writes_there and response.status_code == 403:
            assert not response.json()["type"].endswith("/forbidden-region"), response.text[:300]
        elif writes_there and body:
            _assert_problem(response, 404)
        elif all_seeded:
            assert response.status_code in (403, 404, 422), response.text[:300]


@pytest.mark.parametrize("live", [a for a in APPS if a != GATEWAY], indirect=True)
def test_admin_routes_refused_to_non_admins(live: Live, keys: TestKeys) -> None:
    """A token with the app's read and write scopes (not admin), in region A, gets 403 on every admin route."""
    admin_scope = f"{live.name}:admin"
    headers = keys.auth(scopes=[f"{live.name}:read", f"{live.name}:write"], regions=[REGION_A], sub="not-admin")
    admin_ops = [op for op in operations(live.name) if admin_scope in op.scopes]
    assert admin_ops, "every service has admin routes (dead letters at least)"
    seeded = seeded_for(live, keys)
    for op in admin_ops:
        path, _ = _path(op, seeded)
        response = live.call(op.method, path, headers=headers, json={} if op.method != "GET" else None)
        _assert_problem(response, 403, "insufficient-scope")


@pytest.mark.parametrize("live", [GATEWAY], indirect=True)
def test_gateway_admin_routes_refused_to_non_admins(live: Live, keys: TestKeys) -> None:
    seeded = seeded_for(live, keys)
    for op in operations(GATEWAY):
        if "admin" not in op.scopes:
            continue
        path, _ = _path(op, seeded)
        response = live.call(
            op.method, path, headers=seeded.headers["wrong scope"], json={} if op.method != "GET" else None
        )
        _assert_problem(response, 403, "insufficient-scope")
    assert GATEWAY_ADMIN not in live.call("GET", "/v1/admin/clients", headers=seeded.headers["in region"]).text


@pytest.mark.parametrize("live", [GATEWAY], indirect=True)
def test_admin_manages_only_accounts_within_its_own_scopes(live: Live, keys: TestKeys) -> None:
    tag = uuid.uuid4().hex[:6]
    strong = {"scopes": ["integrity:read", "integrity:admin"], "regions": [REGION_A]}
    _ok(
        live.call(
            "POST",
            "/v1/admin/clients",
            headers=live.auth,
            json={"client_id": f"harness-registrar-{tag}", "name": "registrar", **strong},
        )
    )
    _ok(
        live.call(
            "POST",
            "/v1/admin/users",
            headers=live.auth,
            json={"username": f"registrar-{tag}", "password": "Registrar-passw0rd-long", **strong},
        )
    )
    created = _ok(
        live.call(
            "POST",
            "/v1/admin/clients",
            headers=live.auth,
            json={"client_id": f"harness-weak-{tag}", "name": "weak", "scopes": ["admin"], "regions": [REGION_A]},
        )
    )
    got = live.call(
        "POST",
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(f"harness-weak-{tag}", created["client_secret"]),
    )
    weak_admin = {"Authorization": f"Bearer {_ok(got, 200)['access_token']}"}
    secret = live.call("POST", f"/v1/admin/clients/harness-registrar-{tag}/secret", headers=weak_admin)
    _assert_problem(secret, 403)
    password = live.call(
        "PATCH", f"/v1/admin/users/registrar-{tag}", headers=weak_admin, json={"password": "Taken-over-passw0rd"}
    )
    _assert_problem(password, 403)
