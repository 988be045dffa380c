"""Errors of the order API, shared by the server and the client.

The server raises them and turns each into ``{"error": code, "message": text}`` with the class's
HTTP status; the client turns such a response back into the same class. ``details`` carries facts
the caller can act on without parsing the message (for example the order's current status).
"""
from typing import Any, Dict, Optional, Type


class OrderApiError(Exception):
    status = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        code: Optional[str] = None,
        details: Optional[Dict[str, Any]] = None,
        status: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details: Dict[str, Any] = dict(details or {})

    def to_json(self) -> Dict[str, Any]:
        body: Dict[str, Any] = {"error": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, code={self.code!r}, message={self.message!r})"


class InvalidRequest(OrderApiError):
    """Malformed input: a bad id, body or field (400)."""

    status = 400
    code = "invalid_request"


class Unauthorized(OrderApiError):
    """No token, or a token the API does not know (401)."""

    status = 401
    code = "unauthorized"


class Forbidden(OrderApiError):
    """A valid token of a kind that may not do this (403)."""

    status = 403
    code = "forbidden"


class NotFound(OrderApiError):
    status = 404
    code = "not_found"


class OrderNotFound(NotFound):
    code = "order_not_found"


class CustomerNotFound(NotFound):
    code = "customer_not_found"


class OrderConflict(OrderApiError):
    """The order's state forbids the change (409); ``details["status"]`` is its current status."""

    status = 409
    code = "conflict"


class InputTooLarge(OrderApiError):
    """The body (413) or one of its fields (422) is longer than allowed."""

    status = 422
    code = "input_too_large"


class TooManyAttempts(OrderApiError):
    status = 429
    code = "too_many_attempts"


class OrderApiUnavailable(OrderApiError):
    """The API cannot be reached, timed out, or failed on its side (5xx)."""

    status = 503
    code = "unavailable"


_BY_STATUS: Dict[int, Type[OrderApiError]] = {
    400: InvalidRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: OrderConflict,
    413: InputTooLarge,
    422: InputTooLarge,
    429: TooManyAttempts,
}
_BY_CODE: Dict[str, Type[OrderApiError]] = {
    OrderNotFound.code: OrderNotFound,
    CustomerNotFound.code: CustomerNotFound,
}


def error_from_response(status: int, body: Any) -> OrderApiError:
    """Rebuilds the typed error from an API error response (used by the client)."""
    body = body if isinstance(body, dict) else {}
    code = body.get("error") if isinstance(body.get("error"), str) else None
    message = body.get("message") if isinstance(body.get("message"), str) else f"HTTP {status}"
    details = body.get("details") if isinstance(body.get("details"), dict) else None
    if status >= 500:
        cls: Type[OrderApiError] = OrderApiUnavailable
    else:
        cls = _BY_CODE.get(code or "") or _BY_STATUS.get(status, OrderApiError)
    return cls(message, code=code, details=details, status=status)
