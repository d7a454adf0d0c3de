"""The 9 official BIS 3 examples: valid as they are, and still valid and saying the same once normalised."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.ubl.parsing import parse_ubl
from adapters.ubl.reader import read_ubl
from tests.adapters.ubl.conftest import material

EXAMPLES = [
    "Allowance-example.xml",
    "Vat-category-S.xml",
    "base-creditnote-correction.xml",
    "base-example.xml",
    "base-negative-inv-correction.xml",
    "sales-order-example.xml",
    "vat-category-E.xml",
    "vat-category-O.xml",
    "vat-category-Z.xml",
]


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_normalises_to_a_valid_document_saying_the_same(name: str, toolkit) -> None:  # type: ignore[no-untyped-def]
    original = Path(material("examples", name)).read_bytes()
    assert [v for v in toolkit.validate(original) if v.fatal] == []

    normalised = toolkit.normalize(original)

    assert [v for v in toolkit.validate(normalised) if v.fatal] == []
    before, after = read_ubl(parse_ubl(original)), read_ubl(parse_ubl(normalised))
    assert (after.seller, after.buyer) == (before.seller, before.buyer)
    assert after.lines == before.lines
    assert after.totals == before.totals
    assert after.breakdown == before.breakdown
    assert after == before
