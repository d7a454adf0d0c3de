"""The Banqup document (CONTRACTS §4) → PeppolDocument, checked against Banqup's own totals."""

from __future__ import annotations

import re
from decimal import Decimal

from adapters.banqup.document_json import (
    MAPPING_RULE,
    BanqupAddress,
    BanqupAllowanceCharge,
    BanqupDocument,
    BanqupLine,
    BanqupParty,
    BanqupPayment,
    BanqupTotals,
)
from application.errors import InvalidDocument, Violation
from domain.errors import InvalidValue
from domain.file_names import file_name_stem
from domain.identifiers import BelgianVatNumber, EnterpriseNumber, StructuredCommunication
from domain.peppol import (
    Address,
    AllowanceCharge,
    Attachment,
    Contact,
    Delivery,
    DocumentAllowanceCharge,
    DocumentKind,
    ElectronicAddress,
    Identifier,
    InvoiceReference,
    Line,
    Party,
    PaymentMeans,
    PeppolDocument,
    Period,
    TaxRate,
    Totals,
    VatCategory,
    VatExemption,
    round_money,
)
from domain.peppol.parties import BELGIAN_ENTERPRISE_SCHEME, BELGIAN_VAT_SCHEME

TOTALS_RULE = "OCTOBRIDGE-TOTALS"
TOLERANCE = Decimal("0.01")

# The EAS scheme of each country's VAT number, for a party known by nothing else (CONTRACTS §4).
VAT_SCHEMES = {
    "AD": "9922", "AL": "9923", "AT": "9914", "BA": "9924", "BE": BELGIAN_VAT_SCHEME, "BG": "9926",
    "CH": "9927", "CY": "9928", "CZ": "9929", "DE": "9930", "EE": "9931", "ES": "9920", "FR": "9957",
    "GB": "9932", "GR": "9933", "HR": "9934", "HU": "9910", "IE": "9935", "IT": "0211", "LI": "9936",
    "LT": "9937", "LU": "9938", "LV": "9939", "MC": "9940", "ME": "9941", "MK": "9942", "MT": "9943",
    "NL": "9944", "PL": "9945", "PT": "9946", "RO": "9947", "RS": "9948", "SI": "9949", "SK": "9950",
    "SM": "9951", "TR": "9952", "VA": "9953",
}  # fmt: skip

# Categories whose exemption is fixed by the category itself (VATEX, PEPPOL-EN16931-P0104…P0107).
DEFAULT_EXEMPTIONS = {
    VatCategory.REVERSE_CHARGE: ("VATEX-EU-AE", "Reverse charge"),
    VatCategory.INTRA_COMMUNITY: ("VATEX-EU-IC", "Intra-Community supply"),
    VatCategory.EXPORT: ("VATEX-EU-G", "Export outside the EU"),
    VatCategory.NOT_SUBJECT: ("VATEX-EU-O", "Not subject to VAT"),
}
DISCOUNT_CODE = "95"  # UNCL 5189: discount
OTHER_CHARGE_CODE = "ZZZ"  # UNCL 7161: mutually defined


def banqup_to_peppol(source: BanqupDocument, pdf: bytes | None = None) -> PeppolDocument:
    """The Peppol document saying what the Banqup document says.

    Raises `InvalidDocument` when a value breaks a rule (the field is named) or when Banqup's totals
    differ from the computed ones by more than a cent (both figures are named).
    """
    try:
        doc = _document(source, pdf)
    except InvalidValue as exc:
        violation = Violation(MAPPING_RULE, True, f"{exc.field}: {exc.message}", exc.field)
        raise InvalidDocument(
            f"the Banqup document cannot be made into Peppol UBL: {exc}", (violation,)
        ) from exc
    _check_totals(source.totals, doc.totals)
    return doc


