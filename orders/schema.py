"""Tables of the order API (SQLAlchemy Core; the same DDL runs on SQLite and PostgreSQL).

Statuses, tiers and languages are plain strings guarded by CHECK constraints rather than database
enums, so adding a value never needs an ALTER TYPE. Money is integer cents (see money.py).
"""
from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

from orders.rules import ORDER_STATUSES

ADDRESS_MAX_LENGTH = 200
REASON_MAX_LENGTH = 500


def _one_of(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


metadata = MetaData()

customers = Table(
    "customers",
    metadata,
    Column("id", String(4), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("phone", String(32), nullable=False),
    Column("email", String(254), nullable=False),
    Column("tier", String(10), nullable=False),
    Column("language", String(2), nullable=False),
    Column("created_at", DateTime, nullable=False),
    CheckConstraint(_one_of("tier", ("regular", "vip")), name="ck_customers_tier"),
    CheckConstraint(_one_of("language", ("zh", "en")), name="ck_customers_language"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(6), primary_key=True),
    Column("customer_id", String(4), ForeignKey("customers.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total_cents", Integer, nullable=False),
    Column("shipping_address", String(ADDRESS_MAX_LENGTH), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("delivered_at", DateTime, nullable=True),
    CheckConstraint(_one_of("status", ORDER_STATUSES), name="ck_orders_status"),
    CheckConstraint("total_cents >= 0", name="ck_orders_total"),
    Index("ix_orders_customer_id", "customer_id"),
)

order_items = Table(
    "order_items",
    metadata,
    Column("order_id", String(6), ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku", String(40), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_cents", Integer, nullable=False),
    Column("amount_cents", Integer, nullable=False),
    CheckConstraint("quantity > 0", name="ck_order_items_quantity"),
    CheckConstraint("unit_price_cents >= 0", name="ck_order_items_price"),
)

# One shipment per order: the order API does not split parcels.
shipments = Table(
    "shipments",
    metadata,
    Column("order_id", String(6), ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("carrier", String(40), nullable=False),
    Column("tracking_number", String(40), nullable=False),
)

tracking_events = Table(
    "tracking_events",
    metadata,
    Column("order_id", String(6), ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("occurred_at", DateTime, nullable=False),
    Column("code", String(30), nullable=False),
    Column("description", String(200), nullable=False),
    Column("location", String(100), nullable=False),
)

returns = Table(
    "returns",
    metadata,
    Column("id", String(6), primary_key=True),
    # Whole-order returns: at most one per order.
    Column("order_id", String(6), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("reason", String(REASON_MAX_LENGTH), nullable=False),
    Column("created_at", DateTime, nullable=False),
)
