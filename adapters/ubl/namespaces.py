"""Names of UBL 2.1 and the identifiers of Peppol BIS Billing 3.0."""

from __future__ import annotations

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NSMAP = {"cac": CAC, "cbc": CBC}

INVOICE_TAG = f"{{{INVOICE_NS}}}Invoice"
CREDIT_NOTE_TAG = f"{{{CREDIT_NOTE_NS}}}CreditNote"
ROOT_TAGS = frozenset({INVOICE_TAG, CREDIT_NOTE_TAG})

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


def cac(name: str) -> str:
    return f"{{{CAC}}}{name}"


def cbc(name: str) -> str:
    return f"{{{CBC}}}{name}"
