"""The Peppol BIS Billing 3.0 rules (PEPPOL-EN16931-*, PEPPOL-COMMON-*) for UBL invoices and credit notes.

Written from the rule texts of release 3.0.19 and checked against its official unit tests. The national
rules (NO-, DK-, SE-, GR-, IS-, NL-, DE-) are not included; an operator who needs them configures the
official XSLT.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from lxml import etree

from adapters.ubl.namespaces import CREDIT_NOTE_TAG, CUSTOMIZATION_ID, INVOICE_TAG
from adapters.ubl.peppol_rules import codes, identifiers
from adapters.ubl.peppol_rules.engine import (
    Inspection,
    cac,
    cbc,
    decimal,
    fatal,
    first_children,
    on,
    on_root,
    string_value,
    text,
    warning,
)

R001 = fatal("PEPPOL-EN16931-R001", "Business process MUST be provided.")
R002 = fatal(
    "PEPPOL-EN16931-R002",
    "No more than one note is allowed on document level, unless both the buyer and seller are German "
    "organizations.",
)
R003 = fatal("PEPPOL-EN16931-R003", "A buyer reference or purchase order reference MUST be provided.")
R004 = fatal("PEPPOL-EN16931-R004", f"Specification identifier MUST have the value '{CUSTOMIZATION_ID}'.")
R005 = fatal(
    "PEPPOL-EN16931-R005",
    "VAT accounting currency code MUST be different from invoice currency code when provided.",
)
R006 = fatal("PEPPOL-EN16931-R006", "Only one invoiced object is allowed on document level.")
R007 = fatal(
    "PEPPOL-EN16931-R007",
    "Business process MUST be in the format 'urn:fdc:peppol.eu:2017:poacc:billing:NN:1.0' where NN indicates "
    "the process number.",
)
R008 = fatal("PEPPOL-EN16931-R008", "Document MUST not contain empty elements.")
R010 = fatal("PEPPOL-EN16931-R010", "Buyer electronic address MUST be provided.")
R020 = fatal("PEPPOL-EN16931-R020", "Seller electronic address MUST be provided.")
R040 = fatal(
    "PEPPOL-EN16931-R040",
    "Allowance/charge amount must equal base amount * percentage/100 if base amount and percentage exists.",
)
R041 = fatal(
    "PEPPOL-EN16931-R041",
    "Allowance/charge base amount MUST be provided when allowance/charge percentage is provided.",
)
R042 = fatal(
    "PEPPOL-EN16931-R042",
    "Allowance/charge percentage MUST be provided when allowance/charge base amount is provided.",
)
R043 = fatal("PEPPOL-EN16931-R043", "Allowance/charge ChargeIndicator value MUST equal 'true' or 'false'.")
R044 = fatal("PEPPOL-EN16931-R044", "Charge on price level is NOT allowed. Only value 'false' allowed.")
R046 = fatal(
    "PEPPOL-EN16931-R046",
    "Item net price MUST equal (Gross price - Allowance amount) when gross price is provided.",
)
R051 = fatal(
    "PEPPOL-EN16931-R051",
    "All currencyID attributes must have the same value as the invoice currency code (BT-5), except for the "
    "invoice total VAT amount in accounting currency (BT-111).",
)
R053 = fatal("PEPPOL-EN16931-R053", "Only one tax total with tax subtotals MUST be provided.")
R054 = fatal(
    "PEPPOL-EN16931-R054",
    "Only one tax total without tax subtotals MUST be provided when tax currency code is provided.",
)
R055 = fatal(
    "PEPPOL-EN16931-R055",
    "Invoice total VAT amount and Invoice total VAT amount in accounting currency MUST have the same "
    "operational sign.",
)
R061 = fatal("PEPPOL-EN16931-R061", "Mandate reference MUST be provided for direct debit.")
R080 = fatal("PEPPOL-EN16931-R080", "Only one project reference is allowed on document level.")
R100 = fatal("PEPPOL-EN16931-R100", "Only one invoiced object is allowed pr line.")
R101 = fatal("PEPPOL-EN16931-R101", "Element Document reference can only be used for Invoice line object.")
R110 = fatal("PEPPOL-EN16931-R110", "Start date of line period MUST be within invoice period.")
R111 = fatal("PEPPOL-EN16931-R111", "End date of line period MUST be within invoice period.")
R120 = fatal(
    "PEPPOL-EN16931-R120",
    "Invoice line net amount MUST equal (Invoiced quantity * (Item net price/item price base quantity) + Sum "
    "of invoice line charge amount - sum of invoice line allowance amount.",
)
R121 = fatal("PEPPOL-EN16931-R121", "Base quantity MUST be a positive number above zero.")
R130 = fatal("PEPPOL-EN16931-R130", "Unit code of price base quantity MUST be same as invoiced quantity.")
CL001 = fatal("PEPPOL-EN16931-CL001", "Mime code must be according to subset of IANA code list.")
CL002 = fatal("PEPPOL-EN16931-CL002", "Reason code MUST be according to subset of UNCL 5189 D.16B.")
CL003 = fatal("PEPPOL-EN16931-CL003", "Reason code MUST be according to UNCL 7161 D.16B.")
CL006 = fatal("PEPPOL-EN16931-CL006", "Invoice period description code must be according to UNCL 2005 D.16B.")
CL007 = fatal("PEPPOL-EN16931-CL007", "Currency code must be according to ISO 4217:2005")
CL008 = fatal(
    "PEPPOL-EN16931-CL008",
    'Electronic address identifier scheme must be from the codelist "Electronic Address Identifier Scheme"',
)
F001 = fatal("PEPPOL-EN16931-F001", "A date MUST be formatted YYYY-MM-DD.")
P0100 = fatal("PEPPOL-EN16931-P0100", "Invoice type code MUST be set according to the profile.")
P0101 = fatal("PEPPOL-EN16931-P0101", "Credit note type code MUST be set according to the profile.")
P0112 = fatal(
    "PEPPOL-EN16931-P0112",
    "Invoice type code 326 or 384 are only allowed when both buyer and seller are German organizations",
)

_SLACK = Decimal("0.02")
_ROOTS = (INVOICE_TAG, CREDIT_NOTE_TAG)
_LINES = (cac("InvoiceLine"), cac("CreditNoteLine"))
_VAT_ID_PATH = f"{cac('PartyTaxScheme')}/{cbc('CompanyID')}"


def _within(value: Decimal, expected: Decimal, slack: Decimal) -> bool:
    return value - slack <= expected <= value + slack


def _is_root(element: etree._Element | None) -> bool:
    return element is not None and element.tag in _ROOTS


# Document level ---------------------------------------------------------------------------------------


@on_root
def document(root: etree._Element, doc: Inspection) -> None:
    top = doc.root_children
    doc.expect(R001, cbc("ProfileID") in top, root)
    doc.expect(R007, doc.profile != "Unknown", root)
    notes = root.findall(cbc("Note"))
    doc.expect(R002, len(notes) <= 1 or (doc.supplier_country == "DE" and doc.customer_country == "DE"), root)
    has_order = root.find(f"{cac('OrderReference')}/{cbc('ID')}") is not None
    doc.expect(R003, cbc("BuyerReference") in top or has_order, root)
    doc.expect(R004, text(top.get(cbc("CustomizationID"))).startswith(CUSTOMIZATION_ID), root)
    tax_currency = top.get(cbc("TaxCurrencyCode"))
    doc.expect(R005, tax_currency is None or text(tax_currency) != doc.currency, root)
    references = [
        text(ref.find(cbc("DocumentTypeCode"))) for ref in root.findall(cac("AdditionalDocumentReference"))
    ]
    doc.expect(R006, references.count("130") <= 1, root)
    doc.expect(R080, references.count("50") <= 1, root)
    totals = root.findall(cac("TaxTotal"))
    with_subtotals = [t for t in totals if t.find(cac("TaxSubtotal")) is not None]
    without_subtotals = [t for t in totals if t.find(cac("TaxSubtotal")) is None]
    doc.expect(R053, len(with_subtotals) == 1, root)
    doc.expect(R054, len(without_subtotals) == (1 if tax_currency is not None else 0), root)
    if tax_currency is not None:
        doc.expect(R055, _same_sign(totals, text(tax_currency), doc.currency), root)


def _same_sign(totals: list[etree._Element], tax_currency: str, currency: str) -> bool:
    def amounts(code: str) -> list[Decimal]:
        values = []
        for total in totals:
            amount = total.find(cbc("TaxAmount"))
            value = decimal(amount)
            if amount is not None and value is not None and amount.get("currencyID") == code:
                values.append(value)
        return values

    in_tax, in_document = amounts(tax_currency), amounts(currency)
    negative = all(a <= 0 for a in in_tax) and all(a <= 0 for a in in_document)
    return negative or (all(a >= 0 for a in in_tax) and all(a >= 0 for a in in_document))


_XML_SPACE = " \t\r\n"  # what `normalize-space()` removes


@on_root
def no_empty_elements(root: etree._Element, doc: Inspection) -> None:
    """The official context, `//*[not(*) and not(normalize-space())]`, in one pass over the elements."""
    for element in root.iter(etree.Element):
        if not len(element):
            value = element.text
        elif isinstance(element[0].tag, str) or any(isinstance(child.tag, str) for child in element):
            continue  # it has element children (comments and processing instructions are no `*`)
        else:
            value = string_value(element)
        if not value or not value.strip(_XML_SPACE):
            doc.expect(R008, False, element)


@on(cbc("InvoiceTypeCode"))
def invoice_type(element: etree._Element, doc: Inspection) -> None:
    code = text(element)
    doc.expect(P0100, doc.profile != "01" or code in codes.INVOICE_TYPE_CODES, element)
    doc.expect(
        P0112,
        code not in ("326", "384") or (doc.supplier_country == "DE" and doc.customer_country == "DE"),
        element,
    )


@on(cbc("CreditNoteTypeCode"))
def credit_note_type(element: etree._Element, doc: Inspection) -> None:
    doc.expect(P0101, doc.profile != "01" or text(element) in codes.CREDIT_NOTE_TYPE_CODES, element)


@on(cac("AccountingCustomerParty"))
def buyer(element: etree._Element, doc: Inspection) -> None:
    party = element.find(cac("Party"))
    if party is not None:
        doc.expect(R010, party.find(cbc("EndpointID")) is not None, party)


@on(cac("AccountingSupplierParty"))
def seller(element: etree._Element, doc: Inspection) -> None:
    party = element.find(cac("Party"))
    if party is not None:
        doc.expect(R020, party.find(cbc("EndpointID")) is not None, party)


# Allowances and charges -------------------------------------------------------------------------------


@on(cac("AllowanceCharge"))
def allowance_charge(element: etree._Element, doc: Inspection) -> None:
    parent = element.getparent()
    indicator = text(element.find(cbc("ChargeIndicator")))
    for code in element.findall(cbc("AllowanceChargeReasonCode")):
        if indicator == "false":
            doc.expect(CL002, text(code) in codes.ALLOWANCE_REASONS, code)
        elif indicator == "true":
            doc.expect(CL003, text(code) in codes.CHARGE_REASONS, code)
    if parent is not None and parent.tag == cac("Price"):
        _price_discount(element, parent, indicator, doc)
        return
    if not (_is_root(parent) or (parent is not None and parent.tag in _LINES)):
        return
    percent = element.find(cbc("MultiplierFactorNumeric"))
    base = element.find(cbc("BaseAmount"))
    if percent is not None and base is not None:
        amount = decimal(element.find(cbc("Amount"))) or Decimal(0)
        base_value, percent_value = decimal(base), decimal(percent)
        holds = base_value is not None and percent_value is not None
        doc.expect(R040, holds and _within(amount, base_value * percent_value / 100, _SLACK), element)  # type: ignore[operator]
    doc.expect(R041, percent is None or base is not None, element)
    doc.expect(R042, base is None or percent is not None, element)
    doc.expect(R043, indicator in ("true", "false"), element)


def _price_discount(element: etree._Element, price: etree._Element, indicator: str, doc: Inspection) -> None:
    doc.expect(R044, indicator == "false", element)
    base = element.find(cbc("BaseAmount"))
    if base is not None:
        net, gross, amount = (
            decimal(price.find(cbc("PriceAmount"))),
            decimal(base),
            decimal(element.find(cbc("Amount"))),
        )
        doc.expect(R046, None not in (net, gross, amount) and net == gross - amount, element)  # type: ignore[operator]


# Payment and currency ---------------------------------------------------------------------------------


@on(cac("PaymentMeans"))
def payment_means(element: etree._Element, doc: Inspection) -> None:
    if text(element.find(cbc("PaymentMeansCode"))) in ("49", "59"):
        doc.expect(R061, element.find(f"{cac('PaymentMandate')}/{cbc('ID')}") is not None, element)


_TAX_AMOUNT, _TAX_TOTAL, _TAX_SUBTOTAL = cbc("TaxAmount"), cac("TaxTotal"), cac("TaxSubtotal")


def _currency_check(element: etree._Element, doc: Inspection) -> None:
    currency = element.get("currencyID")
    if currency is None:
        return
    doc.expect(CL007, currency in codes.CURRENCIES, element)
    parent = element.getparent()
    accounting_total = (
        element.tag == _TAX_AMOUNT
        and parent is not None
        and parent.tag == _TAX_TOTAL
        and parent.find(_TAX_SUBTOTAL) is None
    )
    if not accounting_total:
        doc.expect(R051, currency == doc.currency, element)


on(
    *(
        cbc(name)
        for name in (
            "Amount",
            "BaseAmount",
            "PriceAmount",
            "TaxAmount",
            "TaxableAmount",
            "LineExtensionAmount",
            "TaxExclusiveAmount",
            "TaxInclusiveAmount",
            "AllowanceTotalAmount",
            "ChargeTotalAmount",
            "PrepaidAmount",
            "PayableRoundingAmount",
            "PayableAmount",
        )
    )
)(_currency_check)


# Codes and formats ------------------------------------------------------------------------------------


@on(cbc("EmbeddedDocumentBinaryObject"))
def mime_code(element: etree._Element, doc: Inspection) -> None:
    code = element.get("mimeCode")
    if code is not None:
        doc.expect(CL001, code in codes.MIME_CODES, element)


@on(cbc("DescriptionCode"))
def period_description(element: etree._Element, doc: Inspection) -> None:
    parent = element.getparent()
    if parent is not None and parent.tag == cac("InvoicePeriod"):
        doc.expect(CL006, text(element) in codes.PERIOD_DESCRIPTIONS, element)


@on(
    cbc("IssueDate"),
    cbc("DueDate"),
    cbc("TaxPointDate"),
    cbc("StartDate"),
    cbc("EndDate"),
    cbc("ActualDeliveryDate"),
)
def date_format(element: etree._Element, doc: Inspection) -> None:
    doc.expect(F001, _date(element) is not None, element)


def _date(element: etree._Element | None) -> date | None:
    value = string_value(element) if element is not None else ""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


# Lines ------------------------------------------------------------------------------------------------


_DOCUMENT_REFERENCE, _PRICE, _INVOICE_PERIOD = cac("DocumentReference"), cac("Price"), cac("InvoicePeriod")
_ALLOWANCE_CHARGE, _LINE_AMOUNT = cac("AllowanceCharge"), cbc("LineExtensionAmount")
_BASE_QUANTITY, _PRICE_AMOUNT = cbc("BaseQuantity"), cbc("PriceAmount")
_QUANTITIES = (cbc("InvoicedQuantity"), cbc("CreditedQuantity"))


@on(*_LINES)
def line(element: etree._Element, doc: Inspection) -> None:
    children = first_children(element)
    if _DOCUMENT_REFERENCE in children:
        references = list(element.iterchildren(_DOCUMENT_REFERENCE))
        doc.expect(R100, len(references) <= 1, element)
        doc.expect(R101, all(text(ref.find(cbc("DocumentTypeCode"))) == "130" for ref in references), element)
    price = children.get(_PRICE)
    price_children = first_children(price) if price is not None else {}
    base = price_children.get(_BASE_QUANTITY)
    base_quantity = decimal(base)
    if base is not None:
        doc.expect(R121, base_quantity is not None and base_quantity > 0, element)
    price_amount = decimal(price_children.get(_PRICE_AMOUNT))
    doc.expect(R120, _line_amount_adds_up(element, children, price_amount, base_quantity), element)
    period = children.get(_INVOICE_PERIOD)
    if period is not None and _is_root(element.getparent()):
        document_period = doc.root.find(_INVOICE_PERIOD)
        if document_period is not None:
            _within_period(period, document_period, doc)


def _line_amount_adds_up(
    line: etree._Element,
    children: dict[str, etree._Element],
    price_amount: Decimal | None,
    base_quantity: Decimal | None,
) -> bool:
    net = decimal(children.get(_LINE_AMOUNT)) or Decimal(0)
    quantity_element = children.get(_QUANTITIES[0])
    if quantity_element is None:
        quantity_element = children.get(_QUANTITIES[1])
    quantity = decimal(quantity_element) if quantity_element is not None else Decimal(1)
    if quantity is None:
        return False
    divisor = base_quantity if base_quantity else Decimal(1)
    expected = quantity * ((price_amount or Decimal(0)) / divisor)
    if _ALLOWANCE_CHARGE in children:
        sums = {"true": Decimal(0), "false": Decimal(0)}
        for allowance_charge in line.iterchildren(_ALLOWANCE_CHARGE):
            indicator = text(allowance_charge.find(cbc("ChargeIndicator")))
            if indicator in sums:
                sums[indicator] += decimal(allowance_charge.find(cbc("Amount"))) or Decimal(0)
        rounded = {i: Decimal(math.floor(total * 100 + Decimal("0.5"))) / 100 for i, total in sums.items()}
        expected = expected + rounded["true"] - rounded["false"]
    return _within(net, expected, _SLACK)


def _within_period(period: etree._Element, document_period: etree._Element, doc: Inspection) -> None:
    comparisons: tuple[tuple[str, Callable[[date, date], bool], object], ...] = (
        ("StartDate", lambda line_date, doc_date: line_date >= doc_date, R110),
        ("EndDate", lambda line_date, doc_date: line_date <= doc_date, R111),
    )
    for name, holds, rule in comparisons:
        line_date, doc_date = _date(period.find(cbc(name))), _date(document_period.find(cbc(name)))
        if line_date is not None and doc_date is not None:
            doc.expect(rule, holds(line_date, doc_date), period)  # type: ignore[arg-type]


@on(cbc("BaseQuantity"))
def base_quantity_unit(element: etree._Element, doc: Inspection) -> None:
    unit = element.get("unitCode")
    price = element.getparent()
    line = price.getparent() if price is not None else None
    if unit is None or line is None:
        return
    quantity = line.find(cbc("InvoicedQuantity"))
    if quantity is None:
        quantity = line.find(cbc("CreditedQuantity"))
    if quantity is not None and quantity.get("unitCode") is not None:
        doc.expect(R130, quantity.get("unitCode") == unit, element)


# VAT exemption codes ----------------------------------------------------------------------------------

_EXEMPTION_CATEGORIES = {
    "VATEX-EU-G": ("PEPPOL-EN16931-P0104", "G"),
    "VATEX-EU-O": ("PEPPOL-EN16931-P0105", "O"),
    "VATEX-EU-IC": ("PEPPOL-EN16931-P0106", "K"),
    "VATEX-EU-AE": ("PEPPOL-EN16931-P0107", "AE"),
    "VATEX-EU-D": ("PEPPOL-EN16931-P0108", "E"),
    "VATEX-EU-F": ("PEPPOL-EN16931-P0109", "E"),
    "VATEX-EU-I": ("PEPPOL-EN16931-P0110", "E"),
    "VATEX-EU-J": ("PEPPOL-EN16931-P0111", "E"),
}
_EXEMPTION_RULES = {
    code: fatal(rule_id, f"Tax Category {category} MUST be used when exemption reason code is {code}")
    for code, (rule_id, category) in _EXEMPTION_CATEGORIES.items()
}


@on(cac("TaxCategory"))
def exemption_code(element: etree._Element, doc: Inspection) -> None:
    code = text(element.find(cbc("TaxExemptionReasonCode"))).upper()
    if code in _EXEMPTION_CATEGORIES:
        doc.expect(
            _EXEMPTION_RULES[code], text(element.find(cbc("ID"))) == _EXEMPTION_CATEGORIES[code][1], element
        )


# Electronic addresses and national identifiers (PEPPOL-COMMON) -----------------------------------------

_NATIONAL = {
    "0088": (
        fatal("PEPPOL-COMMON-R040", "GLN must have a valid format according to GS1 rules."),
        identifiers.gln,
    ),
    "0192": (
        fatal("PEPPOL-COMMON-R041", "Norwegian organization number MUST be stated in the correct format."),
        identifiers.norwegian_organisation,
    ),
    "0184": (
        fatal("PEPPOL-COMMON-R042", "Danish organization number (CVR) MUST be stated in the correct format."),
        identifiers.danish_cvr,
    ),
    "0208": (
        fatal("PEPPOL-COMMON-R043", "Belgian enterprise number MUST be stated in the correct format."),
        identifiers.belgian_enterprise,
    ),
    "0201": (
        warning(
            "PEPPOL-COMMON-R044",
            "IPA Code (Codice Univoco Unità Organizzativa) must be stated in the correct format",
        ),
        identifiers.italian_ipa,
    ),
    "0210": (
        warning("PEPPOL-COMMON-R045", "Tax Code (Codice Fiscale) must be stated in the correct format"),
        identifiers.italian_fiscal_code,
    ),
    "9907": (
        warning("PEPPOL-COMMON-R046", "Tax Code (Codice Fiscale) must be stated in the correct format"),
        identifiers.italian_fiscal_code,
    ),
    "0211": (
        warning("PEPPOL-COMMON-R047", "Italian VAT Code (Partita Iva) must be stated in the correct format"),
        identifiers.italian_vat,
    ),
    "9906": (
        warning("PEPPOL-COMMON-R048", "Italian VAT Code (Partita Iva) must be stated in the correct format"),
        identifiers.italian_vat,
    ),
    "0007": (
        fatal("PEPPOL-COMMON-R049", "Swedish organization number MUST be stated in the correct format."),
        identifiers.swedish_organisation,
    ),
    "0151": (
        fatal("PEPPOL-COMMON-R050", "Australian Business Number (ABN) MUST be stated in the correct format."),
        identifiers.australian_business_number,
    ),
}


def _national(element: etree._Element, doc: Inspection) -> None:
    scheme = element.get("schemeID")
    if scheme in _NATIONAL:
        rule, valid = _NATIONAL[scheme]
        doc.expect(rule, valid(text(element)), element)


@on(cbc("EndpointID"))
def endpoint(element: etree._Element, doc: Inspection) -> None:
    scheme = element.get("schemeID")
    if scheme is not None:
        doc.expect(CL008, scheme in codes.ELECTRONIC_ADDRESS_SCHEMES, element)
    _national(element, doc)


@on(cbc("CompanyID"))
def company_id(element: etree._Element, doc: Inspection) -> None:
    _national(element, doc)


@on(cac("PartyIdentification"))
def party_identification(element: etree._Element, doc: Inspection) -> None:
    for identifier in element.iterchildren(cbc("ID")):
        _national(identifier, doc)
