"""Check-digit rules of the national identifiers PEPPOL-COMMON-R040…R050 verify."""

from __future__ import annotations

import re

_ALNUM = re.compile(r"[A-Za-z0-9]+")


def _digits(value: str) -> list[int]:
    return [int(c) for c in value]


def gln(value: str) -> bool:
    """GS1 (scheme 0088): digits, the last a mod-10 check with weights 3, 1 from the right."""
    if not value.isascii() or not value.isdigit() or len(value) < 2:
        return False
    body = _digits(value[:-1])[::-1]
    weighted = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(body))
    return (10 - weighted % 10) % 10 == int(value[-1])


def norwegian_organisation(value: str) -> bool:
    """Scheme 0192: nine digits, mod-11 with weights 2…7 from the right."""
    if not re.fullmatch(r"[0-9]{9}", value):
        return False
    body = _digits(value[:-1])[::-1]
    weighted = sum(d * (i % 6 + 2) for i, d in enumerate(body))
    return int(value) > 0 and (11 - weighted % 11) % 11 == int(value[-1])


def danish_cvr(value: str) -> bool:
    """Scheme 0184: eight digits, optionally prefixed `DK`."""
    return bool(re.fullmatch(r"(DK)?[0-9]{8}", value))


def belgian_enterprise(value: str) -> bool:
    """Scheme 0208: ten digits, the last two 97 minus the first eight modulo 97."""
    return bool(re.fullmatch(r"[0-9]{10}", value)) and 97 - int(value[:8]) % 97 == int(value[8:])


def italian_ipa(value: str) -> bool:
    """Scheme 0201: six letters or digits."""
    return len(value) == 6 and bool(_ALNUM.fullmatch(value))


def _fiscal_code_16(value: str) -> bool:
    def letters(part: str) -> bool:
        return part.isascii() and part.isalpha()

    def digits(part: str) -> bool:
        return part.isascii() and part.isdigit()

    return (
        letters(value[0:6])
        and digits(value[6:8])
        and letters(value[8])
        and digits(value[9:11])
        and digits(value[14])
        and letters(value[15])
    )


def italian_fiscal_code(value: str) -> bool:
    """Schemes 0210 and 9907: a 16-character personal code or an 11-digit number."""
    if len(value) == 16:
        return _fiscal_code_16(value)
    return len(value) == 11 and value.isascii() and value.isdigit()


def _partita_iva_sum(value: str) -> int:
    total = 0
    for i, d in enumerate(_digits(value)):
        total += int("0246813579"[d]) if i % 2 else d
    return total


def italian_vat(value: str) -> bool:
    """Schemes 0211 and 9906: 11 digits (optionally prefixed `IT`) with a Luhn-like check."""
    code = value[2:] if value[:2] in ("IT", "it") else value
    return len(code) == 11 and code.isascii() and code.isdigit() and _partita_iva_sum(code) % 10 == 0


def swedish_organisation(value: str) -> bool:
    """Scheme 0007: ten digits, Luhn check."""
    if not re.fullmatch(r"[0-9]{10}", value):
        return False
    body = _digits(value[:9])[::-1]
    total = sum((d * 2) % 10 + (d * 2) // 10 if i % 2 == 0 else d for i, d in enumerate(body))
    return (10 - total % 10) % 10 == int(value[9])


def australian_business_number(value: str) -> bool:
    """Scheme 0151: eleven digits; first digit less one, weighted, a multiple of 89."""
    if not re.fullmatch(r"[0-9]{11}", value):
        return False
    digits = _digits(value)
    digits[0] -= 1
    weights = (10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 89 == 0
