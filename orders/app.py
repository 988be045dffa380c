"""The Sanic application: settings, database lifecycle, request logging, JSON errors, routes."""
import json as jsonlib
import logging
import re
import time
import uuid
from functools import partial

from sanic import Request, Sanic
from sanic.exceptions import MethodNotSupported, NotFound, PayloadTooLarge, SanicException
from sanic.response import HTTPResponse, json

from orders.auth import TokenAuth
from orders.config import Settings
from orders.db import Database, is_unavailable
from orders.errors import InputTooLarge, OrderApiError, TooManyAttempts, Unauthorized
from orders.ids import is_customer_id, is_order_id
from orders.routes import ROUTES, guarded
from orders.throttle import VerifyThrottle

log = logging.getLogger("orders.api")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _api_error(exc: Exception, app: Sanic) -> OrderApiError:
    """Every failure as an OrderApiError; anything unexpected becomes a bare 500."""
    if isinstance(exc, OrderApiError):
        return exc
    if is_unavailable(exc):
        return OrderApiError("The order database is not reachable right now; try again shortly.",
                             code="database_unavailable", status=503)
    if isinstance(exc, PayloadTooLarge):
        limit = app.config.REQUEST_MAX_SIZE
        return InputTooLarge(f"The request body is larger than {limit} bytes.", code="payload_too_large",
                             status=413, details={"max_bytes": limit})
    if isinstance(exc, NotFound):
        return OrderApiError("There is no such endpoint; see /openapi.json.", code="not_found", status=404)
    if isinstance(exc, MethodNotSupported):
        return OrderApiError("This endpoint does not support that method.", code="method_not_allowed", status=405)
    if isinstance(exc, SanicException) and 400 <= exc.status_code < 500:
        return OrderApiError("The request could not be understood.", code="bad_request", status=exc.status_code)
    return OrderApiError("Something went wrong in the order API.", code="internal_error", status=500)


def _error_response(request: Request, exc: Exception) -> HTTPResponse:
    error = _api_error(exc, request.app)
    if error.code == "database_unavailable":
        log.error("database unavailable", extra={"error": type(exc).__name__})
    elif error.status >= 500:
        # The traceback names code, not data: SQL parameters are hidden by the engine.
        log.error("request failed", exc_info=exc, extra={"error": type(exc).__name__})
    headers = {}
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, TooManyAttempts) and "retry_after_seconds" in error.details:
        headers["Retry-After"] = str(error.details["retry_after_seconds"])
    return json(error.to_json(), status=error.status, headers=headers)


async def _start_request(request: Request) -> None:
    request.ctx.started = time.monotonic()
    given = request.headers.get("x-request-id", "")
    request.ctx.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    if request.path != "/openapi.json":
        await request.app.ctx.db.ensure_schema()  # raises "unavailable" (503) while the database is down


async def _finish_request(request: Request, response: HTTPResponse) -> None:
    request_id = getattr(request.ctx, "request_id", None) or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    started = getattr(request.ctx, "started", None)
    log.info(
        "request",
        extra={
            "request_id": request_id,
            "method": request.method,
            # The route pattern and checked ids only: a raw path could carry anything a caller typed.
            "route": request.route.path if request.route else None,
            **{key: value for key, value in (request.match_info or {}).items() if is_order_id(value)
               or is_customer_id(value)},
            "status": response.status,
            "role": getattr(getattr(request.ctx, "role", None), "value", None),
            "duration_ms": round((time.monotonic() - started) * 1000, 1) if started else None,
        },
    )


def create_app(settings: Settings, name: str = "orders_api") -> Sanic:
    settings.require_tokens()
    app = Sanic(
        name,
        configure_logging=False,
        # Chinese names and addresses stay readable in responses (JSON is UTF-8 anyway).
        dumps=partial(jsonlib.dumps, ensure_ascii=False, separators=(",", ":")),
    )
    app.config.REQUEST_MAX_SIZE = settings.max_body_bytes
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.ctx.settings = settings
    app.ctx.auth = TokenAuth(settings.read_token, settings.admin_token)
    app.ctx.throttle = VerifyThrottle(settings.verify_max_failures, settings.verify_window_seconds)

    @app.before_server_start
    async def open_database(app: Sanic, _loop) -> None:
        app.ctx.db = Database(settings.database_url)
        try:
            await app.ctx.db.create_schema()
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            # Start anyway: /health says 503 and requests retry the schema until the database is back.
            log.error("database unreachable at start", extra={"error": type(exc).__name__})
        log.info("order API ready", extra={"database": app.ctx.db.backend, "host": settings.host,
                                           "port": settings.port})

    @app.after_server_stop
    async def close_database(app: Sanic, _loop) -> None:
        await app.ctx.db.close()

    app.register_middleware(_start_request, "request")
    app.register_middleware(_finish_request, "response")
    app.error_handler.add(Exception, _error_response)
    for route in ROUTES:
        app.add_route(guarded(route.handler, route.role), route.path, methods=[route.method],
                      name=route.handler.__name__)
    return app
