"""How rows are shown in API responses. Phone and email never appear here: the API only checks them."""
from datetime import datetime
from typing import Any, Dict, Iterable, Mapping, Optional

from orders import rules
from orders.clock import iso
from orders.money import format_cents

Row = Mapping[str, Any]


def customer_view(customer: Row) -> Dict[str, Any]:
    return {
        "id": customer["id"],
        "name": customer["name"],
        "tier": customer["tier"],
        "language": customer["language"],
    }


def item_view(item: Row) -> Dict[str, Any]:
    return {
        "sku": item["sku"],
        "quantity": item["quantity"],
        "unit_price": format_cents(item["unit_price_cents"]),
        "amount": format_cents(item["amount_cents"]),
    }


def allowed_actions(order: Row, now: datetime) -> Dict[str, bool]:
    """What the bot may offer for this order right now (the write endpoints check again)."""
    delivered_at = order["delivered_at"]
    return {
        "change_address": order["status"] in rules.ADDRESS_CHANGEABLE,
        "cancel": order["status"] in rules.CANCELLABLE,
        "request_return": order["status"] == "delivered"
        and delivered_at is not None
        and now <= rules.return_deadline(delivered_at),
    }


def order_view(
    order: Row,
    customer: Row,
    items: Iterable[Row],
    shipment: Optional[Row],
    return_row: Optional[Row],
    now: datetime,
) -> Dict[str, Any]:
    delivered_at = order["delivered_at"]
    return {
        "id": order["id"],
        "status": order["status"],
        "customer": customer_view(customer),
        "items": [item_view(item) for item in items],
        "currency": order["currency"],
        "total": format_cents(order["total_cents"]),
        "shipping_address": order["shipping_address"],
        "created_at": iso(order["created_at"]),
        "updated_at": iso(order["updated_at"]),
        "delivered_at": iso(delivered_at),
        "return_deadline": iso(rules.return_deadline(delivered_at)) if delivered_at else None,
        "shipment": (
            {"carrier": shipment["carrier"], "tracking_number": shipment["tracking_number"]} if shipment else None
        ),
        "return": return_view(return_row) if return_row else None,
        "allowed_actions": allowed_actions(order, now),
    }


def return_view(return_row: Row) -> Dict[str, Any]:
    return {
        "id": return_row["id"],
        "reason": return_row["reason"],
        "created_at": iso(return_row["created_at"]),
    }


def order_summary_view(order: Row, item_count: int) -> Dict[str, Any]:
    return {
        "id": order["id"],
        "status": order["status"],
        "currency": order["currency"],
        "total": format_cents(order["total_cents"]),
        "item_count": item_count,
        "created_at": iso(order["created_at"]),
        "updated_at": iso(order["updated_at"]),
        "delivered_at": iso(order["delivered_at"]),
    }


def tracking_view(order: Row, shipment: Optional[Row], events: Iterable[Row]) -> Dict[str, Any]:
    events = list(events)
    carrier = shipment["carrier"] if shipment else None
    picked_up = next((event["occurred_at"] for event in events if event["code"] == "picked_up"), None)
    return {
        "order_id": order["id"],
        "status": order["status"],
        "carrier": carrier,
        "tracking_number": shipment["tracking_number"] if shipment else None,
        # Only while the parcel is on its way: the carrier's standard transit time after pick-up.
        "estimated_delivery": iso(rules.estimated_delivery(order["status"], carrier, picked_up)),
        "events": [
            {
                "time": iso(event["occurred_at"]),
                "code": event["code"],
                "description": event["description"],
                "location": event["location"],
            }
            for event in events
        ],
    }
