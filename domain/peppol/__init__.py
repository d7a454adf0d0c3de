"""Peppol BIS Billing 3.0 documents in the EN 16931 semantic model."""

from domain.peppol.document import (
    ATTACHMENT_MIME_CODES,
    Attachment,
    Delivery,
    DocumentKind,
    InvoiceReference,
    PaymentMeans,
    PeppolDocument,
    TaxCurrencyTotal,
    Totals,
)
from domain.peppol.lines import AllowanceCharge, DocumentAllowanceCharge, Line, Period
from domain.peppol.money import round_money
from domain.peppol.parties import Address, Contact, ElectronicAddress, Identifier, Party
from domain.peppol.vat import TaxRate, VatCategory, VatExemption, VatSubtotal

__all__ = [
    "ATTACHMENT_MIME_CODES",
    "Address",
    "AllowanceCharge",
    "Attachment",
    "Contact",
    "Delivery",
    "DocumentAllowanceCharge",
    "DocumentKind",
    "ElectronicAddress",
    "Identifier",
    "InvoiceReference",
    "Line",
    "Party",
    "PaymentMeans",
    "PeppolDocument",
    "Period",
    "TaxCurrencyTotal",
    "TaxRate",
    "Totals",
    "VatCategory",
    "VatExemption",
    "VatSubtotal",
    "round_money",
]