class _in:  # noqa: N801 - reads as a preposition: `with _in("seller"): ...`
    """Prefixes the field of an `InvalidValue` raised inside with where in the document it happened."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, InvalidValue) and not exc.field.startswith(self.prefix):
            raise InvalidValue(f"{self.prefix}.{exc.field}", exc.message) from exc


def _document(source: BanqupDocument, pdf: bytes | None) -> PeppolDocument:
    kind = DocumentKind.INVOICE if source.document_category == "INVOICE" else DocumentKind.CREDIT_NOTE
    with _in("seller"):
        seller = _party(source.seller)
    with _in("buyer"):
        buyer = _party(source.buyer)
    lines = []
    for index, line in enumerate(source.lines):
        with _in(f"lines[{index}]"):
            lines.append(_line(line))
    adjustments = []
    for field, items, is_charge in (
        ("allowances", source.allowances, False),
        ("charges", source.charges, True),
    ):
        for index, item in enumerate(items):
            with _in(f"{field}[{index}]"):
                adjustments.append(_allowance_charge(item, is_charge))
    period = source.invoice_period
    delivery = source.delivery
    return PeppolDocument(
        kind=kind,
        number=source.number,
        issue_date=source.issue_date,
        currency=source.currency,
        seller=seller,
        buyer=buyer,
        lines=tuple(lines),
        due_date=source.due_date,
        note=source.note or None,
        buyer_reference=_buyer_reference(source),
        order_reference=source.order_reference or None,
        preceding_invoice=(
            InvoiceReference(source.preceding_invoice.number, source.preceding_invoice.issue_date)
            if source.preceding_invoice
            else None
        ),
        period=Period(period.start, period.end) if period and (period.start or period.end) else None,
        delivery=(
            Delivery(delivery.date, _address(delivery.address) if delivery.address else None)
            if delivery and (delivery.date or delivery.address)
            else None
        ),
        payment_means=_payment(source.payment) if source.payment else None,
        payment_terms=source.payment.terms or None if source.payment else None,
        allowances_charges=tuple(adjustments),
        exemptions=_exemptions(source),
        attachments=(pdf_attachment(source.number, pdf),) if pdf else (),
        prepaid=round_money(source.totals.prepaid),
    )


def _address(address: BanqupAddress) -> Address:
    return Address(
        country=address.country.strip().upper(),
        street=address.street or None,
        city=address.city or None,
        postal_code=address.postal_code or None,
    )


def _vat_number(raw: str, country: str) -> str:
    text = re.sub(r"[\s.\-/]", "", raw).upper()
    if country == "BE" and text[:1].isdigit():
        text = "BE" + text
    if text.startswith("BE"):
        try:
            return str(BelgianVatNumber.parse(text))
        except InvalidValue as exc:
            raise InvalidValue("vatNumber", exc.message) from exc
    return text


def _party(party: BanqupParty) -> Party:
    address = _address(party.address)
    vat_number = _vat_number(party.vat_number, address.country) if party.vat_number else None
    belgian = address.country == "BE" or bool(vat_number and vat_number.startswith("BE"))
    legal_id = None
    if party.company_number:
        if belgian:
            legal_id = Identifier(
                EnterpriseNumber.parse(party.company_number).digits, BELGIAN_ENTERPRISE_SCHEME
            )
        else:
            legal_id = Identifier(party.company_number.strip())
    contact = party.contact
    return Party(
        name=party.name.strip(),
        endpoint=_endpoint(party.peppol_id, legal_id, vat_number, address.country),
        address=address,
        vat_number=vat_number,
        legal_id=legal_id,
        contact=Contact(contact.name or None, contact.phone or None, contact.email or None)
        if contact
        else None,
    )


def _endpoint(
    peppol_id: str | None, legal_id: Identifier | None, vat_number: str | None, country: str
) -> ElectronicAddress:
    """`peppolId`, else the Belgian enterprise number under 0208, else the VAT number under its scheme."""
    if peppol_id:
        address = ElectronicAddress.parse(peppol_id)
        if address.scheme == BELGIAN_ENTERPRISE_SCHEME:
            return ElectronicAddress(address.scheme, EnterpriseNumber.parse(address.value).digits)
        if address.scheme == BELGIAN_VAT_SCHEME:
            return ElectronicAddress(address.scheme, _vat_number(address.value, "BE"))
        return address
    if legal_id is not None and legal_id.scheme == BELGIAN_ENTERPRISE_SCHEME:
        return ElectronicAddress(BELGIAN_ENTERPRISE_SCHEME, legal_id.value)
    if vat_number:
        scheme = VAT_SCHEMES.get(vat_number[:2].replace("EL", "GR"))
        if scheme:
            return ElectronicAddress(scheme, vat_number)
    raise InvalidValue(
        "peppolId", f"no electronic address: give a peppolId (no VAT scheme known for {country})"
    )


def _tax_rate(category: str, rate: Decimal | None) -> TaxRate:
    try:
        vat_category = VatCategory(category.strip().upper())
    except ValueError as exc:
        raise InvalidValue("vatCategory", "is not one of S, Z, E, AE, K, G, O, L, M") from exc
    if not vat_category.has_rate and rate is not None and rate == 0:
        rate = None
    return TaxRate(vat_category, rate)


def _line(line: BanqupLine) -> Line:
    quantity, price = line.quantity, line.unit_price
    if price < 0:  # BR-27: the price stays positive, the quantity carries the sign
        quantity, price = -quantity, -price
    adjustments: tuple[AllowanceCharge, ...] = ()
    if line.allowance is not None and line.allowance.amount:
        reason = line.allowance.reason or None
        adjustments = (
            AllowanceCharge(
                is_charge=False,
                amount=round_money(line.allowance.amount),
                reason=reason,
                reason_code=None if reason else DISCOUNT_CODE,
            ),
        )
    return Line(
        id=line.id,
        name=line.name.strip(),
        quantity=quantity,
        unit_code=line.unit_code,
        price=price,
        tax_rate=_tax_rate(line.vat_category, line.vat_rate),
        description=line.description or None,
        adjustments=adjustments,
    )


def _allowance_charge(item: BanqupAllowanceCharge, is_charge: bool) -> DocumentAllowanceCharge:
    reason = item.reason or None
    adjustment = AllowanceCharge(
        is_charge=is_charge,
        amount=round_money(item.amount),
        reason=reason,
        reason_code=None if reason else (OTHER_CHARGE_CODE if is_charge else DISCOUNT_CODE),
    )
    return DocumentAllowanceCharge(adjustment, _tax_rate(item.vat_category, item.vat_rate))


def _exemptions(source: BanqupDocument) -> tuple[VatExemption, ...]:
    """Per category needing one: Banqup's reason, with the VATEX code the category implies."""
    reasons: dict[VatCategory, str | None] = {}
    used = [(line.vat_category, line.exemption_reason) for line in source.lines]
    used += [(item.vat_category, None) for item in (*source.allowances, *source.charges)]
    for raw, reason in used:
        category = VatCategory(raw.strip().upper())
        if category.needs_exemption_reason and not reasons.get(category):
            reasons[category] = reason or None
    exemptions = []
    for category, reason in reasons.items():
        code, default_reason = DEFAULT_EXEMPTIONS.get(category, (None, None))
        if not (reason or code):
            raise InvalidValue(
                f"{_first_use(source, category)}.exemptionReason", f"category {category} needs the reason"
            )
        exemptions.append(VatExemption(category, reason or default_reason, code))
    return tuple(exemptions)


