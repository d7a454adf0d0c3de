"""R14: Belgian enterprise numbers, VAT numbers and structured communications in the mapping."""

from __future__ import annotations

import copy

import pytest

from adapters.banqup.document_json import decode_banqup
from adapters.banqup.peppol_mapping import banqup_to_peppol
from application.errors import InvalidDocument
from domain.errors import InvalidValue
from domain.peppol import ElectronicAddress
from tests.adapters.ubl.banqup_documents import encode
from tests.adapters.ubl.test_banqup_rendering import _sample


def _map(**party: object):  # type: ignore[no-untyped-def]
    document = _sample()
    document["buyer"] = dict(copy.deepcopy(document["buyer"]), **party)
    return banqup_to_peppol(decode_banqup(encode(document)))


def test_endpoint_is_the_peppol_id_when_given() -> None:
    assert str(_map(peppolId="9925:BE0202239951").buyer.endpoint) == "9925:BE0202239951"


def test_endpoint_falls_back_to_the_enterprise_number_under_0208_normalised() -> None:
    doc = _map(peppolId=None, companyNumber="0202.239.951")
    assert str(doc.buyer.endpoint) == "0208:0202239951"
    assert doc.buyer.legal_id is not None
    assert (doc.buyer.legal_id.value, doc.buyer.legal_id.scheme) == ("0202239951", "0208")


def test_endpoint_falls_back_to_the_vat_number_under_9925() -> None:
    doc = _map(peppolId=None, companyNumber=None, vatNumber="BE 0202.239.951")
    assert str(doc.buyer.endpoint) == "9925:BE0202239951"
    assert doc.buyer.vat_number == "BE0202239951"


def test_a_belgian_vat_number_without_prefix_gets_it() -> None:
    assert _map(vatNumber="0202239951").buyer.vat_number == "BE0202239951"


@pytest.mark.parametrize(
    ("party", "field"),
    [
        ({"companyNumber": "0202.239.952", "peppolId": None}, "buyer.companyNumber"),
        ({"vatNumber": "BE0202239952"}, "buyer.vatNumber"),
        ({"peppolId": "0208:0202239952"}, "buyer.peppolId"),
        ({"peppolId": "BE:CBE:0202239951"}, "buyer.peppolId"),
    ],
)
def test_a_broken_belgian_identifier_is_refused_naming_the_field(
    party: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidDocument) as caught:
        _map(**party)
    assert caught.value.violations[0].location == field


def test_a_broken_structured_communication_is_refused() -> None:
    document = _sample()
    document["payment"]["structuredReference"] = "+++090/9337/55494+++"
    with pytest.raises(InvalidDocument) as caught:
        banqup_to_peppol(decode_banqup(encode(document)))
    assert caught.value.violations[0].location == "payment.structuredReference"


def test_the_structured_communication_is_written_in_its_canonical_form() -> None:
    doc = _map()
    assert doc.payment_means is not None
    assert doc.payment_means.payment_id == "+++090/9337/55493+++"


@pytest.mark.parametrize("value", ["BE0123456749", "0123.456.749", "123456749"])
def test_the_domain_refuses_a_0208_endpoint_in_any_but_the_ten_digit_form(value: str) -> None:
    with pytest.raises(InvalidValue):
        ElectronicAddress("0208", value)
