"""UBL 2.1 Invoice or CreditNote → PeppolDocument, so a document Banqup holds as UBL can be normalised.

What the semantic model holds is read; the rest (item properties, classifications, external document
links) is left behind. The document's own totals are compared with the recomputed ones.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from adapters.ubl.namespaces import CREDIT_NOTE_TAG, NSMAP, cac, cbc
from application.errors import InvalidDocument, Violation
from domain.errors import InvalidValue
from domain.file_names import file_name_stem
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
    TaxCurrencyTotal,
    TaxRate,
    VatCategory,
    VatExemption,
)
from domain.peppol.money import ZERO

READER_RULE = "OCTOBRIDGE-UBL"
TOLERANCE = Decimal("0.01")


class _MissingError(Exception):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def _opt(element: etree._Element, path: str) -> str | None:
    found = element.find(path, NSMAP)
    if found is None:
        return None
    value = " ".join("".join(str(t) for t in found.itertext()).split())
    return value or None


def _req(element: etree._Element, path: str) -> str:
    value = _opt(element, path)
    if value is None:
        raise _MissingError(path)
    return value


def _decimal(value: str | None, where: str) -> Decimal:
    try:
        number = Decimal(value or "")
    except InvalidOperation as exc:
        raise InvalidValue(where, "is not a number") from exc
    if not number.is_finite():
        raise InvalidValue(where, "is not a number")
    return number


def _opt_decimal(element: etree._Element, path: str) -> Decimal | None:
    value = _opt(element, path)
    return None if value is None else _decimal(value, path)


def _date(value: str | None, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidValue(where, "is not a date YYYY-MM-DD") from exc


def read_ubl(root: etree._Element) -> PeppolDocument:
    """Raises `InvalidDocument` when something the model needs is missing, broken, or does not add up."""
    try:
        doc = _document(root)
    except _MissingError as exc:
        raise _invalid(f"{exc.path} is missing", exc.path) from exc
    except InvalidValue as exc:
        raise _invalid(f"{exc.field}: {exc.message}", exc.field) from exc
    _compare_totals(root, doc)
    return doc


def _invalid(message: str, location: str) -> InvalidDocument:
    return InvalidDocument(
        f"the UBL cannot be read as a Peppol document: {message}",
        (Violation(READER_RULE, True, message, location),),
    )


def _document(root: etree._Element) -> PeppolDocument:
    credit_note = root.tag == CREDIT_NOTE_TAG
    kind = DocumentKind.CREDIT_NOTE if credit_note else DocumentKind.INVOICE
    line_tag = "CreditNoteLine" if credit_note else "InvoiceLine"
    means = root.find(cac("PaymentMeans"))
    due = (
        _opt(means, "cbc:PaymentDueDate") if credit_note and means is not None else _opt(root, "cbc:DueDate")
    )
    notes = [" ".join("".join(str(t) for t in n.itertext()).split()) for n in root.findall(cbc("Note"))]
    tax_totals = root.findall(cac("TaxTotal"))
    currency = _req(root, "cbc:DocumentCurrencyCode")
    return PeppolDocument(
        kind=kind,
        number=_req(root, "cbc:ID"),
        issue_date=_date(_req(root, "cbc:IssueDate"), "IssueDate") or date.min,
        currency=currency,
        type_code=_req(root, "cbc:CreditNoteTypeCode" if credit_note else "cbc:InvoiceTypeCode"),
        seller=_party(root, "AccountingSupplierParty"),
        buyer=_party(root, "AccountingCustomerParty"),
        lines=tuple(_line(element, credit_note) for element in root.findall(cac(line_tag))),
        due_date=_date(due, "DueDate"),
        note="\n".join(n for n in notes if n) or None,
        buyer_reference=_opt(root, "cbc:BuyerReference"),
        order_reference=_opt(root, "cac:OrderReference/cbc:ID"),
        accounting_cost=_opt(root, "cbc:AccountingCost"),
        preceding_invoice=_preceding(root),
        period=_period(root.find(cac("InvoicePeriod"))),
        delivery=_delivery(root.find(cac("Delivery"))),
        payment_means=_payment(means) if means is not None else None,
        payment_terms=_opt(root, "cac:PaymentTerms/cbc:Note"),
        allowances_charges=tuple(_document_allowance_charge(e) for e in root.findall(cac("AllowanceCharge"))),
        exemptions=_exemptions(tax_totals),
        attachments=_attachments(root),
        prepaid=_opt_decimal(root, "cac:LegalMonetaryTotal/cbc:PrepaidAmount") or ZERO,
        rounding=_opt_decimal(root, "cac:LegalMonetaryTotal/cbc:PayableRoundingAmount") or ZERO,
        tax_currency=_tax_currency(root, tax_totals, currency),
    )


def _address(element: etree._Element | None) -> Address | None:
    if element is None:
        return None
    return Address(
        country=_req(element, "cac:Country/cbc:IdentificationCode"),
        street=_opt(element, "cbc:StreetName"),
        additional_street=_opt(element, "cbc:AdditionalStreetName"),
        city=_opt(element, "cbc:CityName"),
        postal_code=_opt(element, "cbc:PostalZone"),
        subdivision=_opt(element, "cbc:CountrySubentity"),
    )


def _identifier(element: etree._Element | None) -> Identifier | None:
    if element is None or not (element.text or "").strip():
        return None
    return Identifier(element.text.strip(), element.get("schemeID"))  # type: ignore[union-attr]


def _party(root: etree._Element, role: str) -> Party:
    party = root.find(f"cac:{role}/cac:Party", NSMAP)
    if party is None:
        raise _MissingError(f"{role}/Party")
    endpoint = party.find(cbc("EndpointID"))
    if endpoint is None or not endpoint.get("schemeID"):
        raise _MissingError(f"{role}/Party/EndpointID")
    vat_number = None
    for tax_scheme in party.findall(cac("PartyTaxScheme")):
        if _opt(tax_scheme, "cac:TaxScheme/cbc:ID") == "VAT":
            vat_number = _opt(tax_scheme, "cbc:CompanyID")
    address = _address(party.find(cac("PostalAddress")))
    if address is None:
        raise _MissingError(f"{role}/Party/PostalAddress")
    contact = party.find(cac("Contact"))
    identifiers = (_identifier(e.find(cbc("ID"))) for e in party.findall(cac("PartyIdentification")))
    return Party(
        name=_req(party, "cac:PartyLegalEntity/cbc:RegistrationName"),
        endpoint=ElectronicAddress(str(endpoint.get("schemeID")), (endpoint.text or "").strip()),
        address=address,
        vat_number=vat_number,
        legal_id=_identifier(party.find("cac:PartyLegalEntity/cbc:CompanyID", NSMAP)),
        trading_name=_opt(party, "cac:PartyName/cbc:Name"),
        identifiers=tuple(i for i in identifiers if i is not None),
        contact=(
            Contact(
                _opt(contact, "cbc:Name"), _opt(contact, "cbc:Telephone"), _opt(contact, "cbc:ElectronicMail")
            )
            if contact is not None
            else None
        ),
    )


def _preceding(root: etree._Element) -> InvoiceReference | None:
    reference = root.find("cac:BillingReference/cac:InvoiceDocumentReference", NSMAP)
    if reference is None:
        return None
    return InvoiceReference(
        _req(reference, "cbc:ID"), _date(_opt(reference, "cbc:IssueDate"), "BillingReference/IssueDate")
    )


def _period(element: etree._Element | None) -> Period | None:
    if element is None:
        return None
    start = _date(_opt(element, "cbc:StartDate"), "InvoicePeriod/StartDate")
    end = _date(_opt(element, "cbc:EndDate"), "InvoicePeriod/EndDate")
    return Period(start, end) if start or end else None


def _delivery(element: etree._Element | None) -> Delivery | None:
    if element is None:
        return None
    location = element.find(cac("DeliveryLocation"))
    delivery = Delivery(
        date=_date(_opt(element, "cbc:ActualDeliveryDate"), "Delivery/ActualDeliveryDate"),
        address=_address(location.find(cac("Address"))) if location is not None else None,
        location_id=_opt(location, "cbc:ID") if location is not None else None,
    )
    return delivery if delivery.date or delivery.address or delivery.location_id else None


def _payment(element: etree._Element) -> PaymentMeans:
    return PaymentMeans(
        code=_req(element, "cbc:PaymentMeansCode"),
        iban=_opt(element, "cac:PayeeFinancialAccount/cbc:ID"),
        bic=_opt(element, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
        account_name=_opt(element, "cac:PayeeFinancialAccount/cbc:Name"),
        payment_id=_opt(element, "cbc:PaymentID"),
    )


def _tax_rate(element: etree._Element | None, where: str) -> TaxRate:
    if element is None:
        raise _MissingError(where)
    try:
        category = VatCategory(_req(element, "cbc:ID"))
    except ValueError as exc:
        raise InvalidValue(f"{where}/ID", "is not a VAT category Peppol allows") from exc
    return TaxRate(category, _opt_decimal(element, "cbc:Percent") if category.has_rate else None)


def _adjustment(element: etree._Element) -> AllowanceCharge:
    return AllowanceCharge(
        is_charge=_req(element, "cbc:ChargeIndicator") == "true",
        amount=_decimal(_req(element, "cbc:Amount"), "AllowanceCharge/Amount"),
        reason=_opt(element, "cbc:AllowanceChargeReason"),
        reason_code=_opt(element, "cbc:AllowanceChargeReasonCode"),
        base_amount=_opt_decimal(element, "cbc:BaseAmount"),
        percent=_opt_decimal(element, "cbc:MultiplierFactorNumeric"),
    )


def _document_allowance_charge(element: etree._Element) -> DocumentAllowanceCharge:
    return DocumentAllowanceCharge(
        _adjustment(element), _tax_rate(element.find(cac("TaxCategory")), "AllowanceCharge/TaxCategory")
    )


def _line(element: etree._Element, credit_note: bool) -> Line:
    price = element.find(cac("Price"))
    if price is None:
        raise _MissingError("InvoiceLine/Price")
    discount = price.find(cac("AllowanceCharge"))
    gross = _opt_decimal(discount, "cbc:BaseAmount") if discount is not None else None
    item = element.find(cac("Item"))
    if item is None:
        raise _MissingError("InvoiceLine/Item")
    quantity = element.find(cbc("CreditedQuantity" if credit_note else "InvoicedQuantity"))
    if quantity is None:
        raise _MissingError("InvoiceLine/InvoicedQuantity")
    return Line(
        id=_req(element, "cbc:ID"),
        name=_req(item, "cbc:Name"),
        quantity=_decimal(quantity.text, "InvoicedQuantity"),
        unit_code=quantity.get("unitCode") or "C62",
        price=_decimal(_req(price, "cbc:PriceAmount"), "Price/PriceAmount"),
        tax_rate=_tax_rate(item.find(cac("ClassifiedTaxCategory")), "Item/ClassifiedTaxCategory"),
        description=_opt(item, "cbc:Description"),
        base_quantity=_opt_decimal(price, "cbc:BaseQuantity"),
        gross_price=gross,
        adjustments=tuple(_adjustment(e) for e in element.findall(cac("AllowanceCharge"))),
        seller_item_id=_opt(item, "cac:SellersItemIdentification/cbc:ID"),
        standard_item_id=_identifier(item.find("cac:StandardItemIdentification/cbc:ID", NSMAP)),
        order_line_id=_opt(element, "cac:OrderLineReference/cbc:LineID"),
        note=_opt(element, "cbc:Note"),
        period=_period(element.find(cac("InvoicePeriod"))),
    )


def _exemptions(tax_totals: list[etree._Element]) -> tuple[VatExemption, ...]:
    exemptions: dict[VatCategory, VatExemption] = {}
    for total in tax_totals:
        for category in total.findall("cac:TaxSubtotal/cac:TaxCategory", NSMAP):
            try:
                code = VatCategory(_req(category, "cbc:ID"))
            except ValueError as exc:
                raise InvalidValue(
                    "TaxSubtotal/TaxCategory/ID", "is not a VAT category Peppol allows"
                ) from exc
            reason, reason_code = (
                _opt(category, "cbc:TaxExemptionReason"),
                _opt(category, "cbc:TaxExemptionReasonCode"),
            )
            if code.needs_exemption_reason and code not in exemptions and (reason or reason_code):
                exemptions[code] = VatExemption(code, reason, reason_code)
    return tuple(exemptions.values())


def _tax_currency(
    root: etree._Element, tax_totals: list[etree._Element], currency: str
) -> TaxCurrencyTotal | None:
    code = _opt(root, "cbc:TaxCurrencyCode")
    if code is None or code == currency:
        return None
    for total in tax_totals:
        amount = total.find(cbc("TaxAmount"))
        if amount is not None and amount.get("currencyID") == code:
            return TaxCurrencyTotal(code, _decimal(amount.text, "TaxTotal/TaxAmount"))
    raise _MissingError("TaxTotal/TaxAmount in the tax currency")


def _attachments(root: etree._Element) -> tuple[Attachment, ...]:
    attachments = []
    for reference in root.findall(cac("AdditionalDocumentReference")):
        binary = reference.find("cac:Attachment/cbc:EmbeddedDocumentBinaryObject", NSMAP)
        if binary is None:
            continue
        try:
            content = base64.b64decode("".join((binary.text or "").split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidValue("EmbeddedDocumentBinaryObject", "is not base64") from exc
        attachments.append(
            Attachment(
                id=_req(reference, "cbc:ID"),
                filename=_file_name(binary.get("filename")),
                mime_code=binary.get("mimeCode") or "",
                content=content,
                description=_opt(reference, "cbc:DocumentDescription"),
            )
        )
    return tuple(attachments)


def _file_name(name: str | None) -> str:
    """An embedded file's name made file-name safe, its extension kept: `../../x.pdf` → `x.pdf`."""
    if not name:
        return ""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        return file_name_stem(name)
    return f"{file_name_stem(stem)}.{file_name_stem(extension, fallback='bin')}"


def _compare_totals(root: etree._Element, doc: PeppolDocument) -> None:
    totals = doc.totals
    stated = {
        "LineExtensionAmount": totals.line_extension,
        "TaxExclusiveAmount": totals.tax_exclusive,
        "TaxInclusiveAmount": totals.tax_inclusive,
        "AllowanceTotalAmount": totals.allowance_total,
        "ChargeTotalAmount": totals.charge_total,
        "PayableAmount": totals.payable,
    }
    violations = []
    for name, computed in stated.items():
        value = _opt(root, f"cac:LegalMonetaryTotal/cbc:{name}")
        theirs = _decimal(value, name) if value is not None else ZERO
        if abs(theirs - computed) > TOLERANCE:
            message = f"{name}: the document says {theirs}, its lines give {computed}"
            violations.append(Violation(READER_RULE, True, message, f"LegalMonetaryTotal/{name}"))
    if violations:
        raise InvalidDocument("the UBL's totals differ from the ones its lines give", tuple(violations))
