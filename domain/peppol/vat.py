"""VAT categories (UNCL 5305 as Peppol allows them), rates and the VAT breakdown."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.errors import InvalidValue


class VatCategory(StrEnum):
    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    NOT_SUBJECT = "O"
    CANARY_ISLANDS = "L"
    CEUTA_MELILLA = "M"

    @property
    def needs_exemption_reason(self) -> bool:
        """E, AE, K, G and O state why no VAT is due (BR-E-10 …); S, Z, L and M must not."""
        return self in _EXEMPT

    @property
    def has_rate(self) -> bool:
        """Category O carries no rate at all (BR-O-05)."""
        return self is not VatCategory.NOT_SUBJECT


_EXEMPT = frozenset(
    {
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_COMMUNITY,
        VatCategory.EXPORT,
        VatCategory.NOT_SUBJECT,
    }
)
_ZERO_RATE = frozenset(
    {
        VatCategory.ZERO_RATED,
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_COMMUNITY,
        VatCategory.EXPORT,
    }
)


@dataclass(frozen=True, slots=True)
class TaxRate:
    """A VAT category with its rate: the key of the VAT breakdown."""

    category: VatCategory
    rate: Decimal | None

    def __post_init__(self) -> None:
        if not self.category.has_rate:
            if self.rate is not None:
                raise InvalidValue("vatRate", "category O carries no VAT rate")
            return
        if self.rate is None or not self.rate.is_finite() or self.rate < 0 or self.rate >= 100:
            raise InvalidValue("vatRate", f"category {self.category} needs a rate from 0 to under 100")
        if self.category in _ZERO_RATE and self.rate != 0:
            raise InvalidValue("vatRate", f"category {self.category} has rate 0, not {self.rate}")
        if self.category is VatCategory.STANDARD and self.rate == 0:
            raise InvalidValue("vatRate", "category S needs a rate above 0")

    def __str__(self) -> str:
        return self.category.value if self.rate is None else f"{self.category.value} {self.rate}%"


@dataclass(frozen=True, slots=True)
class VatExemption:
    """Why a category that is not taxed is not taxed: a text, a VATEX code, or both."""

    category: VatCategory
    reason: str | None = None
    code: str | None = None

    def __post_init__(self) -> None:
        if not self.category.needs_exemption_reason:
            raise InvalidValue("exemptionReason", f"category {self.category} takes no exemption reason")
        if not (self.reason or self.code):
            raise InvalidValue("exemptionReason", f"category {self.category} needs a reason text or code")


@dataclass(frozen=True, slots=True)
class VatSubtotal:
    """One row of the VAT breakdown (BG-23): what is taxed at one category and rate, and the VAT on it."""

    tax_rate: TaxRate
    taxable: Decimal
    tax: Decimal
    exemption: VatExemption | None
