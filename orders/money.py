"""Money is stored as integer cents (exact on every database) and shown as a decimal string."""
from decimal import Decimal, InvalidOperation
from typing import Optional

CURRENCY = "CNY"
MAX_UNIT_PRICE_CENTS = 100_000_000  # 1,000,000.00


def format_cents(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def parse_price(value: object) -> Optional[int]:
    """Cents in a price given as "19.90" or 19.9; None when it is not a positive amount of cents."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0:
        return None
    cents = amount * 100
    if cents != cents.to_integral_value() or cents > MAX_UNIT_PRICE_CENTS:
        return None
    return int(cents)
