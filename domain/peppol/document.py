"""The Peppol BIS 3.0 document: an EN 16931 invoice or credit note whose figures always add up."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.errors import InvalidValue
from domain.peppol.lines import DocumentAllowanceCharge, Line, Period
from domain.peppol.money import ZERO, require_cents, round_money
from domain.peppol.parties import Address, Party
from domain.peppol.vat import TaxRate, VatCategory, VatExemption, VatSubtotal

ATTACHMENT_MIME_CODES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)
_NEEDS_IBAN = frozenset({"30", "58"})


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "creditNote"

    @property
    def default_type_code(self) -> str:
        """UNCL 1001: 380 commercial invoice, 381 credit note."""
        return "380" if self is DocumentKind.INVOICE else "381"


@dataclass(frozen=True, slots=True)
class InvoiceReference:
    """The invoice a credit note or correction refers to (BG-3)."""

    number: str
    issue_date: date | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    date: date | None = None
    address: Address | None = None
    location_id: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentMeans:
    """How to pay (BG-16). Credit transfers (30, 58) need the account (BR-61)."""

    code: str
    iban: str | None = None
    bic: str | None = None
    account_name: str | None = None
    payment_id: str | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[0-9A-Z]{1,3}", self.code):
            raise InvalidValue("payment.meansCode", f"{self.code!r} is not a UNCL 4461 code")
        if self.code in _NEEDS_IBAN and not self.iban:
            raise InvalidValue("payment.iban", f"payment means {self.code} needs the account number")


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file embedded in the document (BG-24), such as the original PDF."""

    id: str
    filename: str
    mime_code: str
    content: bytes = field(repr=False)
    description: str | None = None

    def __post_init__(self) -> None:
        if self.mime_code not in ATTACHMENT_MIME_CODES:
            raise InvalidValue("attachment.mimeCode", f"{self.mime_code!r} may not be embedded")
        if not self.filename.strip() or not self.id.strip():
            raise InvalidValue("attachment.filename", "an attachment needs an id and a file name")
        if not self.content:
            raise InvalidValue("attachment", "is empty")


@dataclass(frozen=True, slots=True)
class TaxCurrencyTotal:
    """The VAT total in the VAT accounting currency when it differs from the document's (BT-111)."""

    currency: str
    tax: Decimal


@dataclass(frozen=True, slots=True)
class Totals:
    """The document totals (BG-22), all computed from rounded line and allowance amounts."""

    line_extension: Decimal
    allowance_total: Decimal
    charge_total: Decimal
    tax_exclusive: Decimal
    tax: Decimal
    tax_inclusive: Decimal
    prepaid: Decimal
    rounding: Decimal
    payable: Decimal


