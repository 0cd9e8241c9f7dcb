"""The byte-level scan of ``sunlight.inputs`` agrees with the decoded text, however the body is chunked."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st
from sunlight.inputs import Scanner, body_pointers, forbidden, pointers_in

# text that mixes what is refused with what looks like it (escaped backslashes, surrogate pairs, CJK)
ALPHABET = st.sampled_from(
    ["a", "耕", "\\", "/", '"', "u", "0", "\t", "\n", "\r", "\x00", "\x08", "\x0c", "\x1f", "\x7f", "\x85",
     "\x9f", "\xa0", "\ufffe", "\uffff", "\ufffd", "\ud800", "\udfff", "😀", "\U0001fffe", "\u2028"]
)  # fmt: skip
TEXT = st.text(ALPHABET, max_size=12)
DOCUMENTS = st.recursive(
    st.none() | st.integers() | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)


def scan(body: bytes, kind: str, sizes: list[int]) -> int | None:
    scanner = Scanner(kind)
    position, sizes = 0, sizes or [len(body)]
    index = 0
    while True:
        size = max(1, sizes[index % len(sizes)])
        index += 1
        chunk = body[position : position + size]
        position += size
        final = position >= len(body)
        found = scanner.feed(chunk, final)
        if found is not None or final:
            return found


def holds_forbidden(document: object) -> bool:
    if isinstance(document, str):
        return forbidden(document)
    if isinstance(document, dict):
        return any(forbidden(k) or holds_forbidden(v) for k, v in document.items())
    if isinstance(document, list):
        return any(holds_forbidden(v) for v in document)
    return False


@settings(max_examples=400, deadline=None)
@given(document=DOCUMENTS, ascii_only=st.booleans(), sizes=st.lists(st.integers(1, 9), max_size=5))
def test_the_json_scan_finds_exactly_the_documents_with_a_forbidden_character(
    document: object, ascii_only: bool, sizes: list[int]
) -> None:
    body = json.dumps(document, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert (scan(body, "json", sizes) is not None) == holds_forbidden(document)


@settings(max_examples=200, deadline=None)
@given(value=TEXT, sizes=st.lists(st.integers(1, 9), max_size=5))
def test_the_form_scan_agrees_with_the_value_the_app_reads(value: str, sizes: list[int]) -> None:
    body = urlencode({"name": value}, encoding="utf-8", errors="surrogatepass").encode()
    read = parse_qsl(body.decode("latin-1"), keep_blank_values=True)[0][1]  # as Starlette reads it
    assert (scan(body, "form", sizes) is not None) == forbidden(read)


def test_escapes_that_only_look_like_control_characters_pass() -> None:
    for text in ('"C:\\\\u0000"', '"\\\\b\\\\f"', '"\\ud83d\\ude00"', '"tab\\tline\\nreturn\\r\\u0009"', '"\\u00a0"'):
        assert scan(text.encode(), "json", [2, 3]) is None, text
    for text in ('"\\u0000"', '"\\\\\\u0000"', '"\\b"', '"\\ud800"', '"\\udc00"', '"\\ud800\\ud800"', '"\\uFFFE"'):
        assert scan(text.encode(), "json", [2, 3]) is not None, text


def test_pointers_name_each_field_and_survive_deep_documents() -> None:
    document = {"name": "耕地\x00x", "a/b": ["ok", {"ref": "\x85"}], "k\x01": 1}
    assert sorted(pointers_in(document, "/body")) == ["/body", "/body/a~1b/1/ref", "/body/name"]
    deep: object = "\x00"
    for _ in range(5000):
        deep = [deep]
    assert list(pointers_in(deep, "/body")) == ["/body" + "/0" * 5000]
    lines = b'{"a": "ok"}\n\n{"a": "\\u0000"}\n'
    assert body_pointers("ndjson", lines) == ["/body/1/a"]
    assert body_pointers("json", b"[" * 100_000) == ["/body"]  # unparseable: the whole body is named


def test_a_surrogate_pair_fed_a_byte_at_a_time_is_a_pair_not_a_lone_surrogate():
    """Hypothesis found it: the low half's pending pair was forgotten between one-byte chunks."""
    from sunlight.inputs import Scanner

    body = b'{"\\ud83d\\ude00": null}'
    scanner = Scanner("json")
    found = [scanner.feed(body[i : i + 1], i == len(body) - 1) for i in range(len(body))]
    assert found == [None] * len(body)
    lone = b'{"\\ude00": null}'
    scanner = Scanner("json")
    assert any(scanner.feed(lone[i : i + 1], i == len(lone) - 1) is not None for i in range(len(lone)))
