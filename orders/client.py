"""Async client of the order API, for the action server.

One pooled aiohttp session per client; call ``close()`` (or use ``async with``) when done.
Only GETs are retried (with exponential backoff) since they are idempotent; a write that fails in
transit is reported, never repeated, so a cancel or return is never applied twice.
Every failure is an OrderApiError subclass carrying the API's ``code`` and ``message``.
"""
import asyncio
import logging
import os
import random
from typing import Any, Dict, List, Mapping, Optional

import aiohttp

from orders.errors import InvalidRequest, OrderApiUnavailable, error_from_response
from orders.ids import is_customer_id, normalize_order_id

log = logging.getLogger("orders.client")

DEFAULT_BASE_URL = "http://127.0.0.1:8081"
# Retried only for GETs: the server may be restarting or overloaded, and retrying cannot double-apply.
RETRY_STATUSES = frozenset({502, 503, 504})


def _retryable(exc: OrderApiUnavailable) -> bool:
    return exc.code in ("timeout", "unreachable") or exc.status in RETRY_STATUSES


class OrdersClient:
    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        token: str = "",
        *,
        timeout: float = 5.0,
        connect_timeout: float = 2.0,
        retries: int = 2,
        backoff: float = 0.2,
        pool_size: int = 20,
    ) -> None:
        if not token:
            raise ValueError("OrdersClient needs the API token (ORDERS_READ_TOKEN for the action server)")
        self.base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=connect_timeout)
        self.retries = max(0, retries)
        self.backoff = backoff
        self._pool_size = pool_size
        self._session: Optional[aiohttp.ClientSession] = None

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None, token_variable: str = "ORDERS_READ_TOKEN"
                 ) -> "OrdersClient":
        """ORDERS_API_URL, ORDERS_READ_TOKEN, ORDERS_API_TIMEOUT (seconds), ORDERS_API_RETRIES."""
        env = os.environ if env is None else env
        return cls(
            env.get("ORDERS_API_URL") or DEFAULT_BASE_URL,
            env.get(token_variable) or "",
            timeout=float(env.get("ORDERS_API_TIMEOUT") or 5.0),
            retries=int(env.get("ORDERS_API_RETRIES") or 2),
        )

    # ---- lifecycle ------------------------------------------------------------------------------

    def _session_now(self) -> aiohttp.ClientSession:
        # Created lazily: a session must be made inside the running event loop.
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._timeout, headers=self._headers, raise_for_status=False
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def __aenter__(self) -> "OrdersClient":
        return self

    async def __aexit__(self, *_exc: Any) -> None:
        await self.close()

    # ---- transport -----------------------------------------------------------------------------

    async def _once(self, method: str, path: str, body: Optional[Dict[str, Any]]) -> Any:
        try:
            async with self._session_now().request(method, self.base_url + path, json=body) as response:
                try:
                    payload = await response.json(content_type=None)
                except ValueError:
                    payload = None
                if response.status >= 400:
                    raise error_from_response(response.status, payload)
                return payload
        except asyncio.TimeoutError:
            raise OrderApiUnavailable(f"The order API did not answer {method} {path} in time.",
                                      code="timeout") from None
        except aiohttp.ClientError as exc:
            raise OrderApiUnavailable(f"The order API could not be reached ({type(exc).__name__}).",
                                      code="unreachable") from None

    async def _request(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        attempts = 1 + (self.retries if method == "GET" else 0)
        for attempt in range(1, attempts + 1):
            try:
                return await self._once(method, path, body)
            except OrderApiUnavailable as exc:
                if attempt == attempts or not _retryable(exc):
                    raise
                delay = self.backoff * 2 ** (attempt - 1) * (0.5 + random.random() / 2)  # jitter
                log.warning("order API unavailable, retrying",
                            extra={"method": method, "path": path, "attempt": attempt, "code": exc.code})
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    @staticmethod
    def _order_path(order_id: str, suffix: str = "") -> str:
        canonical = normalize_order_id(order_id)
        if canonical is None:
            raise InvalidRequest("That is not an order id: order ids are the letter A and five digits, like A10023.",
                                 code="invalid_order_id")
        return f"/orders/{canonical}{suffix}"

    # ---- endpoints -----------------------------------------------------------------------------

    async def get_order(self, order_id: str) -> Dict[str, Any]:
        """The order with items, shipment, return and ``allowed_actions``. Raises OrderNotFound."""
        return await self._request("GET", self._order_path(order_id))

    async def get_tracking(self, order_id: str) -> Dict[str, Any]:
        """Carrier, tracking number and events (oldest first; empty before shipping)."""
        return await self._request("GET", self._order_path(order_id, "/tracking"))

    async def list_customer_orders(self, customer_id: str) -> List[Dict[str, Any]]:
        """Summaries of a customer's orders, newest first. Raises CustomerNotFound."""
        if not is_customer_id(customer_id):
            raise InvalidRequest("That is not a customer id: customer ids are C and three digits, like C001.",
                                 code="invalid_customer_id")
        return (await self._request("GET", f"/customers/{customer_id}/orders"))["orders"]

    async def verify(self, order_id: str, phone_last4: str) -> bool:
        """Whether the last four phone digits match the order's customer. Raises TooManyAttempts."""
        answer = await self._request("POST", self._order_path(order_id, "/verify"), {"phone_last4": phone_last4})
        return bool(answer["verified"])

    async def change_address(self, order_id: str, shipping_address: str) -> Dict[str, Any]:
        """The updated order. Raises OrderConflict (code address_change_not_allowed) once shipped."""
        return await self._request("PATCH", self._order_path(order_id, "/address"),
                                   {"shipping_address": shipping_address})

    async def cancel_order(self, order_id: str) -> Dict[str, Any]:
        """The cancelled order. Raises OrderConflict (code cancel_not_allowed) once shipped."""
        return await self._request("POST", self._order_path(order_id, "/cancel"))

    async def request_return(self, order_id: str, reason: str) -> Dict[str, Any]:
        """``{"return_id", "order_id", "status"}``. Raises OrderConflict (return_not_allowed or
        return_window_expired)."""
        return await self._request("POST", self._order_path(order_id, "/returns"), {"reason": reason})

    async def create_order(self, customer_id: str, items: List[Dict[str, Any]], shipping_address: str,
                           status: str = "pending_payment") -> Dict[str, Any]:
        """Admin token only. ``items``: ``[{"sku", "quantity", "unit_price"}]``."""
        return await self._request("POST", "/orders", {"customer_id": customer_id, "items": items,
                                                       "shipping_address": shipping_address, "status": status})

    async def health(self) -> Dict[str, Any]:
        return await self._request("GET", "/health")

