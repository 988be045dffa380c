"""The hand-written OpenAPI 3 document served at /openapi.json (tests check it lists every route)."""
from typing import Any, Dict, List, Optional

from orders.ids import CUSTOMER_ID_PATTERN, ORDER_ID_PATTERN, RETURN_ID_PATTERN
from orders.rules import CREATABLE, ORDER_STATUSES
from orders.schema import ADDRESS_MAX_LENGTH, REASON_MAX_LENGTH


def _ref(name: str) -> Dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: Dict[str, Any], description: str) -> Dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR_TEXTS = {
    400: "Malformed id or body",
    401: "Missing or unknown token",
    403: "The service token may not use this endpoint",
    404: "Unknown order or customer",
    409: "The order's status does not allow this; details.status names it",
    413: "Body too large",
    422: "A field is too long",
    429: "Too many failed verification attempts",
    503: "The database is not reachable",
}


def _op(summary: str, ok: Dict[str, Any], errors: List[int], secured: bool = True, ok_status: int = 200,
        body: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    responses = {str(ok_status): ok}
    responses.update({str(status): _json(_ref("Error"), _ERROR_TEXTS[status]) for status in errors})
    responses["500"] = _json(_ref("Error"), "Unexpected failure (no internals are shown)")
    operation: Dict[str, Any] = {"summary": summary, "responses": responses}
    if secured:
        operation["security"] = [{"bearer": []}]
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return operation


_ORDER_ID = {"name": "order_id", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": ORDER_ID_PATTERN}, "example": "A10023"}
_CUSTOMER_ID = {"name": "customer_id", "in": "path", "required": True,
                "schema": {"type": "string", "pattern": CUSTOMER_ID_PATTERN}, "example": "C001"}
_MONEY = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "example": "199.00"}
_TIME = {"type": "string", "format": "date-time"}
_NULLABLE_TIME = {"type": "string", "format": "date-time", "nullable": True}
_STATUS = {"type": "string", "enum": list(ORDER_STATUSES)}

SCHEMAS: Dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "Stable machine-readable code, e.g. cancel_not_allowed"},
            "message": {"type": "string", "description": "What happened, for a person"},
            "details": {"type": "object", "description": "Facts to act on, e.g. {\"status\": \"shipped\"}"},
        },
    },
    "Customer": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": CUSTOMER_ID_PATTERN},
            "name": {"type": "string"},
            "tier": {"type": "string", "enum": ["regular", "vip"]},
            "language": {"type": "string", "enum": ["zh", "en"]},
        },
    },
    "Item": {
        "type": "object",
        "properties": {
            "sku": {"type": "string"},
            "quantity": {"type": "integer", "minimum": 1},
            "unit_price": _MONEY,
            "amount": _MONEY,
        },
    },
    "Order": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": ORDER_ID_PATTERN},
            "status": _STATUS,
            "customer": _ref("Customer"),
            "items": {"type": "array", "items": _ref("Item")},
            "currency": {"type": "string", "example": "CNY"},
            "total": _MONEY,
            "shipping_address": {"type": "string", "maxLength": ADDRESS_MAX_LENGTH},
            "created_at": _TIME,
            "updated_at": _TIME,
            "delivered_at": _NULLABLE_TIME,
            "return_deadline": _NULLABLE_TIME,
            "shipment": {
                "type": "object",
                "nullable": True,
                "properties": {"carrier": {"type": "string"}, "tracking_number": {"type": "string"}},
            },
            "return": {
                "type": "object",
                "nullable": True,
                "properties": {
                    "id": {"type": "string", "pattern": RETURN_ID_PATTERN},
                    "reason": {"type": "string"},
                    "created_at": _TIME,
                },
            },
            "allowed_actions": {
                "type": "object",
                "description": "What may be done right now (the write endpoints check again)",
                "properties": {
                    "change_address": {"type": "boolean"},
                    "cancel": {"type": "boolean"},
                    "request_return": {"type": "boolean"},
                },
            },
        },
    },
    "OrderSummary": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": ORDER_ID_PATTERN},
            "status": _STATUS,
            "currency": {"type": "string"},
            "total": _MONEY,
            "item_count": {"type": "integer"},
            "created_at": _TIME,
            "updated_at": _TIME,
            "delivered_at": _NULLABLE_TIME,
        },
    },
    "Tracking": {
        "type": "object",
        "properties": {
            "order_id": {"type": "string"},
            "status": _STATUS,
            "carrier": {"type": "string", "nullable": True},
            "tracking_number": {"type": "string", "nullable": True},
            "estimated_delivery": {**_TIME, "nullable": True,
                                   "description": "While shipped or in transit: pick-up plus the carrier's "
                                                  "standard transit time"},
            "events": {
                "type": "array",
                "description": "Oldest first; empty until the order ships",
                "items": {
                    "type": "object",
                    "properties": {
                        "time": _TIME,
                        "code": {"type": "string", "enum": ["label_created", "picked_up", "departed_facility",
                                                           "arrived_at_hub", "out_for_delivery", "delivered"]},
                        "description": {"type": "string"},
                        "location": {"type": "string"},
                    },
                },
            },
        },
    },
}

