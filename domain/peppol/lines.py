"""Invoice lines and the allowances and charges on them or on the whole document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.errors import InvalidValue
from domain.peppol.money import ZERO, require_cents, round_money
from domain.peppol.parties import Identifier
from domain.peppol.vat import TaxRate


@dataclass(frozen=True, slots=True)
class Period:
    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.start is None and self.end is None:
            raise InvalidValue("invoicePeriod", "needs a start or an end date")
        if self.start and self.end and self.end < self.start:
            raise InvalidValue("invoicePeriod", "ends before it starts")


@dataclass(frozen=True, slots=True)
class AllowanceCharge:
    """An amount taken off (allowance) or added (charge), with why (BR-33, BR-38).

    `percent` of `base_amount` may say how the amount came about; both or neither (PEPPOL-EN16931-R041/R042).
    """

    is_charge: bool
    amount: Decimal
    reason: str | None = None
    reason_code: str | None = None
    base_amount: Decimal | None = None
    percent: Decimal | None = None

    def __post_init__(self) -> None:
        require_cents("amount", self.amount)
        if not (self.reason or self.reason_code):
            raise InvalidValue("reason", "an allowance or charge needs a reason text or code")
        if (self.base_amount is None) != (self.percent is None):
            raise InvalidValue("percent", "give both a percentage and its base amount, or neither")
        if self.base_amount is not None:
            require_cents("baseAmount", self.base_amount)

    @property
    def signed_amount(self) -> Decimal:
        """What it adds to the net amount: negative for an allowance."""
        return self.amount if self.is_charge else -self.amount


@dataclass(frozen=True, slots=True)
class DocumentAllowanceCharge:
    """An allowance or charge on the whole document (BG-20, BG-21): it carries its own VAT."""

    adjustment: AllowanceCharge
    tax_rate: TaxRate


@dataclass(frozen=True, slots=True)
class Line:
    """An invoice line (BG-25). The net price is never negative (BR-27): a credit is a negative quantity.

    `base_quantity` is the quantity the price is for (1 when absent); `gross_price` the price before the
    price discount, which is then `gross_price - price`.
    """

    id: str
    name: str
    quantity: Decimal
    unit_code: str
    price: Decimal
    tax_rate: TaxRate
    description: str | None = None
    base_quantity: Decimal | None = None
    gross_price: Decimal | None = None
    adjustments: tuple[AllowanceCharge, ...] = ()
    seller_item_id: str | None = None
    standard_item_id: Identifier | None = None
    order_line_id: str | None = None
    note: str | None = None
    period: Period | None = None

    def __post_init__(self) -> None:
        if not self.id.strip() or not self.name.strip():
            raise InvalidValue("lines.name", "a line needs an id and a name")
        if not self.quantity.is_finite():
            raise InvalidValue("lines.quantity", "is not a number")
        if not self.price.is_finite() or self.price < 0:
            raise InvalidValue("lines.unitPrice", "the net price may not be negative (BR-27)")
        if self.base_quantity is not None and not self.base_quantity > 0:
            raise InvalidValue("lines.baseQuantity", "must be above zero")
        if self.gross_price is not None and self.gross_price < self.price:
            raise InvalidValue("lines.grossPrice", "is below the net price")

    @property
    def net_amount(self) -> Decimal:
        """Quantity × price (per base quantity), rounded, plus charges, minus allowances (BT-131)."""
        base = round_money(self.quantity * self.price / (self.base_quantity or 1))
        return round_money(base + sum((a.signed_amount for a in self.adjustments), ZERO))
