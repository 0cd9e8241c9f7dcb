"""OCDS import and publication on the real files in ``../shared/data/ocds/`` (BSD-3, see its README).

Import: every shape (release/record packages, 1.0 and 1.1, concatenated packages, bare compiled
and versioned releases, linked and embedded releases) streams into one compiled release per ocid;
a non-UTF-8 file is refused with the byte offset, and decoded when its encoding is named.
Publication: our releases, records and packages validate against the official OCDS 1.1 schema
(+ Bids extension), and the official fictional worked example round-trips.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from sunlight.testing.data import require_data
from tenders.ocds import (
    MalformedJsonError,
    NotUtf8Error,
    Outcome,
    Progress,
    UnknownFormatError,
    import_file,
    read,
    schema,
)
from tenders.ocds.export import (
    Award,
    Bid,
    Contract,
    Party,
    TenderDoc,
    Transaction,
    compiled_release,
    from_compiled,
    record,
    record_package,
    release,
    release_package,
)

FICTIONAL = "ocds-213czf-000-00001"


def ocds(*parts: str) -> Path:
    return require_data("ocds", *parts)


def compiled(path: Path, **kwargs: Any) -> dict[str, dict[str, Any]]:
    _package, processes = import_file(path, **kwargs)
    return {p.ocid: p.compiled for p in processes}


def ocids_in(path: Path) -> set[str]:
    """Ground truth without our reader: every ocid the file mentions (json module, whole file)."""
    text = path.read_text(encoding="utf-8")
    decoder, found, i = json.JSONDecoder(), set(), 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        value, i = decoder.raw_decode(text, i)
        for key in ("releases", "records"):
            found |= {r["ocid"] for r in value.get(key, ()) if "ocid" in r}
        if "ocid" in value:
            found.add(value["ocid"])
    return found


@pytest.mark.parametrize(
    ("name", "shape", "processes", "source"),
    [
        ("release-package-1-2.json", "release package", 2, "release"),
        ("release-package_split.json", "release package", 2, "release"),
        ("release-package_1.0-2.json", "release package", 1, "release"),
        ("release-package_1.1-1.json", "release package", 1, "compiled"),
        ("release-package_1.1-2.json", "release package", 1, "release"),
        ("record-package-1-2.json", "record package", 2, "record"),
        ("record-package_package.json", "record package", 2, "record"),
        ("record-package_linked-releases.json", "record package", 2, "record"),
        ("record-package_versioned.json", "record package", 2, "record"),
        ("record-package_1.1.json", "record package", 1, "record"),
        ("compiled-release-1.json", "values", 1, "compiled"),
        ("versioned-release-1.json", "values", 1, "versioned"),
    ],
)
def test_every_real_shape_imports_one_compiled_release_per_ocid(
    name: str, shape: str, processes: int, source: str
) -> None:
    path = ocds("realdata", name)
    outcome = Outcome()
    package, items = import_file(path, outcome=outcome)
    result = list(items)
    assert package.shape == shape
    assert {p.ocid for p in result} == ocids_in(path)
    assert len(result) == processes and {p.source for p in result} == {source}
    assert outcome.skipped == []
    for p in result:
        assert (p.compiled["ocid"] == p.ocid and p.compiled.get("tag") in (["compiled"], None)) or source == "compiled"


def test_concatenated_packages_merge_releases_of_one_process_across_packages() -> None:
    merged = compiled(ocds("realdata", "release-package_split.json"))
    whole = compiled(ocds("realdata", "release-package-1-2.json"))
    assert set(merged) == set(whole)
    for _ocid, release_ in merged.items():
        assert release_["tag"] == ["compiled"]
        assert release_["tender"]["id"] and release_["awards"]  # tender + award releases merged into one


def test_records_with_linked_releases_use_the_compiled_release_and_fetch_nothing() -> None:
    path = ocds("realdata", "record-package_linked-releases.json")
    records = json.loads(path.read_text())["records"]
    assert all("url" in r for rec in records for r in rec["releases"])
    got = compiled(path)
    assert got == {rec["ocid"]: rec["compiledRelease"] for rec in records}


def test_versioned_release_becomes_its_latest_values() -> None:
    path = ocds("realdata", "versioned-release-1.json")
    versioned = json.loads(path.read_text())
    [(ocid, release_)] = compiled(path).items()
    assert ocid == versioned["ocid"] and release_["tag"] == ["compiled"]
    assert release_["tender"]["id"] == versioned["tender"]["id"][-1]["value"]


def test_a_not_utf8_file_is_refused_with_its_offset_and_decoded_when_named() -> None:
    latin = ocds("realdata", "release-package_encoding-iso-8859-1.json")
    with pytest.raises(NotUtf8Error) as refused:
        compiled(latin)
    offset = refused.value.extra["offset"]
    assert latin.read_bytes()[offset] >= 0x80 and "encoding" in refused.value.detail
    assert refused.value.slug == "ocds-not-utf8"
    utf8 = compiled(ocds("realdata", "release-package_encoding-utf-8.json"))
    assert compiled(latin, encoding="iso-8859-1") == utf8
    assert any(ch in json.dumps(utf8, ensure_ascii=False) for ch in "ÓóÍíÁáÉéÑñ")


def test_streams_report_progress_and_spool_unseekable_bodies() -> None:
    body = "\n".join(
        json.dumps({"ocid": f"ocds-x-{i}", "id": "1", "date": "2025-01-01T00:00:00Z", "tag": ["tender"]})
        for i in range(25)
    ).encode()

    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.inner = io.BytesIO(body)

        def readable(self) -> bool:
            return True

        def readinto(self, b: Any) -> int:
            data = self.inner.read(len(b))
            b[: len(data)] = data
            return len(data)

    seen: list[Progress] = []
    package, items = read(io.BufferedReader(Unseekable()), progress=seen.append, every=10)
    assert package.shape == "values" and len(list(items)) == 25
    assert [p.items for p in seen] == [10, 20, 25] and seen[-1].bytes_read == len(body)


@pytest.mark.parametrize(
    ("body", "error"),
    [(b"", UnknownFormatError), (b"42", UnknownFormatError), (b'{"releases": [{"ocid": ', MalformedJsonError)],
)
def test_broken_bodies_get_a_clear_error(body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        _package, items = read(io.BytesIO(body))
        list(items)


# -- publication ---------------------------------------------------------------------------------


def test_the_fictional_worked_example_round_trips() -> None:
    _package, processes = import_file(ocds("fictional", f"{FICTIONAL}.json"))
    [process] = list(processes)
    official = json.loads(ocds("fictional", "record", f"{FICTIONAL}.json").read_text())["records"][0]
    # Our merge of the six releases is the official record's compiled release, to the byte.
    assert process.compiled == official["compiledRelease"]
    rec = record(process.releases)
    assert rec["compiledRelease"] == official["compiledRelease"]
    published = "2026-11-30T00:00:00Z"
    assert (
        schema.errors(record_package([rec], uri="https://x/r", published_date=published), "record-package-schema.json")
        == []
    )
    assert (
        schema.errors(
            release_package(process.releases, uri="https://x/p", published_date=published),
            "release-package-schema.json",
        )
        == []
    )
    # Through our own tender description and back: every field we model comes back equal, none invented.
    again = compiled_release(from_compiled(official["compiledRelease"]), date=official["compiledRelease"]["date"])
    assert schema.errors(again) == []
    original, ours = dict(leaves(official["compiledRelease"])), dict(leaves(again))
    assert {k: v for k, v in ours.items() if original.get(k) != v} == {}
    for path in ("/tender/value/amount", "/awards/0/suppliers/0/id", "/contracts/0/dateSigned", "/parties/1/roles/0"):
        assert ours[path] == original[path]
    assert len(ours) >= 120  # of the example's 287 leaf fields


def leaves(value: Any, path: str = "") -> Any:
    if isinstance(value, dict):
        for key, v in value.items():
            yield from leaves(v, f"{path}/{key}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, f"{path}/{i}")
    else:
        yield path, value


def a_tender() -> TenderDoc:
    return TenderDoc(
        ocid="ocds-sunlt1-130302-T0001",
        tender_id="T0001",
        title="海港区道路改造工程施工",
        status="complete",
        procurement_method="open",
        main_procurement_category="works",
        buyer_id="CN-USCC-11130302MB1234567X",
        procuring_entity_id="CN-USCC-11130302MB1234567X",
        estimate_minor=120_000_000_00,
        tender_start="2026-03-01T09:00:00+08:00",
        tender_end="2026-03-21T09:00:00+08:00",
        parties=[
            Party(
                "CN-USCC-11130302MB1234567X",
                "海港区住建局",
                ["buyer", "procuringEntity", "payer"],
                "CN-USCC",
                "11130302MB1234567X",
            ),
            Party("CN-USCC-91130300MA0A1B2C3D", "甲建设有限公司", ["tenderer", "supplier", "payee"]),
            Party("CN-USCC-91130300MA0E4F5G6H", "乙建设有限公司", ["tenderer"]),
        ],
        bids=[
            Bid("b1", ["CN-USCC-91130300MA0A1B2C3D"], "valid", "2026-03-20T10:00:00+08:00", 118_000_000_00),
            Bid("b2", ["CN-USCC-91130300MA0E4F5G6H"], "disqualified", "2026-03-20T11:00:00+08:00", 110_000_000_55),
        ],
        awards=[
            Award(
                "a1",
                "active",
                ["CN-USCC-91130300MA0A1B2C3D"],
                "2026-04-01T00:00:00+08:00",
                118_000_000_00,
                related_bids=["b1"],
            )
        ],
        contracts=[
            Contract(
                "c1",
                "a1",
                "active",
                118_000_000_00,
                "2026-04-10T00:00:00+08:00",
                transactions=[
                    Transaction(
                        "t1",
                        "2026-06-01T00:00:00+08:00",
                        30_000_000_00,
                        "CN-USCC-11130302MB1234567X",
                        "CN-USCC-91130300MA0A1B2C3D",
                    )
                ],
            )
        ],
    )


def test_a_published_tender_is_valid_ocds_and_cardinal_reads_its_bids() -> None:
    from tenders.indicators import parse_ini, run

    doc = a_tender()
    tender = release(doc, release_id="T0001-1", date="2026-03-01T09:00:00+08:00", tag=["tender"])
    final = release(
        doc, release_id="T0001-2", date="2026-06-01T00:00:00+08:00", tag=["award", "contract", "implementation"]
    )
    assert schema.errors(tender) == [] and schema.errors(final) == []
    assert final["bids"]["details"][1]["value"] == {"amount": 110_000_000.55, "currency": "CNY"}
    assert final["tender"]["numberOfTenderers"] == 2
    rec = record([tender, final])
    assert (
        schema.errors(
            record_package([rec], uri="https://x/r", published_date="2026-06-02T00:00:00Z"),
            "record-package-schema.json",
        )
        == []
    )
    # The lowest bid was disqualified and the only valid one won: R035 and R036 see it.
    flags = run([rec["compiledRelease"]], parse_ini("[R035]\n[R036]\n")).as_json()
    assert flags["OCID"] == {doc.ocid: {"R035": 1.0, "R036": 1.0}}


def test_schema_validation_catches_a_broken_release() -> None:
    broken = release(a_tender(), release_id="1", date="2026-03-01T09:00:00+08:00", tag=["tender"])
    broken["tender"]["procurementMethod"] = "bribe"
    broken["bids"]["details"][0]["status"] = "winning"
    del broken["ocid"]
    found = schema.errors(broken)
    assert any("procurementMethod" in e for e in found)
    assert any("/bids/details/0/status" in e for e in found)
    assert any("'ocid' is a required property" in e for e in found)


def test_package_metadata_is_read_from_before_the_items() -> None:
    package, _ = read(ocds("realdata", "release-package_1.1-1.json"))
    assert package.version == "1.1" and package.shape == "release package"
    package, _ = read(ocds("realdata", "release-package-1-2.json"))
    assert package.version is None  # OCDS 1.0: no version field
    package, _ = read(ocds("fictional", f"{FICTIONAL}.json"))
    assert package.version == "1.1" and package.publisher_name