_ORDER = _json(_ref("Order"), "The order")

DOCUMENT: Dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Order API",
        "version": "1.0.0",
        "description": (
            "Reference order API of the customer-service assistant. Order ids: 'A' + 5 digits; customer "
            "ids: 'C' + 3 digits; return ids: 'R' + 5 digits. Tokens: the service token (ORDERS_READ_TOKEN) "
            "for reads and customer actions, the admin token (ORDERS_ADMIN_TOKEN) for everything."
        ),
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": SCHEMAS,
    },
    "paths": {
        "/health": {
            "get": _op("Liveness and database check (no token)", _json({"type": "object"}, "Healthy"), [503],
                       secured=False)
        },
        "/openapi.json": {
            "get": _op("This document (no token)", _json({"type": "object"}, "OpenAPI 3"), [], secured=False)
        },
        "/orders": {
            "post": _op(
                "Create an order (admin token)",
                _ORDER,
                [400, 401, 403, 413, 422],
                ok_status=201,
                body={
                    "type": "object",
                    "required": ["customer_id", "items", "shipping_address"],
                    "properties": {
                        "customer_id": {"type": "string", "pattern": CUSTOMER_ID_PATTERN},
                        "items": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": 20,
                            "items": {
                                "type": "object",
                                "required": ["sku", "quantity", "unit_price"],
                                "properties": {
                                    "sku": {"type": "string"},
                                    "quantity": {"type": "integer", "minimum": 1, "maximum": 99},
                                    "unit_price": _MONEY,
                                },
                            },
                        },
                        "shipping_address": {"type": "string", "maxLength": ADDRESS_MAX_LENGTH},
                        "status": {"type": "string", "enum": list(CREATABLE), "default": "pending_payment"},
                    },
                },
            )
        },
        "/orders/{order_id}": {
            "parameters": [_ORDER_ID],
            "get": _op("One order with items, shipment and return", _ORDER, [400, 401, 404]),
        },
        "/orders/{order_id}/tracking": {
            "parameters": [_ORDER_ID],
            "get": _op("Carrier, tracking number and events", _json(_ref("Tracking"), "Tracking"), [400, 401, 404]),
        },
        "/customers/{customer_id}/orders": {
            "parameters": [_CUSTOMER_ID],
            "get": _op(
                "A customer's orders, newest first",
                _json({"type": "object", "properties": {"customer": _ref("Customer"),
                                                        "orders": {"type": "array", "items": _ref("OrderSummary")}}},
                      "The customer and their orders"),
                [400, 401, 404],
            ),
        },
        "/orders/{order_id}/verify": {
            "parameters": [_ORDER_ID],
            "post": _op(
                "Check the last four digits of the customer's phone; reveals nothing else",
                _json({"type": "object", "properties": {"verified": {"type": "boolean"}}}, "Whether they match"),
                [400, 401, 404, 413, 429],
                body={"type": "object", "required": ["phone_last4"],
                      "properties": {"phone_last4": {"type": "string", "pattern": "^[0-9]{4}$"}}},
            ),
        },
        "/orders/{order_id}/address": {
            "parameters": [_ORDER_ID],
            "patch": _op(
                "Change the shipping address (only pending_payment or paid)",
                _ORDER,
                [400, 401, 404, 409, 413, 422],
                body={"type": "object", "required": ["shipping_address"],
                      "properties": {"shipping_address": {"type": "string", "maxLength": ADDRESS_MAX_LENGTH}}},
            ),
        },
        "/orders/{order_id}/cancel": {
            "parameters": [_ORDER_ID],
            "post": _op("Cancel (only pending_payment or paid)", _ORDER, [400, 401, 404, 409]),
        },
        "/orders/{order_id}/returns": {
            "parameters": [_ORDER_ID],
            "post": _op(
                "Request a return (only delivered, within 7 days of delivery); sets status return_requested",
                _json({"type": "object", "properties": {
                    "return_id": {"type": "string", "pattern": RETURN_ID_PATTERN},
                    "order_id": {"type": "string"},
                    "status": {"type": "string", "enum": ["return_requested"]},
                }}, "The return was recorded"),
                [400, 401, 404, 409, 413, 422],
                ok_status=201,
                body={"type": "object", "required": ["reason"],
                      "properties": {"reason": {"type": "string", "maxLength": REASON_MAX_LENGTH}}},
            ),
        },
    },
}