@dataclass(frozen=True, slots=True)
class PeppolDocument:
    """An invoice or credit note in the EN 16931 semantic model, as Peppol BIS 3.0 restricts it.

    The VAT breakdown and the totals are not given but computed (`breakdown`, `totals`): each line net
    and each allowance or charge rounded to the cent, VAT once per category and rate, totals summed from
    rounded values. Building one that breaks a VAT-category rule raises `InvalidValue`.
    """

    kind: DocumentKind
    number: str
    issue_date: date
    currency: str
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    type_code: str = ""
    due_date: date | None = None
    note: str | None = None
    buyer_reference: str | None = None
    order_reference: str | None = None
    accounting_cost: str | None = None
    preceding_invoice: InvoiceReference | None = None
    period: Period | None = None
    delivery: Delivery | None = None
    payment_means: PaymentMeans | None = None
    payment_terms: str | None = None
    allowances_charges: tuple[DocumentAllowanceCharge, ...] = ()
    exemptions: tuple[VatExemption, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    prepaid: Decimal = ZERO
    rounding: Decimal = ZERO
    tax_currency: TaxCurrencyTotal | None = None

    def __post_init__(self) -> None:
        if not self.type_code:
            object.__setattr__(self, "type_code", self.kind.default_type_code)
        if not self.number.strip():
            raise InvalidValue("number", "a document needs its number")
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise InvalidValue("currency", f"{self.currency!r} is not an ISO 4217 code")
        if not self.lines:
            raise InvalidValue("lines", "a document needs at least one line")
        if self.tax_currency is not None and self.tax_currency.currency == self.currency:
            raise InvalidValue("taxCurrency", "equals the document currency; leave it out")
        if self.kind is DocumentKind.CREDIT_NOTE and self.due_date and self.payment_means is None:
            raise InvalidValue("dueDate", "a credit note states its due date with its payment means")
        require_cents("totals.prepaid", self.prepaid)
        require_cents("totals.rounding", self.rounding)
        _check_categories(self)

    @property
    def tax_rates(self) -> tuple[TaxRate, ...]:
        """The distinct (category, rate) pairs, in order of first use."""
        rates = [line.tax_rate for line in self.lines] + [ac.tax_rate for ac in self.allowances_charges]
        return tuple(dict.fromkeys(rates))

    @property
    def breakdown(self) -> tuple[VatSubtotal, ...]:
        exemptions = {e.category: e for e in self.exemptions}
        rows = []
        for key in self.tax_rates:
            taxable = _sum(line.net_amount for line in self.lines if line.tax_rate == key) + _sum(
                ac.adjustment.signed_amount for ac in self.allowances_charges if ac.tax_rate == key
            )
            tax = round_money(taxable * key.rate / 100) if key.rate is not None else ZERO
            rows.append(VatSubtotal(key, taxable, tax, exemptions.get(key.category)))
        return tuple(rows)

    @property
    def totals(self) -> Totals:
        line_extension = _sum(line.net_amount for line in self.lines)
        adjustments = [ac.adjustment for ac in self.allowances_charges]
        allowances = _sum(a.amount for a in adjustments if not a.is_charge)
        charges = _sum(a.amount for a in adjustments if a.is_charge)
        tax_exclusive = line_extension - allowances + charges
        tax = _sum(row.tax for row in self.breakdown)
        tax_inclusive = tax_exclusive + tax
        return Totals(
            line_extension=line_extension,
            allowance_total=allowances,
            charge_total=charges,
            tax_exclusive=tax_exclusive,
            tax=tax,
            tax_inclusive=tax_inclusive,
            prepaid=self.prepaid,
            rounding=self.rounding,
            payable=tax_inclusive - self.prepaid + self.rounding,
        )


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def _check_categories(doc: PeppolDocument) -> None:
    """The EN 16931 rules that tie VAT categories to exemption reasons, parties and delivery."""
    categories = {key.category for key in doc.tax_rates}
    exempted = [e.category for e in doc.exemptions]
    if len(set(exempted)) != len(exempted):
        raise InvalidValue("exemptionReason", "one exemption reason per category")
    for category in categories:
        if category.needs_exemption_reason and category not in exempted:
            raise InvalidValue("exemptionReason", f"category {category} needs an exemption reason")
    for category in exempted:
        if category not in categories:
            raise InvalidValue("exemptionReason", f"category {category} is not used in the document")
    if VatCategory.NOT_SUBJECT in categories:
        if len(categories) > 1:
            raise InvalidValue("vatCategory", "category O cannot be mixed with other categories (BR-O-11)")
        if doc.seller.vat_number or doc.buyer.vat_number:
            raise InvalidValue("vatNumber", "with category O neither party has a VAT number (BR-O-02)")
        return
    if not doc.seller.vat_number:
        raise InvalidValue("seller.vatNumber", "needed for every VAT category but O")
    if categories & {VatCategory.REVERSE_CHARGE, VatCategory.INTRA_COMMUNITY} and not doc.buyer.vat_number:
        raise InvalidValue("buyer.vatNumber", "needed for reverse charge (AE) and intra-community (K)")
    if VatCategory.INTRA_COMMUNITY in categories:
        delivery = doc.delivery
        if not (delivery and delivery.date) and doc.period is None:
            raise InvalidValue("delivery.date", "category K needs a delivery date or invoice period")
        if not (delivery and delivery.address):
            raise InvalidValue("delivery.address", "category K needs the deliver-to country")
