"""Checks of ids and request bodies, done before any database work.

Malformed input is a 400 (InvalidRequest); a field longer than allowed is a 422 (InputTooLarge).
Messages never echo the input back: it may be long, hostile, or personal.
"""
import re
import unicodedata
from typing import Any, Dict, Iterable, List, Tuple

from orders import rules
from orders.errors import InputTooLarge, InvalidRequest
from orders.ids import is_customer_id, is_order_id
from orders.money import parse_price
from orders.schema import ADDRESS_MAX_LENGTH, REASON_MAX_LENGTH
from orders.store import NewItem

MAX_ITEMS = 20
MAX_QUANTITY = 99
SKU_MAX_LENGTH = 40
_SKU = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$", re.ASCII)
_LAST4 = re.compile(r"^[0-9]{4}$", re.ASCII)


def order_id(value: str) -> str:
    if not is_order_id(value):
        raise InvalidRequest(
            "That is not an order id: order ids are the letter A and five digits, like A10023.",
            code="invalid_order_id",
        )
    return value


def customer_id(value: Any) -> str:
    if not is_customer_id(value):
        raise InvalidRequest(
            "That is not a customer id: customer ids are the letter C and three digits, like C001.",
            code="invalid_customer_id",
        )
    return value


def _object(body: Any, allowed: Iterable[str]) -> Dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequest("The request body must be a JSON object.", code="invalid_body")
    if set(body) - set(allowed):
        raise InvalidRequest(f"The request body may only contain: {', '.join(allowed)}.", code="invalid_body")
    return body


def _text(body: Dict[str, Any], field: str, max_length: int) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequest(f"'{field}' is required and must be a non-empty string.", code=f"invalid_{field}")
    value = value.strip()
    if len(value) > max_length:
        raise InputTooLarge(
            f"'{field}' is {len(value)} characters long; at most {max_length} are allowed.",
            code=f"{field}_too_long",
            details={"max_length": max_length},
        )
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise InvalidRequest(f"'{field}' must not contain control characters.", code=f"invalid_{field}")
    return value


def verify_body(body: Any) -> str:
    body = _object(body, ("phone_last4",))
    value = body.get("phone_last4")
    if not isinstance(value, str) or not _LAST4.fullmatch(value):
        raise InvalidRequest("'phone_last4' must be the last four digits of the phone number, as a string.",
                             code="invalid_phone_last4")
    return value


def address_body(body: Any) -> str:
    return _text(_object(body, ("shipping_address",)), "shipping_address", ADDRESS_MAX_LENGTH)


def return_body(body: Any) -> str:
    return _text(_object(body, ("reason",)), "reason", REASON_MAX_LENGTH)


def _item(index: int, raw: Any) -> NewItem:
    where = f"items[{index}]"
    if not isinstance(raw, dict) or set(raw) - {"sku", "quantity", "unit_price"}:
        raise InvalidRequest(f"{where} must be an object with sku, quantity and unit_price.", code="invalid_items")
    sku = raw.get("sku")
    if not isinstance(sku, str) or len(sku) > SKU_MAX_LENGTH or not _SKU.fullmatch(sku):
        raise InvalidRequest(f"{where}.sku must be a catalogue SKU like PH-P30.", code="invalid_items")
    quantity = raw.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidRequest(f"{where}.quantity must be a whole number from 1 to {MAX_QUANTITY}.",
                             code="invalid_items")
    cents = parse_price(raw.get("unit_price"))
    if cents is None:
        raise InvalidRequest(f"{where}.unit_price must be a positive amount with at most two decimals, "
                             "like \"19.90\".", code="invalid_items")
    return NewItem(sku=sku, quantity=quantity, unit_price_cents=cents)


def create_order_body(body: Any) -> Tuple[str, List[NewItem], str, str]:
    """(customer_id, items, shipping_address, status) of a POST /orders body."""
    body = _object(body, ("customer_id", "items", "shipping_address", "status"))
    customer = customer_id(body.get("customer_id"))
    raw_items = body.get("items")
    if not isinstance(raw_items, list) or not 1 <= len(raw_items) <= MAX_ITEMS:
        raise InvalidRequest(f"'items' must be a list of 1 to {MAX_ITEMS} items.", code="invalid_items")
    items = [_item(index, raw) for index, raw in enumerate(raw_items)]
    if len({item.sku for item in items}) != len(items):
        raise InvalidRequest("Each SKU may appear only once in 'items'; use its quantity.", code="invalid_items")
    address = _text(body, "shipping_address", ADDRESS_MAX_LENGTH)
    status = body.get("status", "pending_payment")
    if status not in rules.CREATABLE:
        raise InvalidRequest(f"'status' of a new order must be one of: {', '.join(rules.CREATABLE)}.",
                             code="invalid_status")
    return customer, items, address, status
