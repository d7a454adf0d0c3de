"""Hypothesis strategies for Banqup documents (CONTRACTS §4), with totals computed independently."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import strategies as st

from sandbox.documents import SELLER

BUYER = {
    "name": "Café Central BV",
    "vatNumber": "BE0202239951",
    "companyNumber": "0202.239.951",
    "peppolId": None,
    "address": {"street": "Grote Markt 1", "city": "Brugge", "postalCode": "8000", "country": "BE"},
    "contact": None,
}
DELIVERY_ADDRESS = {"street": "Kai 3", "city": "Gent", "postalCode": "9000", "country": "BE"}
RATES = {"S": ["21", "12", "6", "5.5"], "Z": ["0"], "E": ["0"], "AE": ["0"], "K": ["0"], "G": ["0"],
         "L": ["0", "3", "7"], "M": ["0.5", "4", "10"]}  # fmt: skip


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def money(low: str, high: str, places: int = 2) -> st.SearchStrategy[Decimal]:
    return st.decimals(Decimal(low), Decimal(high), places=places, allow_nan=False, allow_infinity=False)


@st.composite
def banqup_documents(draw: st.DrawFn) -> dict[str, Any]:
    not_subject = draw(st.booleans().filter(lambda b: True)) and draw(st.integers(0, 5)) == 0
    categories = (
        ["O"] if not_subject else draw(st.lists(st.sampled_from(sorted(RATES)), min_size=1, max_size=3))
    )
    taxes = [("O", None)] if not_subject else [(c, draw(st.sampled_from(RATES[c]))) for c in categories]
    lines = []
    for index in range(draw(st.integers(1, 6))):
        category, rate = draw(st.sampled_from(taxes))
        quantity = draw(money("-20", "500", places=draw(st.integers(0, 3))).filter(lambda q: q != 0))
        price = draw(money("0", "5000", places=draw(st.integers(0, 4))))
        allowance = None
        if draw(st.booleans()):
            allowance = {
                "amount": str(draw(money("0.01", "50"))),
                "reason": draw(st.sampled_from([None, "Volume"])),
            }
        lines.append(
            {
                "id": str(index + 1), "name": f"Article {index + 1}", "description": None,
                "quantity": str(quantity), "unitCode": draw(st.sampled_from(["C62", "KGM", "HUR"])),
                "unitPrice": str(price), "allowance": allowance, "vatCategory": category, "vatRate": rate,
                "exemptionReason": "Article 44 VAT Code" if category == "E" else None,
            }
        )  # fmt: skip
    used = sorted({(line["vatCategory"], line["vatRate"]) for line in lines}, key=str)
    adjustments: dict[str, list[dict[str, Any]]] = {"allowances": [], "charges": []}
    for items in adjustments.values():
        for _ in range(draw(st.integers(0, 2))):
            category, rate = draw(st.sampled_from(used))
            reason = draw(st.sampled_from([None, "Transport"]))
            items.append(
                {"amount": str(draw(money("0.01", "100"))), "reason": reason,
                 "vatCategory": category, "vatRate": rate}
            )  # fmt: skip
    credit_note = draw(st.booleans())
    document: dict[str, Any] = {
        "id": "7f1c", "spaceId": "c2a9", "folder": draw(st.sampled_from(["PURCHASES", "SALES"])),
        "documentCategory": "CREDIT_NOTE" if credit_note else "INVOICE",
        "number": f"{'CN' if credit_note else 'INV'}-2026/{draw(st.integers(1, 9999))}",
        "issueDate": "2026-11-20", "dueDate": draw(st.sampled_from([None, "2026-12-20"])),
        "currency": draw(st.sampled_from(["EUR", "EUR", "USD", "GBP", "SEK"])),
        "buyerReference": "PO-77", "orderReference": draw(st.sampled_from([None, "SO-1"])),
        "note": draw(st.sampled_from([None, "Merci!"])),
        "precedingInvoice": {"number": "INV-2026/1", "issueDate": "2026-10-01"} if credit_note else None,
        "invoicePeriod": draw(st.sampled_from([None, {"start": "2026-11-01", "end": "2026-11-30"}])),
        "delivery": {"date": "2026-11-18", "address": DELIVERY_ADDRESS},
        "seller": dict(SELLER, vatNumber=None) if not_subject else SELLER,
        "buyer": dict(BUYER, vatNumber=None) if not_subject else BUYER,
        "lines": lines, **adjustments,
        "payment": {"meansCode": "30", "iban": "BE71096123456769", "bic": "GKCCBEBB",
                    "structuredReference": draw(st.sampled_from([None, "+++090/9337/55493+++"])),
                    "terms": "30 days"},
    }  # fmt: skip
    document["totals"] = totals(document)
    return document


def totals(document: dict[str, Any]) -> dict[str, str]:
    """EN 16931 arithmetic, written out again here so the test does not trust the code under test."""
    taxable: dict[tuple[str, str | None], Decimal] = {}
    line_total = Decimal(0)
    for line in document["lines"]:
        net = _round(Decimal(line["quantity"]) * Decimal(line["unitPrice"]))
        if line.get("allowance"):
            net = _round(net - _round(Decimal(line["allowance"]["amount"])))
        line_total += net
        key = (line["vatCategory"], line["vatRate"])
        taxable[key] = taxable.get(key, Decimal(0)) + net
    sums = {}
    for kind, sign in (("allowances", -1), ("charges", 1)):
        sums[kind] = Decimal(0)
        for item in document[kind]:
            amount = _round(Decimal(item["amount"]))
            sums[kind] += amount
            key = (item["vatCategory"], item["vatRate"])
            taxable[key] = taxable.get(key, Decimal(0)) + sign * amount
    tax = sum((_round(base * Decimal(rate or 0) / 100) for (_, rate), base in taxable.items()), Decimal(0))
    exclusive = line_total - sums["allowances"] + sums["charges"]
    return {
        "lineExtension": str(line_total), "allowanceTotal": str(sums["allowances"]),
        "chargeTotal": str(sums["charges"]), "taxExclusive": str(exclusive), "tax": str(tax),
        "taxInclusive": str(exclusive + tax), "prepaid": "0.00", "payable": str(exclusive + tax),
    }  # fmt: skip


def encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode("utf-8")
