"""The endpoints: each handler checks its input, runs one store call in one transaction, answers JSON.

ROUTES is the single list of endpoints; app.py registers it and the OpenAPI test checks against it.
"""
import logging
from functools import wraps
from typing import Any, Awaitable, Callable, List, NamedTuple, Optional

from sanic import Request
from sanic.exceptions import InvalidUsage
from sanic.response import HTTPResponse, json

from orders import openapi, store, validation
from orders.auth import Role
from orders.clock import utcnow
from orders.db import Database
from orders.errors import InvalidRequest, OrderApiError

log = logging.getLogger("orders.api")
Handler = Callable[..., Awaitable[HTTPResponse]]


def _db(request: Request) -> Database:
    return request.app.ctx.db


def _json_body(request: Request) -> Any:
    try:
        return request.json
    except InvalidUsage:
        raise InvalidRequest("The request body is not valid JSON.", code="invalid_json") from None


async def health(request: Request) -> HTTPResponse:
    db = _db(request)
    try:
        await db.ping()
    except Exception:
        log.exception("health check: database unreachable")
        error = OrderApiError("The order database is not reachable.", code="database_unavailable", status=503)
        return json(error.to_json(), status=503)
    return json({"status": "ok", "database": db.backend})


async def openapi_document(request: Request) -> HTTPResponse:
    return json(openapi.DOCUMENT)


async def get_order(request: Request, order_id: str) -> HTTPResponse:
    order_id = validation.order_id(order_id)
    async with _db(request).read() as conn:
        return json(await store.get_order(conn, order_id, utcnow()))


async def get_tracking(request: Request, order_id: str) -> HTTPResponse:
    order_id = validation.order_id(order_id)
    async with _db(request).read() as conn:
        return json(await store.get_tracking(conn, order_id))


async def list_customer_orders(request: Request, customer_id: str) -> HTTPResponse:
    customer_id = validation.customer_id(customer_id)
    async with _db(request).read() as conn:
        return json(await store.list_customer_orders(conn, customer_id))


async def verify(request: Request, order_id: str) -> HTTPResponse:
    order_id = validation.order_id(order_id)
    phone_last4 = validation.verify_body(_json_body(request))
    throttle = request.app.ctx.throttle
    throttle.begin(order_id)
    async with _db(request).read() as conn:
        verified = await store.phone_matches(conn, order_id, phone_last4)
    if verified:
        throttle.succeeded(order_id)
    log.info("order verification", extra={"order_id": order_id, "verified": verified})
    return json({"verified": verified})


async def change_address(request: Request, order_id: str) -> HTTPResponse:
    order_id = validation.order_id(order_id)
    address = validation.address_body(_json_body(request))
    order = await _db(request).run_write(lambda conn: store.change_address(conn, order_id, address, utcnow()))
    log.info("order address changed", extra={"order_id": order_id})
    return json(order)


async def cancel(request: Request, order_id: str) -> HTTPResponse:
    order_id = validation.order_id(order_id)
    order = await _db(request).run_write(lambda conn: store.cancel_order(conn, order_id, utcnow()))
    log.info("order cancelled", extra={"order_id": order_id})
    return json(order)


async def request_return(request: Request, order_id: str) -> HTTPResponse:
    order_id = validation.order_id(order_id)
    reason = validation.return_body(_json_body(request))
    created = await _db(request).run_write(lambda conn: store.request_return(conn, order_id, reason, utcnow()))
    log.info("order return requested", extra={"order_id": order_id, "return_id": created["return_id"]})
    return json(created, status=201)


async def create_order(request: Request) -> HTTPResponse:
    customer_id, items, address, status = validation.create_order_body(_json_body(request))
    order = await _db(request).run_write(
        lambda conn: store.create_order(conn, customer_id, items, address, status, utcnow())
    )
    log.info("order created", extra={"order_id": order["id"], "customer_id": customer_id, "status": status})
    return json(order, status=201, headers={"Location": f"/orders/{order['id']}"})


class Route(NamedTuple):
    method: str
    path: str  # Sanic syntax: /orders/<order_id>
    handler: Handler
    role: Optional[Role]  # None: no token needed


ROUTES: List[Route] = [
    Route("GET", "/health", health, None),
    Route("GET", "/openapi.json", openapi_document, None),
    Route("GET", "/orders/<order_id>", get_order, Role.SERVICE),
    Route("GET", "/orders/<order_id>/tracking", get_tracking, Role.SERVICE),
    Route("GET", "/customers/<customer_id>/orders", list_customer_orders, Role.SERVICE),
    Route("POST", "/orders/<order_id>/verify", verify, Role.SERVICE),
    Route("PATCH", "/orders/<order_id>/address", change_address, Role.SERVICE),
    Route("POST", "/orders/<order_id>/cancel", cancel, Role.SERVICE),
    Route("POST", "/orders/<order_id>/returns", request_return, Role.SERVICE),
    Route("POST", "/orders", create_order, Role.ADMIN),
]


def guarded(handler: Handler, role: Optional[Role]) -> Handler:
    """The handler behind a token check (auth comes before any look at ids or bodies)."""
    if role is None:
        return handler

    @wraps(handler)
    async def checked(request: Request, **params: Any) -> HTTPResponse:
        request.ctx.role = request.app.ctx.auth.require(request.headers.get("authorization"), role)
        return await handler(request, **params)

    return checked
