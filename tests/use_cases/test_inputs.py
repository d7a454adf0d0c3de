"""The checks every outside input goes through (application.inputs): nesting measured without
decoding, text that XML and PostgreSQL can hold."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.errors import Invalid
from application.inputs import MAX_DEPTH, check_depth, storable

TRICKY_TEXT = st.text(alphabet='[]{}"\\ab\x00é', max_size=12)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY_TEXT, inner, max_size=3),
    max_leaves=12,
)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


def nested(value: Any, levels: int, as_object: bool) -> Any:
    for _ in range(levels):
        value = {"k[": value} if as_object else ["]", value]
    return value


@given(JSON, st.integers(0, MAX_DEPTH + 8), st.booleans(), st.booleans())
def test_json_is_refused_exactly_when_it_nests_deeper_than_the_limit(
    inner: Any, levels: int, as_object: bool, ascii_only: bool
) -> None:
    value = nested(inner, levels, as_object)
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    if depth(value) > MAX_DEPTH:
        with pytest.raises(Invalid, match="deeper than"):
            check_depth(body)
    else:
        check_depth(body)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 40 + b'"' + b'\\"' * 20_000,  # an unterminated string of escaped quotes
        b"[" * 40 + b'"' * 60_000,
    ],
)
def test_a_body_made_to_slow_the_scan_is_refused(body: bytes) -> None:
    with pytest.raises(Invalid):
        check_depth(body)


@given(st.text())
def test_storable_text_is_what_xml_1_0_allows(text: str) -> None:
    xml_chars = all(
        c in "\t\n\r" or "\x20" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c >= "\U00010000"
        for c in text
    )
    assert storable(text) == xml_chars
