"""Reads and changes of orders, each inside the connection (transaction) the caller opened.

Every change follows the same steps: lock the order row, check the rule (rules.py), then update
with the expected status in the WHERE clause, so a concurrent change can never be overwritten.
All checks come before the first write; a failure later rolls the whole transaction back.
"""
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Sequence

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from orders import rules, views
from orders.errors import CustomerNotFound, InvalidRequest, OrderApiError, OrderConflict, OrderNotFound
from orders.ids import FIRST_NEW_ID, format_id, id_number
from orders.money import CURRENCY
from orders.schema import customers, order_items, orders, returns, shipments, tracking_events

Row = Mapping[str, Any]


@dataclass(frozen=True)
class NewItem:
    sku: str
    quantity: int
    unit_price_cents: int


# ---- reads -------------------------------------------------------------------------------------


async def _first(conn: AsyncConnection, stmt) -> Optional[Row]:
    return (await conn.execute(stmt)).mappings().first()


async def _all(conn: AsyncConnection, stmt) -> List[Row]:
    return list((await conn.execute(stmt)).mappings().all())


async def _order_row(conn: AsyncConnection, order_id: str, lock: bool = False) -> Row:
    stmt = select(orders).where(orders.c.id == order_id)
    if lock:
        stmt = stmt.with_for_update()  # PostgreSQL row lock; SQLite writes are already serialised
    row = await _first(conn, stmt)
    if row is None:
        raise OrderNotFound(f"There is no order {order_id}.")
    return row


async def _customer_row(conn: AsyncConnection, customer_id: str) -> Optional[Row]:
    return await _first(conn, select(customers).where(customers.c.id == customer_id))


async def get_order(conn: AsyncConnection, order_id: str, now: datetime) -> Dict[str, Any]:
    order = await _order_row(conn, order_id)
    customer = await _customer_row(conn, order["customer_id"])
    items = await _all(
        conn, select(order_items).where(order_items.c.order_id == order_id).order_by(order_items.c.line_no)
    )
    shipment = await _first(conn, select(shipments).where(shipments.c.order_id == order_id))
    return_row = await _first(conn, select(returns).where(returns.c.order_id == order_id))
    return views.order_view(order, customer, items, shipment, return_row, now)


async def get_tracking(conn: AsyncConnection, order_id: str) -> Dict[str, Any]:
    order = await _order_row(conn, order_id)
    shipment = await _first(conn, select(shipments).where(shipments.c.order_id == order_id))
    events = await _all(
        conn,
        select(tracking_events).where(tracking_events.c.order_id == order_id).order_by(tracking_events.c.seq),
    )
    return views.tracking_view(order, shipment, events)


async def list_customer_orders(conn: AsyncConnection, customer_id: str) -> Dict[str, Any]:
    customer = await _customer_row(conn, customer_id)
    if customer is None:
        raise CustomerNotFound(f"There is no customer {customer_id}.")
    item_counts = (
        select(order_items.c.order_id, func.sum(order_items.c.quantity).label("item_count"))
        .group_by(order_items.c.order_id)
        .subquery()
    )
    rows = await _all(
        conn,
        select(orders, func.coalesce(item_counts.c.item_count, 0).label("item_count"))
        .select_from(orders.outerjoin(item_counts, item_counts.c.order_id == orders.c.id))
        .where(orders.c.customer_id == customer_id)
        .order_by(orders.c.created_at.desc(), orders.c.id.desc()),
    )
    return {
        "customer": views.customer_view(customer),
        "orders": [views.order_summary_view(row, int(row["item_count"])) for row in rows],
    }


async def phone_matches(conn: AsyncConnection, order_id: str, phone_last4: str) -> bool:
    order = await _order_row(conn, order_id)
    customer = await _customer_row(conn, order["customer_id"])
    digits = "".join(ch for ch in customer["phone"] if ch.isdigit()) if customer else ""
    # Constant-time compare: the answer must not leak through timing.
    return len(digits) >= 4 and hmac.compare_digest(digits[-4:], phone_last4)


