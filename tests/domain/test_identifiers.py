"""Belgian identifiers (R14)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.identifiers import (
    BelgianVatNumber,
    EnterpriseNumber,
    StructuredCommunication,
    normalize_vat_number,
)


@pytest.mark.parametrize("raw", ["0123456749", "0123.456.749", "BE 0123 456 749", "123456749", "0403170701"])
def test_valid_enterprise_numbers_in_their_printed_forms(raw: str) -> None:
    number = EnterpriseNumber.parse(raw)
    assert len(str(number)) == 10
    assert int(str(number)[8:]) == 97 - int(str(number)[:8]) % 97


@pytest.mark.parametrize("raw", ["0123456748", "2123456749", "01234567", "01234567490", "abcdefghij", ""])
def test_wrong_enterprise_numbers_name_the_field(raw: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        EnterpriseNumber.parse(raw)
    assert caught.value.field == "companyNumber"


@given(st.integers(min_value=0, max_value=19_999_999))
def test_every_eight_digit_body_has_one_check_that_works(body: int) -> None:
    digits = f"{body:08d}"
    if digits[0] not in "01":
        return
    check = 97 - body % 97
    assert str(EnterpriseNumber.parse(f"{digits}{check:02d}")) == f"{digits}{check:02d}"
    wrong = (check % 97) + 1
    with pytest.raises(InvalidValue):
        EnterpriseNumber(f"{digits}{wrong:02d}")


def test_vat_numbers() -> None:
    assert str(BelgianVatNumber.parse("be 0123.456.749")) == "BE0123456749"
    assert normalize_vat_number("BE0123456749") == "BE0123456749"
    assert normalize_vat_number("nl 8537.92.427B01") == "NL853792427B01"
    with pytest.raises(InvalidValue, match="starts with BE"):
        BelgianVatNumber.parse("0123456749")
    for wrong in ("BE0123456748", "X1", "BE"):
        with pytest.raises(InvalidValue) as caught:
            normalize_vat_number(wrong)
        assert caught.value.field == "vatNumber"


@pytest.mark.parametrize(
    "raw", ["+++090/9337/55493+++", "***090/9337/55493***", "090933755493", "090/9337/55493"]
)
def test_structured_communications(raw: str) -> None:
    assert str(StructuredCommunication.parse(raw)) == "+++090/9337/55493+++"


def test_a_structured_communication_whose_remainder_is_zero_ends_in_97() -> None:
    assert str(StructuredCommunication.from_number(97)) == "+++000/0000/09797+++"
    with pytest.raises(InvalidValue):
        StructuredCommunication.parse("+++000/0000/09700+++")


@given(st.integers(min_value=0, max_value=10**10 - 1))
def test_a_made_communication_parses_back(number: int) -> None:
    made = StructuredCommunication.from_number(number)
    assert StructuredCommunication.parse(str(made)) == made
    tampered = f"{(number + 1) % 10**10:010d}{made.digits[10:]}"
    with pytest.raises(InvalidValue):
        StructuredCommunication(tampered)


@given(st.text(max_size=40))
def test_nothing_but_invalid_value_escapes_the_parsers(raw: str) -> None:
    for parse in (
        EnterpriseNumber.parse,
        BelgianVatNumber.parse,
        StructuredCommunication.parse,
        normalize_vat_number,
    ):
        try:
            parse(raw)
        except InvalidValue as exc:
            assert exc.field in {"companyNumber", "vatNumber", "structuredReference"}
