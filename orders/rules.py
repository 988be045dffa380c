"""Business rules on an order's status: which changes are allowed, and why not.

Pure functions with no I/O, so the store can call them inside its transaction and tests can call
them directly. Each refusal is an OrderConflict naming the current status.
"""
from datetime import datetime, timedelta
from typing import Optional

from orders.clock import iso
from orders.errors import OrderConflict

ORDER_STATUSES = (
    "pending_payment",
    "paid",
    "shipped",
    "in_transit",
    "delivered",
    "cancelled",
    "return_requested",
    "refunded",
)
# Until the parcel leaves the warehouse the address can still change and the order can be cancelled.
ADDRESS_CHANGEABLE = frozenset({"pending_payment", "paid"})
CANCELLABLE = frozenset({"pending_payment", "paid"})
RETURN_WINDOW = timedelta(days=7)
RETURN_WINDOW_DAYS = RETURN_WINDOW.days
# The carriers' standard transit time from pick-up to delivery: the estimate the shop quotes.
CARRIER_TRANSIT_DAYS = {"SF Express": 2, "ZTO Express": 3, "UPS": 3, "FedEx": 4}
DEFAULT_TRANSIT_DAYS = 4
IN_TRANSIT_STATUSES = frozenset({"shipped", "in_transit"})


def estimated_delivery(status: str, carrier: Optional[str], picked_up_at: Optional[datetime]) -> Optional[datetime]:
    """When a parcel on its way should arrive: pick-up plus the carrier's transit time."""
    if status not in IN_TRANSIT_STATUSES or picked_up_at is None:
        return None
    return picked_up_at + timedelta(days=CARRIER_TRANSIT_DAYS.get(carrier or "", DEFAULT_TRANSIT_DAYS))


# Statuses a new order may be created in (anything later needs shipping data the API does not take).
CREATABLE = ("pending_payment", "paid")

# Completes "... because it ..." in refusals.
_STATUS_REASONS = {
    "pending_payment": "is awaiting payment",
    "paid": "is paid and not yet shipped",
    "shipped": "has already shipped",
    "in_transit": "is already in transit",
    "delivered": "has already been delivered",
    "cancelled": "has been cancelled",
    "return_requested": "already has a return requested",
    "refunded": "has been refunded",
}


def _refuse(code: str, order_id: str, action: str, status: str) -> OrderConflict:
    reason = _STATUS_REASONS.get(status, f"is {status}")
    return OrderConflict(
        f"The {action} of order {order_id} is not possible because it {reason} (status: {status}).",
        code=code,
        details={"status": status},
    )


def check_address_change(order_id: str, status: str) -> None:
    if status not in ADDRESS_CHANGEABLE:
        raise _refuse("address_change_not_allowed", order_id, "address change", status)


def check_cancel(order_id: str, status: str) -> None:
    if status not in CANCELLABLE:
        raise _refuse("cancel_not_allowed", order_id, "cancellation", status)


def return_deadline(delivered_at: datetime) -> datetime:
    return delivered_at + RETURN_WINDOW


def check_return(order_id: str, status: str, delivered_at: Optional[datetime], now: datetime) -> None:
    if status != "delivered" or delivered_at is None:
        raise _refuse("return_not_allowed", order_id, "return", status)
    deadline = return_deadline(delivered_at)
    if now > deadline:
        raise OrderConflict(
            f"Order {order_id} was delivered on {delivered_at.date().isoformat()}; returns are accepted "
            f"within {RETURN_WINDOW_DAYS} days of delivery and that window closed on "
            f"{deadline.date().isoformat()}.",
            code="return_window_expired",
            details={
                "status": status,
                "delivered_at": iso(delivered_at),
                "return_deadline": iso(deadline),
            },
        )
