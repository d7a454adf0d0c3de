"""Random Banqup documents render to valid Peppol UBL that reads back to the same document."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings

from adapters.banqup.document_json import decode_banqup
from adapters.banqup.peppol_mapping import banqup_to_peppol
from adapters.ubl.parsing import parse_ubl
from adapters.ubl.reader import read_ubl
from adapters.ubl.writer import write_ubl
from application.errors import InvalidDocument
from tests.adapters.ubl.banqup_documents import banqup_documents, encode

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=banqup_documents())
def test_every_banqup_document_renders_valid_and_round_trips(document, toolkit) -> None:  # type: ignore[no-untyped-def]
    data = encode(document)
    xml = toolkit.render_banqup(data, PDF)  # raises InvalidDocument on any fatal violation

    assert [v for v in toolkit.validate(xml) if v.fatal] == []
    doc = banqup_to_peppol(decode_banqup(data), PDF)
    assert read_ubl(parse_ubl(write_ubl(doc))) == doc
    assert doc.attachments[0].content == PDF


def test_banqup_totals_off_by_more_than_a_cent_name_both_figures(toolkit) -> None:  # type: ignore[no-untyped-def]
    document = _sample()
    document["totals"]["tax"] = "35.72"
    with pytest.raises(InvalidDocument) as caught:
        toolkit.render_banqup(encode(document), None)
    [violation] = caught.value.violations
    assert "35.72" in violation.message
    assert "35.70" in violation.message
    assert violation.location == "totals.tax"


def test_a_cent_of_difference_is_tolerated(toolkit) -> None:  # type: ignore[no-untyped-def]
    document = _sample()
    document["totals"]["tax"] = "35.71"
    assert toolkit.render_banqup(encode(document), None).startswith(b"<?xml")


def test_credit_note_has_no_due_date_element_but_a_payment_due_date(toolkit) -> None:  # type: ignore[no-untyped-def]
    document = _sample()
    document["documentCategory"] = "CREDIT_NOTE"
    document["precedingInvoice"] = {"number": "INV-1", "issueDate": "2026-10-01"}
    xml = toolkit.render_banqup(encode(document), None)
    assert b"<CreditNote" in xml
    assert b"cbc:DueDate" not in xml
    assert b"<cbc:PaymentDueDate>2026-12-20</cbc:PaymentDueDate>" in xml
    assert b"<cac:BillingReference>" in xml


def test_exempt_line_without_reason_names_the_field(toolkit) -> None:  # type: ignore[no-untyped-def]
    document = _sample()
    document["lines"][0].update(vatCategory="E", vatRate="0")
    document["totals"].update(tax="0.00", taxInclusive="170.00", payable="170.00")
    with pytest.raises(InvalidDocument) as caught:
        toolkit.render_banqup(encode(document), None)
    assert caught.value.violations[0].location == "lines[0].exemptionReason"


@pytest.mark.parametrize(
    ("references", "expected"),
    [
        (
            {"buyerReference": None, "orderReference": None},
            b"<cbc:BuyerReference>INV-2026-0042</cbc:BuyerReference>",
        ),
        ({"buyerReference": None, "orderReference": "SO-9"}, b"<cbc:ID>SO-9</cbc:ID>"),
        (
            {"buyerReference": "PO-77", "orderReference": None},
            b"<cbc:BuyerReference>PO-77</cbc:BuyerReference>",
        ),
    ],
)
def test_a_document_without_references_still_satisfies_r003(toolkit, references, expected) -> None:  # type: ignore[no-untyped-def]
    document = {**_sample(), **references}
    xml = toolkit.render_banqup(encode(document), None)
    assert expected in xml
    assert xml.count(b"<cbc:BuyerReference>") == (0 if references["orderReference"] else 1)


def _sample() -> dict:  # type: ignore[type-arg]
    from tests.adapters.ubl.banqup_documents import BUYER, SELLER, totals

    document = {
        "number": "INV-2026-0042", "issueDate": "2026-11-20", "dueDate": "2026-12-20", "currency": "EUR",
        "documentCategory": "INVOICE", "buyerReference": "PO-77",
        "seller": copy.deepcopy(SELLER), "buyer": copy.deepcopy(BUYER),
        "lines": [{"id": "1", "name": "Fût 30 l", "quantity": "2", "unitCode": "C62", "unitPrice": "85.00",
                   "vatCategory": "S", "vatRate": "21"}],
        "payment": {"meansCode": "30", "iban": "BE71096123456769", "structuredReference": "090933755493"},
        "allowances": [], "charges": [],
    }  # fmt: skip
    document["totals"] = totals(document)
    return document
