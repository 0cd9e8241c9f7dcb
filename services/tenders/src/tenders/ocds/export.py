"""Publish a tender as OCDS 1.1: releases, records and packages, from plain dataclasses.

The service maps its rows onto :class:`TenderDoc` (no dependency on its models), then:

- :func:`release` — one release (a snapshot of the process at ``date``, with ``tag``);
- :func:`compiled_release` — the ``compiled`` view (``tag: ["compiled"]``);
- :func:`record` — ``{ocid, releases, compiledRelease}``, merged with ocdsmerge;
- :func:`release_package` / :func:`record_package` — the publishable envelopes.

:func:`from_compiled` reads a compiled release back into a :class:`TenderDoc` (what an import
stores). Money is in minor units (``amount_minor``: fen for CNY) and written as the decimal
amount (``12345`` → ``123.45``). Bids use the Bids extension (declared in ``extensions``). Empty
fields are omitted, never ``null``. Everything produced is checked against the official schema in
the tests (``schema.errors``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tenders.ocds.schema import BID_EXTENSION, merger

PUBLISHER = "Sunlight tenders"
VERSION = "1.1"


@dataclass
class Address:
    street: str | None = None
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass
class Contact:
    name: str | None = None
    email: str | None = None
    telephone: str | None = None


@dataclass
class Party:
    id: str  # OCDS party id, e.g. "CN-USCC-91130300…"
    name: str
    roles: list[str]  # OCDS partyRole codes: buyer, procuringEntity, tenderer, supplier, payer, payee…
    scheme: str | None = None  # identifier scheme (org-id), e.g. "CN-USCC"
    identifier: str | None = None
    legal_name: str | None = None
    address: Address | None = None
    contact: Contact | None = None


@dataclass
class ItemDoc:
    id: str
    description: str | None = None
    classification_scheme: str | None = None  # "CPV", "UNSPSC", or the national catalogue
    classification_id: str | None = None
    classification_description: str | None = None
    quantity: float | None = None
    unit: str | None = None


@dataclass
class Bid:
    id: str
    tenderer_ids: list[str]
    status: str  # invited | pending | valid | disqualified | withdrawn
    date: str | None = None  # RFC 3339
    amount_minor: int | None = None


@dataclass
class Award:
    id: str
    status: str  # pending | active | cancelled | unsuccessful
    supplier_ids: list[str]
    date: str | None = None
    amount_minor: int | None = None
    title: str | None = None
    related_bids: list[str] = field(default_factory=list)
    items: list[ItemDoc] = field(default_factory=list)


@dataclass
class Amendment:
    id: str
    date: str | None = None
    rationale: str | None = None
    description: str | None = None


@dataclass
class Transaction:
    id: str
    date: str | None = None
    amount_minor: int | None = None
    payer_id: str | None = None
    payee_id: str | None = None


@dataclass
class Contract:
    id: str
    award_id: str
    status: str  # pending | active | cancelled | terminated
    amount_minor: int | None = None
    date_signed: str | None = None
    title: str | None = None
    start: str | None = None
    end: str | None = None
    amendments: list[Amendment] = field(default_factory=list)  # change orders
    transactions: list[Transaction] = field(default_factory=list)  # settlement payments


@dataclass
class TenderDoc:
    """A contracting process as the tenders service knows it (the input of the exporter)."""

    ocid: str
    tender_id: str
    title: str
    status: str  # planning | active | cancelled | unsuccessful | complete | withdrawn
    procurement_method: str  # open | selective | limited | direct
    currency: str = "CNY"
    description: str | None = None
    procurement_method_details: str | None = None
    main_procurement_category: str | None = None  # goods | works | services
    buyer_id: str | None = None
    procuring_entity_id: str | None = None
    estimate_minor: int | None = None  # tender/value
    tender_start: str | None = None
    tender_end: str | None = None  # the submission deadline
    award_start: str | None = None
    award_end: str | None = None
    language: str | None = "zh"
    initiation_type: str = "tender"
    parties: list[Party] = field(default_factory=list)
    items: list[ItemDoc] = field(default_factory=list)
    bids: list[Bid] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)  # tender amendments
    tenderer_ids: list[str] = field(default_factory=list)  # when there are no bid details
    number_of_tenderers: int | None = None  # else counted from the bids


# -- building -----------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """Drop None, empty strings, lists and objects (OCDS publishes absent fields, not nulls)."""
    if isinstance(value, dict):
        out = {k: c for k, v in value.items() if (c := _clean(v)) not in (None, "", [], {})}
        return out
    if isinstance(value, list):
        return [c for v in value if (c := _clean(v)) not in (None, "", [], {})]
    return value


def _money(minor: int | None, currency: str) -> dict[str, Any] | None:
    if minor is None:
        return None
    amount: int | float = minor // 100 if minor % 100 == 0 else minor / 100
    return {"amount": amount, "currency": currency}


def _period(start: str | None, end: str | None) -> dict[str, Any]:
    return {"startDate": start, "endDate": end}


def _item(i: ItemDoc) -> dict[str, Any]:
    classification = {
        "scheme": i.classification_scheme,
        "id": i.classification_id,
        "description": i.classification_description,
    }
    return {
        "id": i.id,
        "description": i.description,
        "classification": classification,
        "quantity": i.quantity,
        "unit": {"name": i.unit},
    }


def _amendment(a: Amendment) -> dict[str, Any]:
    return {"id": a.id, "date": a.date, "rationale": a.rationale, "description": a.description}


def _party(p: Party) -> dict[str, Any]:
    a, c = p.address, p.contact
    return {
        "id": p.id,
        "name": p.name,
        "roles": list(p.roles),
        "identifier": {"scheme": p.scheme, "id": p.identifier, "legalName": p.legal_name},
        "address": a
        and {
            "streetAddress": a.street,
            "locality": a.locality,
            "region": a.region,
            "postalCode": a.postal_code,
            "countryName": a.country,
        },
        "contactPoint": c and {"name": c.name, "email": c.email, "telephone": c.telephone},
    }


def release(doc: TenderDoc, *, release_id: str, date: str, tag: list[str]) -> dict[str, Any]:
    """One OCDS 1.1 release: the process as it stands at ``date`` (``tag``: tender, award, contract…)."""
    names = {p.id: p.name for p in doc.parties}

    def ref(party_id: str | None) -> dict[str, Any] | None:
        return {"id": party_id, "name": names.get(party_id)} if party_id else None

    cur = doc.currency
    tenderers = sorted({t for b in doc.bids if b.status != "invited" for t in b.tenderer_ids}) or doc.tenderer_ids
    number = doc.number_of_tenderers if doc.number_of_tenderers is not None else len(tenderers) if doc.bids else None
    body = {
        "ocid": doc.ocid,
        "id": release_id,
        "date": date,
        "tag": tag,
        "initiationType": doc.initiation_type,
        "language": doc.language,
        "parties": [_party(p) for p in doc.parties],
        "buyer": ref(doc.buyer_id),
        "tender": {
            "id": doc.tender_id,
            "title": doc.title,
            "description": doc.description,
            "status": doc.status,
            "procurementMethod": doc.procurement_method,
            "procurementMethodDetails": doc.procurement_method_details,
            "mainProcurementCategory": doc.main_procurement_category,
            "procuringEntity": ref(doc.procuring_entity_id),
            "value": _money(doc.estimate_minor, cur),
            "tenderPeriod": _period(doc.tender_start, doc.tender_end),
            "awardPeriod": _period(doc.award_start, doc.award_end),
            "items": [_item(i) for i in doc.items],
            "amendments": [_amendment(a) for a in doc.amendments],
            "numberOfTenderers": number,
            "tenderers": [ref(t) for t in tenderers],
        },
        "bids": doc.bids
        and {
            "details": [
                {
                    "id": b.id,
                    "date": b.date,
                    "status": b.status,
                    "tenderers": [ref(t) for t in b.tenderer_ids],
                    "value": _money(b.amount_minor, cur),
                }
                for b in doc.bids
            ]
        },
        "awards": [
            {
                "id": a.id,
                "title": a.title,
                "status": a.status,
                "date": a.date,
                "value": _money(a.amount_minor, cur),
                "suppliers": [ref(s) for s in a.supplier_ids],
                "items": [_item(i) for i in a.items],
                "relatedBids": list(a.related_bids),
            }
            for a in doc.awards
        ],
        "contracts": [
            {
                "id": c.id,
                "awardID": c.award_id,
                "title": c.title,
                "status": c.status,
                "value": _money(c.amount_minor, cur),
                "dateSigned": c.date_signed,
                "period": _period(c.start, c.end),
                "amendments": [_amendment(a) for a in c.amendments],
                "implementation": {
                    "transactions": [
                        {
                            "id": t.id,
                            "date": t.date,
                            "value": _money(t.amount_minor, cur),
                            "payer": ref(t.payer_id),
                            "payee": ref(t.payee_id),
                        }
                        for t in c.transactions
                    ]
                },
            }
            for c in doc.contracts
        ],
    }
    return _clean(body)  # type: ignore[no-any-return]


def compiled_release(doc: TenderDoc, *, date: str) -> dict[str, Any]:
    return release(doc, release_id=f"{doc.ocid}-{date}", date=date, tag=["compiled"])


def record(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """An OCDS record: the releases and their compiled release (ocdsmerge, our local schema)."""
    if not releases:
        raise ValueError("a record needs at least one release")
    return {
        "ocid": releases[0]["ocid"],
        "releases": releases,
        "compiledRelease": merger().create_compiled_release(releases),
    }


def _envelope(uri: str, published_date: str, publisher: str) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": VERSION,
        "extensions": [BID_EXTENSION],
        "publishedDate": published_date,
        "publisher": {"name": publisher},
    }


def release_package(
    releases: list[dict[str, Any]], *, uri: str, published_date: str, publisher: str = PUBLISHER
) -> dict[str, Any]:
    return {**_envelope(uri, published_date, publisher), "releases": releases}


def record_package(
    records: list[dict[str, Any]], *, uri: str, published_date: str, publisher: str = PUBLISHER
) -> dict[str, Any]:
    return {**_envelope(uri, published_date, publisher), "records": records}


# -- reading back ---------------------------------------------------------------------------------


def _minor(value: Any) -> int | None:
    amount = value.get("amount") if isinstance(value, dict) else None
    if isinstance(amount, (int, float)) and not isinstance(amount, bool):
        return round(amount * 100)
    return None


def _g(obj: Any, *path: str) -> Any:
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _items(raw: Any) -> list[ItemDoc]:
    return [
        ItemDoc(
            id=str(i.get("id")),
            description=i.get("description"),
            classification_scheme=_g(i, "classification", "scheme"),
            classification_id=_g(i, "classification", "id"),
            classification_description=_g(i, "classification", "description"),
            quantity=i.get("quantity"),
            unit=_g(i, "unit", "name"),
        )
        for i in raw or ()
        if isinstance(i, dict)
    ]


def _amendments(raw: Any) -> list[Amendment]:
    return [
        Amendment(str(a.get("id")), a.get("date"), a.get("rationale"), a.get("description"))
        for a in raw or ()
        if isinstance(a, dict)
    ]


def _ids(raw: Any) -> list[str]:
    return [str(o["id"]) for o in raw or () if isinstance(o, dict) and o.get("id") is not None]


def from_compiled(c: dict[str, Any]) -> TenderDoc:
    """A compiled release → :class:`TenderDoc` (the fields the exporter writes; others are not kept)."""
    t = c.get("tender") or {}
    currency = _g(t, "value", "currency") or next(
        (_g(a, "value", "currency") for a in c.get("awards") or () if _g(a, "value", "currency")), "CNY"
    )
    parties = []
    for p in c.get("parties") or ():
        address, contact = p.get("address"), p.get("contactPoint")
        parties.append(
            Party(
                id=str(p.get("id")),
                name=p.get("name") or "",
                roles=list(p.get("roles") or ()),
                scheme=_g(p, "identifier", "scheme"),
                identifier=_g(p, "identifier", "id"),
                legal_name=_g(p, "identifier", "legalName"),
                address=Address(
                    address.get("streetAddress"),
                    address.get("locality"),
                    address.get("region"),
                    address.get("postalCode"),
                    address.get("countryName"),
                )
                if isinstance(address, dict)
                else None,
                contact=Contact(contact.get("name"), contact.get("email"), contact.get("telephone"))
                if isinstance(contact, dict)
                else None,
            )
        )
    return TenderDoc(
        ocid=c["ocid"],
        tender_id=str(t.get("id") or c["ocid"]),
        title=t.get("title") or "",
        status=t.get("status") or "active",
        procurement_method=t.get("procurementMethod") or "open",
        currency=currency,
        description=t.get("description"),
        procurement_method_details=t.get("procurementMethodDetails"),
        main_procurement_category=t.get("mainProcurementCategory"),
        buyer_id=_g(c, "buyer", "id"),
        procuring_entity_id=_g(t, "procuringEntity", "id"),
        estimate_minor=_minor(t.get("value")),
        tender_start=_g(t, "tenderPeriod", "startDate"),
        tender_end=_g(t, "tenderPeriod", "endDate"),
        award_start=_g(t, "awardPeriod", "startDate"),
        award_end=_g(t, "awardPeriod", "endDate"),
        language=c.get("language"),
        initiation_type=c.get("initiationType") or "tender",
        parties=parties,
        items=_items(t.get("items")),
        amendments=_amendments(t.get("amendments")),
        tenderer_ids=_ids(t.get("tenderers")),
        number_of_tenderers=t.get("numberOfTenderers"),
        bids=[
            Bid(
                str(b.get("id")),
                _ids(b.get("tenderers")),
                b.get("status") or "pending",
                b.get("date"),
                _minor(b.get("value")),
            )
            for b in _g(c, "bids", "details") or ()
            if isinstance(b, dict)
        ],
        awards=[
            Award(
                id=str(a.get("id")),
                status=a.get("status") or "pending",
                supplier_ids=_ids(a.get("suppliers")),
                date=a.get("date"),
                amount_minor=_minor(a.get("value")),
                title=a.get("title"),
                related_bids=list(a.get("relatedBids") or ()),
                items=_items(a.get("items")),
            )
            for a in c.get("awards") or ()
            if isinstance(a, dict)
        ],
        contracts=[
            Contract(
                id=str(k.get("id")),
                award_id=str(k.get("awardID")),
                status=k.get("status") or "pending",
                amount_minor=_minor(k.get("value")),
                date_signed=k.get("dateSigned"),
                title=k.get("title"),
                start=_g(k, "period", "startDate"),
                end=_g(k, "period", "endDate"),
                amendments=_amendments(k.get("amendments")),
                transactions=[
                    Transaction(
                        str(x.get("id")),
                        x.get("date"),
                        _minor(x.get("value")),
                        _g(x, "payer", "id"),
                        _g(x, "payee", "id"),
                    )
                    for x in _g(k, "implementation", "transactions") or ()
                    if isinstance(x, dict)
                ],
            )
            for k in c.get("contracts") or ()
            if isinstance(k, dict)
        ],
    )
