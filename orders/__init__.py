"""The reference order API and its client.

The action server imports only from here: the client, its errors, and id/status helpers. Nothing
here imports the server stack (Sanic, SQLAlchemy); `python -m orders serve` loads that itself.
"""
from orders.client import OrdersClient
from orders.errors import (
    CustomerNotFound,
    Forbidden,
    InputTooLarge,
    InvalidRequest,
    NotFound,
    OrderApiError,
    OrderApiUnavailable,
    OrderConflict,
    OrderNotFound,
    TooManyAttempts,
    Unauthorized,
)
from orders.ids import ORDER_ID_PATTERN, is_customer_id, is_order_id, normalize_order_id
from orders.rules import ORDER_STATUSES, RETURN_WINDOW_DAYS

__all__ = [
    "OrdersClient",
    "OrderApiError",
    "InvalidRequest",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "OrderNotFound",
    "CustomerNotFound",
    "OrderConflict",
    "InputTooLarge",
    "TooManyAttempts",
    "OrderApiUnavailable",
    "ORDER_ID_PATTERN",
    "ORDER_STATUSES",
    "RETURN_WINDOW_DAYS",
    "is_order_id",
    "is_customer_id",
    "normalize_order_id",
]
