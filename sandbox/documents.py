"""Banqup documents (CONTRACTS §4) as the stand-in Banqup serves them, with totals computed by EN 16931."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")

SELLER: dict[str, Any] = {
    "name": "Brasserie Dupont SRL",
    "vatNumber": "BE0123456749",
    "companyNumber": "0123456749",
    "peppolId": "0208:0123456749",
    "address": {"street": "Rue Haute 12", "city": "Bruxelles", "postalCode": "1000", "country": "BE"},
    "contact": {"name": None, "email": "factures@dupont.be", "phone": None},
}
BUYER: dict[str, Any] = {
    "name": "Atelier Verhaegen BV",
    "vatNumber": "BE0403170701",
    "companyNumber": "0403170701",
    "peppolId": None,
    "address": {"street": "Grote Markt 1", "city": "Brugge", "postalCode": "8000", "country": "BE"},
    "contact": None,
}


@dataclass(frozen=True)
class Line:
    name: str
    quantity: str
    unit_price: str
    vat_category: str = "S"
    vat_rate: str = "21"


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def banqup_document(
    document_id: str,
    space_id: str,
    *,
    number: str,
    folder: str = "PURCHASES",
    category: str = "INVOICE",
    lines: tuple[Line, ...] = (Line("Fût 30 l", "2", "85.00"),),
    issue_date: str = "2026-11-20",
    totals_off_by: str = "0",
) -> dict[str, Any]:
    """A document whose totals agree with its lines, unless `totals_off_by` says otherwise."""
    nets = [_cents(Decimal(line.quantity) * Decimal(line.unit_price)) for line in lines]
    taxable: dict[tuple[str, str], Decimal] = {}
    for line, net in zip(lines, nets, strict=True):
        key = (line.vat_category, line.vat_rate)
        taxable[key] = taxable.get(key, Decimal(0)) + net
    tax = sum((_cents(amount * Decimal(rate) / 100) for (_, rate), amount in taxable.items()), Decimal(0))
    net_total = sum(nets, Decimal(0))
    payable = net_total + tax + Decimal(totals_off_by)
    return {
        "id": document_id,
        "spaceId": space_id,
        "folder": folder,
        "documentCategory": category,
        "number": number,
        "issueDate": issue_date,
        "dueDate": "2026-12-20",
        "currency": "EUR",
        "buyerReference": "PO-77",
        "orderReference": None,
        "note": None,
        "precedingInvoice": {"number": "INV-2026-0001", "issueDate": "2026-11-01"}
        if category == "CREDIT_NOTE"
        else None,
        "invoicePeriod": None,
        "delivery": None,
        "seller": SELLER if folder == "PURCHASES" else BUYER,
        "buyer": BUYER if folder == "PURCHASES" else SELLER,
        "lines": [
            {
                "id": str(n),
                "name": line.name,
                "description": None,
                "quantity": line.quantity,
                "unitCode": "C62",
                "unitPrice": line.unit_price,
                "allowance": None,
                "vatCategory": line.vat_category,
                "vatRate": line.vat_rate,
                "exemptionReason": None,
            }
            for n, line in enumerate(lines, start=1)
        ],
        "allowances": [],
        "charges": [],
        "payment": {
            "meansCode": "30",
            "iban": "BE71096123456769",
            "bic": "GKCCBEBB",
            "structuredReference": "+++090/9337/55493+++",
            "terms": "30 days",
        },
        "totals": {
            "lineExtension": str(net_total),
            "allowanceTotal": "0.00",
            "chargeTotal": "0.00",
            "taxExclusive": str(net_total),
            "tax": str(tax),
            "taxInclusive": str(net_total + tax),
            "prepaid": "0.00",
            "payable": str(payable),
        },
    }


def encoded(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
