"""The Banqup document as Banqup's API sends it (CONTRACTS §4), decoded and made safe for XML."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Literal, cast

import msgspec

from application.errors import Invalid, InvalidDocument, Violation
from domain.errors import InvalidValue

# The rule id of a Banqup document that cannot be made into Peppol UBL.
MAPPING_RULE = "OCTOBRIDGE-BANQUP"


class _Struct(msgspec.Struct, rename="camel", forbid_unknown_fields=False):
    pass


class BanqupAddress(_Struct):
    country: str
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None


class BanqupContact(_Struct):
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class BanqupParty(_Struct):
    name: str
    address: BanqupAddress
    vat_number: str | None = None
    company_number: str | None = None
    peppol_id: str | None = None
    contact: BanqupContact | None = None


class BanqupLineAllowance(_Struct):
    amount: Decimal
    reason: str | None = None


class BanqupLine(_Struct):
    id: str
    name: str
    quantity: Decimal
    unit_price: Decimal
    vat_category: str
    unit_code: str = "C62"
    description: str | None = None
    allowance: BanqupLineAllowance | None = None
    vat_rate: Decimal | None = None
    exemption_reason: str | None = None


class BanqupAllowanceCharge(_Struct):
    amount: Decimal
    vat_category: str
    reason: str | None = None
    vat_rate: Decimal | None = None


class BanqupPayment(_Struct):
    means_code: str = "30"
    iban: str | None = None
    bic: str | None = None
    structured_reference: str | None = None
    terms: str | None = None


class BanqupTotals(_Struct):
    line_extension: Decimal
    allowance_total: Decimal
    charge_total: Decimal
    tax_exclusive: Decimal
    tax: Decimal
    tax_inclusive: Decimal
    payable: Decimal
    prepaid: Decimal = Decimal("0.00")


class BanqupReference(_Struct):
    number: str
    issue_date: date | None = None


class BanqupPeriod(_Struct):
    start: date | None = None
    end: date | None = None


class BanqupDelivery(_Struct):
    date: date | None = None
    address: BanqupAddress | None = None


class BanqupDocument(_Struct):
    number: str
    issue_date: date
    currency: str
    seller: BanqupParty
    buyer: BanqupParty
    lines: list[BanqupLine]
    totals: BanqupTotals
    document_category: Literal["INVOICE", "CREDIT_NOTE"] = "INVOICE"
    id: str | None = None
    space_id: str | None = None
    folder: str | None = None
    due_date: date | None = None
    buyer_reference: str | None = None
    order_reference: str | None = None
    note: str | None = None
    preceding_invoice: BanqupReference | None = None
    invoice_period: BanqupPeriod | None = None
    delivery: BanqupDelivery | None = None
    allowances: list[BanqupAllowanceCharge] = []
    charges: list[BanqupAllowanceCharge] = []
    payment: BanqupPayment | None = None


def decode_banqup(document_json: bytes) -> BanqupDocument:
    """Raises `Invalid` when the bytes are not a Banqup document, `InvalidDocument` when an identifier
    holds what XML cannot carry; the message names the path, not the data. Free text is made safe
    (`_xml_safe`)."""
    try:
        document = msgspec.json.decode(document_json, type=BanqupDocument)
    except msgspec.ValidationError as exc:
        raise _not_banqup(str(exc)) from exc
    except msgspec.DecodeError as exc:
        raise _not_banqup("the file is not JSON") from exc
    except RecursionError as exc:  # msgspec descends into a field it skips, too
        raise _not_banqup("the JSON is nested too deeply") from exc
    try:
        return cast(BanqupDocument, _xml_safe(document, ""))
    except InvalidValue as exc:
        violation = Violation(MAPPING_RULE, True, str(exc), exc.field)
        raise InvalidDocument(
            f"the Banqup document cannot be made into Peppol UBL: {exc}", (violation,)
        ) from exc


def _not_banqup(reason: str) -> Invalid:
    return Invalid(f"not a Banqup document: {reason}")


# What XML 1.0 cannot carry: control characters other than tab, LF and CR, lone surrogates, U+FFFE/F.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Fields a person reads, where such a character (a stray tab from a spreadsheet, a NUL from a broken
# export) is replaced by a space. Any other field is an identifier or a code: the document fails.
FREE_TEXT = frozenset({"name", "description", "note", "street", "city", "reason", "terms", "exemptionReason"})


def _xml_safe(value: object, path: str) -> object:
    """`value` with its free text cleaned of what XML cannot carry (the same object when nothing
    changes); raises `InvalidValue` naming the first other field (`seller.vatNumber`, `lines[2].id`)
    that holds such a character."""
    if isinstance(value, str):
        if NOT_XML.search(value) is None:
            return value
        if path.rpartition(".")[2] in FREE_TEXT:
            return NOT_XML.sub(" ", value)
        raise InvalidValue(path, "holds a control character, which an identifier or a code may not")
    if isinstance(value, list):
        cleaned = [_xml_safe(item, f"{path}[{index}]") for index, item in enumerate(value)]
        return value if all(a is b for a, b in zip(cleaned, value, strict=True)) else cleaned
    if isinstance(value, msgspec.Struct):
        changes = {}
        for name, wire in zip(value.__struct_fields__, value.__struct_encode_fields__, strict=True):
            before = getattr(value, name)
            after = _xml_safe(before, f"{path}.{wire}" if path else wire)
            if after is not before:
                changes[name] = after
        return msgspec.structs.replace(value, **changes) if changes else value
    return value
