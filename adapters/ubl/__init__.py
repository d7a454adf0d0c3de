"""Peppol BIS Billing 3.0 UBL 2.1 with lxml and SaxonC: rendering, normalising, validating."""

from adapters.ubl.toolkit import PeppolUblToolkit

__all__ = ["PeppolUblToolkit"]
