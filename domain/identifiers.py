"""Belgian identifiers (R14): enterprise number, VAT number and structured communication."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidValue

_SEPARATORS = re.compile(r"[\s./-]")
_ENTERPRISE_DIGITS = re.compile(r"[01]\d{9}")


def _compact(raw: str) -> str:
    """Without blanks, dots, slashes or hyphens, in capitals: `be 0123.456.749` → `BE0123456749`."""
    return raw.upper() if raw.isalnum() else _SEPARATORS.sub("", raw.strip()).upper()


def _mod97_check(body: int) -> int:
    """The check digits Belgium uses: 97 minus the remainder, so a multiple of 97 gives 97."""
    return 97 - body % 97


def _ten_digits(text: str) -> str:
    """Nine digits are an enterprise number written the old way, without its leading 0."""
    return "0" + text if len(text) == 9 else text


def _check_enterprise_digits(digits: str, field: str) -> None:
    if not _ENTERPRISE_DIGITS.fullmatch(digits):
        raise InvalidValue(field, "must be 10 digits starting with 0 or 1")
    if _mod97_check(int(digits[:8])) != int(digits[8:]):
        raise InvalidValue(field, "check digits do not match (mod 97)")


@dataclass(frozen=True, slots=True)
class EnterpriseNumber:
    """A Belgian enterprise number (KBO/BCE, Peppol scheme 0208): ten digits, the last two a mod-97 check."""

    digits: str

    def __post_init__(self) -> None:
        _check_enterprise_digits(self.digits, "companyNumber")

    @classmethod
    def parse(cls, raw: str) -> EnterpriseNumber:
        """Accepts the printed forms `0123.456.749`, `0123 456 749` and `BE0123456749`."""
        return cls(_ten_digits(_compact(raw).removeprefix("BE")))

    def __str__(self) -> str:
        return self.digits


@dataclass(frozen=True, slots=True)
class BelgianVatNumber:
    """A Belgian VAT number: `BE` followed by a valid enterprise number."""

    enterprise: EnterpriseNumber

    @classmethod
    def parse(cls, raw: str) -> BelgianVatNumber:
        return cls(EnterpriseNumber(_belgian_vat_digits(_compact(raw))))

    def __str__(self) -> str:
        return f"BE{self.enterprise.digits}"


def _belgian_vat_digits(text: str) -> str:
    """The enterprise number's ten digits of a compact Belgian VAT number, checked."""
    if not text.startswith("BE"):
        raise InvalidValue("vatNumber", "a Belgian VAT number starts with BE")
    digits = _ten_digits(text[2:])
    _check_enterprise_digits(digits, "vatNumber")
    return digits


_COMMUNICATION = re.compile(r"(?:\+\+\+|\*\*\*)?(\d{3})/?(\d{4})/?(\d{5})(?:\+\+\+|\*\*\*)?")


@dataclass(frozen=True, slots=True)
class StructuredCommunication:
    """The Belgian structured payment reference `+++ddd/dddd/ddddd+++`: ten digits and a mod-97 check."""

    digits: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{12}", self.digits):
            raise InvalidValue("structuredReference", "must hold 12 digits")
        body = int(self.digits[:10])
        expected = body % 97 or 97
        if expected != int(self.digits[10:]):
            raise InvalidValue("structuredReference", "check digits do not match (mod 97)")

    @classmethod
    def parse(cls, raw: str) -> StructuredCommunication:
        match = _COMMUNICATION.fullmatch(raw.strip().replace(" ", ""))
        if match is None:
            raise InvalidValue("structuredReference", "expected the form +++123/4567/89012+++")
        return cls("".join(match.groups()))

    @classmethod
    def from_number(cls, number: int) -> StructuredCommunication:
        """The communication for a ten-digit reference number, with its check digits appended."""
        if not 0 <= number < 10**10:
            raise InvalidValue("structuredReference", "the reference number has at most 10 digits")
        return cls(f"{number:010d}{number % 97 or 97:02d}")

    def __str__(self) -> str:
        d = self.digits
        return f"+++{d[:3]}/{d[3:7]}/{d[7:]}+++"


_FOREIGN_VAT = re.compile(r"[A-Z]{2}[0-9A-Z+*]{2,13}")


def normalize_vat_number(raw: str) -> str:
    """A VAT number in its compact form: Belgian ones checked fully, others by their general shape."""
    text = _compact(raw)
    if text.startswith("BE"):
        return "BE" + _belgian_vat_digits(text)
    if not _FOREIGN_VAT.fullmatch(text):
        raise InvalidValue("vatNumber", "expected a country code and 2 to 13 letters or digits")
    return text
