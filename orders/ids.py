"""Identifier formats of the order API, checked before anything touches the database.

Order ids are the letter ``A`` followed by exactly five digits (``A10023``); customer ids are ``C``
followed by exactly three digits (``C001``); return ids are ``R`` followed by five digits (``R00001``).
Ids are fixed-width, so sorting them as text also sorts them by number: the next id is max + 1.
"""
import re
from typing import Optional

ORDER_ID_PATTERN = r"^A[0-9]{5}$"
CUSTOMER_ID_PATTERN = r"^C[0-9]{3}$"
RETURN_ID_PATTERN = r"^R[0-9]{5}$"

_ORDER_ID = re.compile(ORDER_ID_PATTERN, re.ASCII)
_CUSTOMER_ID = re.compile(CUSTOMER_ID_PATTERN, re.ASCII)
# What a customer might type: "a10023", " A10023 ", "#A10023".
_LOOSE_ORDER_ID = re.compile(r"^#?\s*([Aa][0-9]{5})$", re.ASCII)


def is_order_id(value: object) -> bool:
    return isinstance(value, str) and _ORDER_ID.fullmatch(value) is not None


def is_customer_id(value: object) -> bool:
    return isinstance(value, str) and _CUSTOMER_ID.fullmatch(value) is not None


def normalize_order_id(text: object) -> Optional[str]:
    """The canonical order id in what a person typed, or None when it is not one (for the actions)."""
    if not isinstance(text, str):
        return None
    match = _LOOSE_ORDER_ID.fullmatch(text.strip())
    return match.group(1).upper() if match else None


def format_id(prefix: str, number: int, width: int = 5) -> str:
    if not 0 <= number < 10 ** width:
        raise ValueError(f"{prefix}-id number {number} does not fit in {width} digits")
    return f"{prefix}{number:0{width}d}"


def id_number(value: str) -> int:
    return int(value[1:])


# Ids A10001–A19999 and R10001–R19999 belong to the demo data set (seed.py replaces them on every
# run); ids the API assigns start at A20001 and R20001, so seeding never touches them.
DEMO_ID_FIRST = 10001
DEMO_ID_LAST = 19999
FIRST_NEW_ID = 20001
