"""Peppol UBL timings: render, validate against the raw SaxonC transform, and the cost of a 3 MB PDF.

Run: `python bench/ubl.py` (goals: validate ≤ 1.2× the raw transform; with PDF ≤ 1.5× without). Each
ratio compares calls made alternately, so that a noisy machine's load falls on both sides alike.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.ubl import PeppolUblToolkit
from adapters.ubl.schema import ubl_directory
from adapters.ubl.toolkit import CEN_STYLESHEET
from adapters.ubl.xslt import XsltRules

DOCUMENT = {
    "number": "INV-2026-0042", "issueDate": "2026-11-20", "dueDate": "2026-12-20", "currency": "EUR",
    "documentCategory": "INVOICE", "buyerReference": "PO-77",
    "seller": {"name": "Brasserie Dupont SRL", "vatNumber": "BE0123456749", "companyNumber": "0123456749",
               "peppolId": "0208:0123456749",
               "address": {"street": "Rue Haute 12", "city": "Bruxelles", "country": "BE"}},
    "buyer": {"name": "Café Central BV", "vatNumber": "BE0202239951",
              "address": {"street": "Grote Markt 1", "city": "Brugge", "country": "BE"}},
    "lines": [{"id": str(i), "name": f"Article {i}", "quantity": "2", "unitCode": "C62", "unitPrice": "42.50",
               "vatCategory": "S", "vatRate": "21"} for i in range(1, 11)],
    "payment": {"meansCode": "30", "iban": "BE71096123456769", "structuredReference": "+++090/9337/55493+++"},
    "totals": {"lineExtension": "850.00", "allowanceTotal": "0.00", "chargeTotal": "0.00",
               "taxExclusive": "850.00", "tax": "178.50", "taxInclusive": "1028.50", "payable": "1028.50"},
}  # fmt: skip


def per_call(work: Callable[[], object], repeat: int = 200) -> float:
    """Median seconds per call over `repeat` calls, after a warm-up."""
    for _ in range(10):
        work()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def paired(first: Callable[[], object], second: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median seconds per call of each, the calls alternating: a noisy machine weighs on both alike."""
    for _ in range(10):
        first()
        second()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for work, times in ((first, samples[0]), (second, samples[1])):
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
    return statistics.median(samples[0]), statistics.median(samples[1])


def main() -> None:
    toolkit = PeppolUblToolkit()
    toolkit.warm_up()
    raw = XsltRules(ubl_directory() / CEN_STYLESHEET)
    data = json.dumps(DOCUMENT).encode()
    pdf = b"%PDF-1.7\n" + os.urandom(3 * 1024 * 1024)
    xml = toolkit.render_banqup(data, None)
    xml_pdf = toolkit.render_banqup(data, pdf)

    render = per_call(lambda: toolkit.render_banqup(data, None))
    validate, transform = paired(lambda: toolkit.validate(xml), lambda: raw.transform(xml.decode()), 400)
    validate_pdf, validate_alone = paired(
        lambda: toolkit.validate(xml_pdf), lambda: toolkit.validate(xml), 100
    )

    print(f"document: {len(xml) / 1024:.1f} KB, with PDF {len(xml_pdf) / 1024 / 1024:.1f} MB")
    print(f"render (map, write, validate)     {render * 1000:7.2f} ms per document")
    print(f"validate (XSD + CEN + Peppol)     {validate * 1000:7.2f} ms per document")
    print(f"raw SaxonC CEN transform          {transform * 1000:7.2f} ms per document")
    print(f"  ratio validate / raw transform  {validate / transform:7.2f}   (goal <= 1.2)")
    print(f"validate with a 3 MB PDF          {validate_pdf * 1000:7.2f} ms per document")
    print(f"  ratio with PDF / without        {validate_pdf / validate_alone:7.2f}   (goal <= 1.5)")


if __name__ == "__main__":
    main()
