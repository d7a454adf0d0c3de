"""PeppolDocument → Peppol BIS 3.0 UBL 2.1, element order as the UBL schema wants it."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal
from typing import cast

from lxml import etree

from adapters.ubl.namespaces import (
    CAC,
    CBC,
    CREDIT_NOTE_NS,
    CUSTOMIZATION_ID,
    INVOICE_NS,
    PROFILE_ID,
    cac,
    cbc,
)
from domain.peppol import (
    Address,
    AllowanceCharge,
    DocumentKind,
    Line,
    Party,
    PeppolDocument,
    Period,
    TaxRate,
    VatSubtotal,
    round_money,
)
from domain.peppol.money import ZERO

_VAT = "VAT"


def _amount(value: Decimal) -> str:
    # Adding zero turns -0.00 into 0.00.
    return format(round_money(value) + ZERO, "f")


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


class _Builder:
    """Appends child elements, leaving out what has no value (PEPPOL-EN16931-R008: no empty elements)."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    @staticmethod
    def add(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        element = etree.SubElement(parent, tag, attrs)
        if text is not None:
            element.text = text
        return element

    def text(self, parent: etree._Element, tag: str, value: str | None, **attrs: str) -> None:
        if value:
            self.add(parent, tag, value, **attrs)

    def date(self, parent: etree._Element, tag: str, value: date | None) -> None:
        if value is not None:
            self.add(parent, tag, value.isoformat())

    def money(self, parent: etree._Element, tag: str, value: Decimal, currency: str | None = None) -> None:
        self.add(parent, tag, _amount(value), currencyID=currency or self.currency)


def write_ubl(doc: PeppolDocument) -> bytes:
    """The UBL bytes (UTF-8, with declaration) of a document."""
    return serialize(build_ubl(doc))


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def build_ubl(doc: PeppolDocument) -> etree._Element:
    """The UBL tree of a document."""
    invoice = doc.kind is DocumentKind.INVOICE
    ns = INVOICE_NS if invoice else CREDIT_NOTE_NS
    nsmap = cast(dict[str, str], {None: ns, "cac": CAC, "cbc": CBC})
    root = etree.Element(f"{{{ns}}}{'Invoice' if invoice else 'CreditNote'}", nsmap=nsmap)
    b = _Builder(doc.currency)
    _header(b, root, doc, invoice)
    _references(b, root, doc)
    _party(b, b.add(root, cac("AccountingSupplierParty")), doc.seller)
    _party(b, b.add(root, cac("AccountingCustomerParty")), doc.buyer)
    _delivery_and_payment(b, root, doc, invoice)
    for item in doc.allowances_charges:
        element = _allowance_charge(b, root, item.adjustment)
        _tax_scheme(b, _tax_category(b, element, cac("TaxCategory"), item.tax_rate))
    _tax_total(b, root, doc)
    _monetary_total(b, root, doc)
    for line in doc.lines:
        _line(b, root, line, invoice)
    return root


def _header(b: _Builder, root: etree._Element, doc: PeppolDocument, invoice: bool) -> None:
    b.add(root, cbc("CustomizationID"), CUSTOMIZATION_ID)
    b.add(root, cbc("ProfileID"), PROFILE_ID)
    b.add(root, cbc("ID"), doc.number)
    b.date(root, cbc("IssueDate"), doc.issue_date)
    if invoice:
        b.date(root, cbc("DueDate"), doc.due_date)
    b.add(root, cbc("InvoiceTypeCode" if invoice else "CreditNoteTypeCode"), doc.type_code)
    b.text(root, cbc("Note"), doc.note)
    b.add(root, cbc("DocumentCurrencyCode"), doc.currency)
    if doc.tax_currency is not None:
        b.add(root, cbc("TaxCurrencyCode"), doc.tax_currency.currency)
    b.text(root, cbc("AccountingCost"), doc.accounting_cost)
    b.text(root, cbc("BuyerReference"), doc.buyer_reference)
    _period(b, root, doc.period)


def _references(b: _Builder, root: etree._Element, doc: PeppolDocument) -> None:
    if doc.order_reference:
        b.add(b.add(root, cac("OrderReference")), cbc("ID"), doc.order_reference)
    if doc.preceding_invoice is not None:
        ref = b.add(b.add(root, cac("BillingReference")), cac("InvoiceDocumentReference"))
        b.add(ref, cbc("ID"), doc.preceding_invoice.number)
        b.date(ref, cbc("IssueDate"), doc.preceding_invoice.issue_date)
    for attachment in doc.attachments:
        ref = b.add(root, cac("AdditionalDocumentReference"))
        b.add(ref, cbc("ID"), attachment.id)
        b.text(ref, cbc("DocumentDescription"), attachment.description)
        b.add(
            b.add(ref, cac("Attachment")),
            cbc("EmbeddedDocumentBinaryObject"),
            base64.b64encode(attachment.content).decode("ascii"),
            mimeCode=attachment.mime_code,
            filename=attachment.filename,
        )


def _delivery_and_payment(b: _Builder, root: etree._Element, doc: PeppolDocument, invoice: bool) -> None:
    if doc.delivery is not None:
        delivery = b.add(root, cac("Delivery"))
        b.date(delivery, cbc("ActualDeliveryDate"), doc.delivery.date)
        if doc.delivery.address is not None or doc.delivery.location_id:
            location = b.add(delivery, cac("DeliveryLocation"))
            b.text(location, cbc("ID"), doc.delivery.location_id)
            if doc.delivery.address is not None:
                _address(b, location, cac("Address"), doc.delivery.address)
    if doc.payment_means is not None:
        means = doc.payment_means
        element = b.add(root, cac("PaymentMeans"))
        b.add(element, cbc("PaymentMeansCode"), means.code)
        if not invoice:
            b.date(element, cbc("PaymentDueDate"), doc.due_date)
        b.text(element, cbc("PaymentID"), means.payment_id)
        if means.iban:
            account = b.add(element, cac("PayeeFinancialAccount"))
            b.add(account, cbc("ID"), means.iban)
            b.text(account, cbc("Name"), means.account_name)
            if means.bic:
                b.add(b.add(account, cac("FinancialInstitutionBranch")), cbc("ID"), means.bic)
    if doc.payment_terms:
        b.add(b.add(root, cac("PaymentTerms")), cbc("Note"), doc.payment_terms)


def _period(b: _Builder, parent: etree._Element, period: Period | None) -> None:
    if period is not None:
        element = b.add(parent, cac("InvoicePeriod"))
        b.date(element, cbc("StartDate"), period.start)
        b.date(element, cbc("EndDate"), period.end)


def _address(b: _Builder, parent: etree._Element, tag: str, address: Address) -> None:
    element = b.add(parent, tag)
    b.text(element, cbc("StreetName"), address.street)
    b.text(element, cbc("AdditionalStreetName"), address.additional_street)
    b.text(element, cbc("CityName"), address.city)
    b.text(element, cbc("PostalZone"), address.postal_code)
    b.text(element, cbc("CountrySubentity"), address.subdivision)
    b.add(b.add(element, cac("Country")), cbc("IdentificationCode"), address.country)


def _scheme(scheme: str | None) -> dict[str, str]:
    return {"schemeID": scheme} if scheme else {}


def _party(b: _Builder, parent: etree._Element, party: Party) -> None:
    element = b.add(parent, cac("Party"))
    b.add(element, cbc("EndpointID"), party.endpoint.value, schemeID=party.endpoint.scheme)
    for identifier in party.identifiers:
        b.add(
            b.add(element, cac("PartyIdentification")),
            cbc("ID"),
            identifier.value,
            **_scheme(identifier.scheme),
        )
    if party.trading_name:
        b.add(b.add(element, cac("PartyName")), cbc("Name"), party.trading_name)
    _address(b, element, cac("PostalAddress"), party.address)
    if party.vat_number:
        tax_scheme = b.add(element, cac("PartyTaxScheme"))
        b.add(tax_scheme, cbc("CompanyID"), party.vat_number)
        b.add(b.add(tax_scheme, cac("TaxScheme")), cbc("ID"), _VAT)
    legal = b.add(element, cac("PartyLegalEntity"))
    b.add(legal, cbc("RegistrationName"), party.name)
    if party.legal_id is not None:
        b.add(legal, cbc("CompanyID"), party.legal_id.value, **_scheme(party.legal_id.scheme))
    contact = party.contact
    if contact is not None and (contact.name or contact.phone or contact.email):
        element_contact = b.add(element, cac("Contact"))
        b.text(element_contact, cbc("Name"), contact.name)
        b.text(element_contact, cbc("Telephone"), contact.phone)
        b.text(element_contact, cbc("ElectronicMail"), contact.email)


def _allowance_charge(b: _Builder, parent: etree._Element, item: AllowanceCharge) -> etree._Element:
    element = b.add(parent, cac("AllowanceCharge"))
    b.add(element, cbc("ChargeIndicator"), "true" if item.is_charge else "false")
    b.text(element, cbc("AllowanceChargeReasonCode"), item.reason_code)
    b.text(element, cbc("AllowanceChargeReason"), item.reason)
    if item.percent is not None:
        b.add(element, cbc("MultiplierFactorNumeric"), _number(item.percent))
    b.money(element, cbc("Amount"), item.amount)
    if item.base_amount is not None:
        b.money(element, cbc("BaseAmount"), item.base_amount)
    return element


def _tax_category(b: _Builder, parent: etree._Element, tag: str, tax_rate: TaxRate) -> etree._Element:
    element = b.add(parent, tag)
    b.add(element, cbc("ID"), tax_rate.category.value)
    if tax_rate.rate is not None:
        b.add(element, cbc("Percent"), _number(tax_rate.rate))
    return element


def _tax_scheme(b: _Builder, category: etree._Element) -> None:
    b.add(b.add(category, cac("TaxScheme")), cbc("ID"), _VAT)


def _subtotal(b: _Builder, parent: etree._Element, row: VatSubtotal) -> None:
    element = b.add(parent, cac("TaxSubtotal"))
    b.money(element, cbc("TaxableAmount"), row.taxable)
    b.money(element, cbc("TaxAmount"), row.tax)
    category = _tax_category(b, element, cac("TaxCategory"), row.tax_rate)
    if row.exemption is not None:
        b.text(category, cbc("TaxExemptionReasonCode"), row.exemption.code)
        b.text(category, cbc("TaxExemptionReason"), row.exemption.reason)
    _tax_scheme(b, category)


def _tax_total(b: _Builder, root: etree._Element, doc: PeppolDocument) -> None:
    total = b.add(root, cac("TaxTotal"))
    b.money(total, cbc("TaxAmount"), doc.totals.tax)
    for row in doc.breakdown:
        _subtotal(b, total, row)
    if doc.tax_currency is not None:
        other = b.add(root, cac("TaxTotal"))
        b.money(other, cbc("TaxAmount"), doc.tax_currency.tax, doc.tax_currency.currency)


def _monetary_total(b: _Builder, root: etree._Element, doc: PeppolDocument) -> None:
    totals = doc.totals
    element = b.add(root, cac("LegalMonetaryTotal"))
    b.money(element, cbc("LineExtensionAmount"), totals.line_extension)
    b.money(element, cbc("TaxExclusiveAmount"), totals.tax_exclusive)
    b.money(element, cbc("TaxInclusiveAmount"), totals.tax_inclusive)
    b.money(element, cbc("AllowanceTotalAmount"), totals.allowance_total)
    b.money(element, cbc("ChargeTotalAmount"), totals.charge_total)
    if totals.prepaid:
        b.money(element, cbc("PrepaidAmount"), totals.prepaid)
    if totals.rounding:
        b.money(element, cbc("PayableRoundingAmount"), totals.rounding)
    b.money(element, cbc("PayableAmount"), totals.payable)


def _line(b: _Builder, root: etree._Element, line: Line, invoice: bool) -> None:
    element = b.add(root, cac("InvoiceLine" if invoice else "CreditNoteLine"))
    b.add(element, cbc("ID"), line.id)
    b.text(element, cbc("Note"), line.note)
    quantity_tag = cbc("InvoicedQuantity" if invoice else "CreditedQuantity")
    b.add(element, quantity_tag, _number(line.quantity), unitCode=line.unit_code)
    b.money(element, cbc("LineExtensionAmount"), line.net_amount)
    _period(b, element, line.period)
    if line.order_line_id:
        b.add(b.add(element, cac("OrderLineReference")), cbc("LineID"), line.order_line_id)
    for adjustment in line.adjustments:
        _allowance_charge(b, element, adjustment)
    item = b.add(element, cac("Item"))
    b.text(item, cbc("Description"), line.description)
    b.add(item, cbc("Name"), line.name)
    if line.seller_item_id:
        b.add(b.add(item, cac("SellersItemIdentification")), cbc("ID"), line.seller_item_id)
    if line.standard_item_id is not None:
        standard = b.add(item, cac("StandardItemIdentification"))
        b.add(standard, cbc("ID"), line.standard_item_id.value, **_scheme(line.standard_item_id.scheme))
    _tax_scheme(b, _tax_category(b, item, cac("ClassifiedTaxCategory"), line.tax_rate))
    price = b.add(element, cac("Price"))
    b.add(price, cbc("PriceAmount"), _number(line.price), currencyID=b.currency)
    if line.base_quantity is not None:
        b.add(price, cbc("BaseQuantity"), _number(line.base_quantity), unitCode=line.unit_code)
    if line.gross_price is not None:
        discount = b.add(price, cac("AllowanceCharge"))
        b.add(discount, cbc("ChargeIndicator"), "false")
        b.add(discount, cbc("Amount"), _number(line.gross_price - line.price), currencyID=b.currency)
        b.add(discount, cbc("BaseAmount"), _number(line.gross_price), currencyID=b.currency)
