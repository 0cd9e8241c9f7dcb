"""The OCDS reader's depth guard: the nesting depth of JSON read in chunks, in the same pass as the parse.

A body nested far deeper than OCDS ever is would make ijson's prefixes cost memory with the square of the
depth; the guard refuses it as the bytes stream by. It must be exact on valid JSON however the bytes are cut
(strings full of quotes, backslashes and brackets, escapes split across chunks), or it either lets a deep
body through or refuses real data.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tenders.ocds.reader import MAX_DEPTH, DepthGuard, MalformedJsonError, read

TRICKY = st.text(alphabet=st.sampled_from('"\\[]{}/\nab\u00e9\u4e2d\U0001f600'), max_size=12)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TRICKY, inner, max_size=4),
    max_leaves=40,
)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


def feed(guard: DepthGuard, data: bytes, cuts: list[int]) -> None:
    start = 0
    for cut in [*sorted({c % (len(data) + 1) for c in cuts}), len(data)]:
        guard.feed(data[start:cut])
        start = cut


@settings(max_examples=400, deadline=None)
@given(value=VALUES, cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=12), ascii=st.booleans())
def test_the_guard_measures_the_depth_of_any_json_however_it_is_cut(value: Any, cuts: list[int], ascii: bool) -> None:
    data = json.dumps(value, ensure_ascii=ascii).encode()
    true = depth(value)
    exact = DepthGuard(limit=true)
    feed(exact, data, cuts)  # never refuses a body exactly at its limit
    assert exact.depth == 0 and not exact.in_string
    if true:
        with pytest.raises(MalformedJsonError):
            feed(DepthGuard(limit=true - 1), data, cuts)  # and always refuses one level more


def test_a_deep_body_is_refused_while_streaming_and_real_nesting_is_read() -> None:
    deep = b'{"releases": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    with pytest.raises(MalformedJsonError, match="deeper than 100"):
        _package, items = read(io.BytesIO(deep))
        list(items)
    ok = {"releases": [{"ocid": "ocds-1", "id": "1", "x": json.loads("[" * (MAX_DEPTH - 3) + "]" * (MAX_DEPTH - 3))}]}
    _package, items = read(io.BytesIO(json.dumps(ok).encode()))
    assert [item.data["ocid"] for item in items] == ["ocds-1"]
