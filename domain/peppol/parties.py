"""The seller and the buyer, with the electronic address Peppol delivers to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidValue
from domain.identifiers import BelgianVatNumber, EnterpriseNumber

BELGIAN_ENTERPRISE_SCHEME = "0208"
BELGIAN_VAT_SCHEME = "9925"


def _check_belgian(field: str, scheme: str | None, value: str) -> None:
    """R14: `0208` is exactly ten digits with a mod-97 check; `9925` is `BE` and such ten digits."""
    if scheme == BELGIAN_ENTERPRISE_SCHEME:
        try:
            EnterpriseNumber(value)
        except InvalidValue as exc:
            raise InvalidValue(field, f"{value!r} is not a Belgian enterprise number: {exc.message}") from exc
    elif scheme == BELGIAN_VAT_SCHEME:
        _check_vat_number(field, value)


def _check_vat_number(field: str, value: str) -> None:
    if not re.fullmatch(r"[A-Z]{2}[0-9A-Za-z+*.]{2,13}", value):
        raise InvalidValue(field, f"{value!r} is not a VAT number with its country prefix")
    if value.startswith("BE"):
        try:
            canonical = str(BelgianVatNumber.parse(value))
        except InvalidValue as exc:
            raise InvalidValue(field, f"{value!r} is not a Belgian VAT number: {exc.message}") from exc
        if canonical != value:
            raise InvalidValue(field, f"{value!r} must be written {canonical}")


@dataclass(frozen=True, slots=True)
class ElectronicAddress:
    """A Peppol participant identifier (EndpointID): an EAS scheme and an identifier in it."""

    scheme: str
    value: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{4}", self.scheme):
            raise InvalidValue("peppolId", f"scheme {self.scheme!r} is not an EAS code (four digits)")
        if not self.value or self.value != self.value.strip():
            raise InvalidValue("peppolId", "the identifier is empty or padded")
        _check_belgian("peppolId", self.scheme, self.value)

    @classmethod
    def parse(cls, text: str) -> ElectronicAddress:
        """Reads the `scheme:identifier` form, e.g. `0208:0123456749`."""
        scheme, sep, value = text.strip().partition(":")
        if not sep:
            raise InvalidValue("peppolId", "expected the form scheme:identifier")
        return cls(scheme, value)

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier with an optional ICD scheme (party, legal registration, item)."""

    value: str
    scheme: str | None = None

    def __post_init__(self) -> None:
        if not self.value.strip():
            raise InvalidValue("identifier", "is empty")
        _check_belgian("companyNumber", self.scheme, self.value)


@dataclass(frozen=True, slots=True)
class Address:
    country: str
    street: str | None = None
    additional_street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    subdivision: str | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z]{2}", self.country):
            raise InvalidValue("address.country", f"{self.country!r} is not an ISO 3166 alpha-2 code")


@dataclass(frozen=True, slots=True)
class Contact:
    name: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Party:
    """A seller or buyer (BG-4, BG-7). `name` is the registered name; `vat_number` carries its prefix."""

    name: str
    endpoint: ElectronicAddress
    address: Address
    vat_number: str | None = None
    legal_id: Identifier | None = None
    trading_name: str | None = None
    identifiers: tuple[Identifier, ...] = ()
    contact: Contact | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidValue("name", "a party needs its name")
        if self.vat_number is not None:
            _check_vat_number("vatNumber", self.vat_number)