# ---- changes -----------------------------------------------------------------------------------


async def _set_status(conn: AsyncConnection, order: Row, values: Dict[str, Any]) -> None:
    """Updates the order only if its status is still the one the rule was checked against."""
    result = await conn.execute(
        orders.update().where(orders.c.id == order["id"], orders.c.status == order["status"]).values(**values)
    )
    if result.rowcount != 1:
        raise OrderConflict(
            f"Order {order['id']} was changed by another request at the same time; please try again.",
            code="concurrent_change",
        )


async def change_address(conn: AsyncConnection, order_id: str, address: str, now: datetime) -> Dict[str, Any]:
    order = await _order_row(conn, order_id, lock=True)
    rules.check_address_change(order_id, order["status"])
    await _set_status(conn, order, {"shipping_address": address, "updated_at": now})
    return await get_order(conn, order_id, now)


async def cancel_order(conn: AsyncConnection, order_id: str, now: datetime) -> Dict[str, Any]:
    order = await _order_row(conn, order_id, lock=True)
    rules.check_cancel(order_id, order["status"])
    await _set_status(conn, order, {"status": "cancelled", "updated_at": now})
    return await get_order(conn, order_id, now)


# Keys of the PostgreSQL advisory locks that serialise id allocation, one per id prefix.
_ID_LOCK_KEYS = {"A": 0x0A0D_0001, "R": 0x0A0D_0002}


async def _next_id(conn: AsyncConnection, column, prefix: str) -> str:
    """Max + 1, above the demo range. On PostgreSQL a transaction-scoped advisory lock makes
    concurrent writers (in any number of server processes) take turns until commit; SQLite writes
    are serialised already. Should two writers still collide, the primary key rejects the second
    and Database.run_write tries it again."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ID_LOCK_KEYS[prefix]})
    highest = (await conn.execute(select(func.max(column)))).scalar()
    number = max(FIRST_NEW_ID, id_number(highest) + 1 if highest else 0)
    try:
        return format_id(prefix, number)
    except ValueError:
        raise OrderApiError(f"No {prefix}-ids are left to assign.", code="id_space_exhausted") from None


async def insert_return(conn: AsyncConnection, order_id: str, reason: str, now: datetime) -> str:
    return_id = await _next_id(conn, returns.c.id, "R")
    await conn.execute(returns.insert().values(id=return_id, order_id=order_id, reason=reason, created_at=now))
    return return_id


async def request_return(conn: AsyncConnection, order_id: str, reason: str, now: datetime) -> Dict[str, Any]:
    order = await _order_row(conn, order_id, lock=True)
    rules.check_return(order_id, order["status"], order["delivered_at"], now)
    await _set_status(conn, order, {"status": "return_requested", "updated_at": now})
    return_id = await insert_return(conn, order_id, reason, now)
    return {"return_id": return_id, "order_id": order_id, "status": "return_requested"}


async def create_order(
    conn: AsyncConnection,
    customer_id: str,
    items: Sequence[NewItem],
    shipping_address: str,
    status: str,
    now: datetime,
) -> Dict[str, Any]:
    if await _customer_row(conn, customer_id) is None:
        raise InvalidRequest(f"There is no customer {customer_id}.", code="unknown_customer")
    order_id = await _next_id(conn, orders.c.id, "A")
    lines = [
        {
            "order_id": order_id,
            "line_no": line_no,
            "sku": item.sku,
            "quantity": item.quantity,
            "unit_price_cents": item.unit_price_cents,
            "amount_cents": item.quantity * item.unit_price_cents,
        }
        for line_no, item in enumerate(items, start=1)
    ]
    await conn.execute(
        orders.insert().values(
            id=order_id,
            customer_id=customer_id,
            status=status,
            currency=CURRENCY,
            total_cents=sum(line["amount_cents"] for line in lines),
            shipping_address=shipping_address,
            created_at=now,
            updated_at=now,
            delivered_at=None,
        )
    )
    await conn.execute(order_items.insert(), lines)
    return await get_order(conn, order_id, now)