def _first_use(source: BanqupDocument, category: VatCategory) -> str:
    for index, line in enumerate(source.lines):
        if line.vat_category.strip().upper() == category:
            return f"lines[{index}]"
    return "allowances"


def _payment(payment: BanqupPayment) -> PaymentMeans:
    payment_id = None
    if payment.structured_reference:
        with _in("payment"):
            payment_id = str(StructuredCommunication.parse(payment.structured_reference))
    return PaymentMeans(
        code=payment.means_code,
        iban=re.sub(r"\s", "", payment.iban).upper() if payment.iban else None,
        bic=payment.bic.strip().upper() if payment.bic else None,
        payment_id=payment_id,
    )


def pdf_attachment(number: str, pdf: bytes) -> Attachment:
    """The document's PDF as an attachment named after its number, made file-name safe."""
    return Attachment(
        id=number, filename=f"{file_name_stem(number)}.pdf", mime_code="application/pdf", content=pdf
    )


def _check_totals(stated: BanqupTotals, computed: Totals) -> None:
    pairs = {
        "lineExtension": (stated.line_extension, computed.line_extension),
        "allowanceTotal": (stated.allowance_total, computed.allowance_total),
        "chargeTotal": (stated.charge_total, computed.charge_total),
        "taxExclusive": (stated.tax_exclusive, computed.tax_exclusive),
        "tax": (stated.tax, computed.tax),
        "taxInclusive": (stated.tax_inclusive, computed.tax_inclusive),
        "payable": (stated.payable, computed.payable),
    }
    violations = tuple(
        Violation(
            TOTALS_RULE,
            True,
            f"totals.{name}: Banqup says {theirs}, computed from the lines {ours}",
            f"totals.{name}",
        )
        for name, (theirs, ours) in pairs.items()
        if abs(theirs - ours) > TOLERANCE
    )
    if violations:
        raise InvalidDocument("Banqup's totals differ from the ones computed from the lines", violations)


def _buyer_reference(source: BanqupDocument) -> str | None:
    """Peppol needs a buyer reference or an order reference (PEPPOL-EN16931-R003); many purchase
    invoices carry neither. Then the document number stands in: it routes nothing in Octopus, and a
    document that would otherwise be refused reaches the dossier."""
    if source.buyer_reference:
        return source.buyer_reference
    return None if source.order_reference else source.number
