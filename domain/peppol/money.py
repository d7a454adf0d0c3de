"""Money as EN 16931 counts it: `Decimal`, rounded half-up to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from domain.errors import InvalidValue

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_money(value: Decimal) -> Decimal:
    """Rounds half-up to two decimals, the precision every EN 16931 amount has."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def require_cents(field: str, value: Decimal) -> Decimal:
    """Refuses an amount with more than two decimals (BR-DEC rules): it would not survive a round trip."""
    if not value.is_finite() or value != round_money(value):
        raise InvalidValue(field, f"{value} is not an amount with at most two decimals")
    return value
