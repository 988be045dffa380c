"""orders.OrdersClient against the real server, and against small local servers that misbehave
(slow, failing, or gone) to check its timeouts and retries."""
import asyncio
import time

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from orders import (
    CustomerNotFound,
    Forbidden,
    InvalidRequest,
    OrderApiUnavailable,
    OrderConflict,
    OrderNotFound,
    OrdersClient,
    Unauthorized,
)
from tests.orders.conftest import ADMIN_TOKEN, SERVICE_TOKEN, free_port


@pytest.fixture
async def client(orders_server):
    async with OrdersClient(orders_server.url, SERVICE_TOKEN, timeout=3, retries=1, backoff=0.05) as c:
        yield c


async def test_reads(client, picker):
    order = picker.shared("in_transit")
    got = await client.get_order(order["id"].lower())  # what a customer typed is normalised
    assert got["id"] == order["id"] and got["status"] == "in_transit"
    tracking = await client.get_tracking(order["id"])
    assert tracking["events"][-1]["code"] == "arrived_at_hub"
    summaries = await client.list_customer_orders(order["customer_id"])
    assert order["id"] in {s["id"] for s in summaries}
    assert (await client.health())["status"] == "ok"


async def test_typed_errors_carry_code_and_message(client, picker):
    with pytest.raises(OrderNotFound) as missing:
        await client.get_order("A99996")
    assert missing.value.code == "order_not_found" and "A99996" in missing.value.message
    with pytest.raises(CustomerNotFound):
        await client.list_customer_orders("C998")
    shipped = picker.shared("shipped")
    with pytest.raises(OrderConflict) as conflict:
        await client.cancel_order(shipped["id"])
    assert conflict.value.code == "cancel_not_allowed" and conflict.value.details == {"status": "shipped"}
    assert conflict.value.status == 409


async def test_bad_ids_fail_without_a_request(client):
    with pytest.raises(InvalidRequest) as bad:
        await client.get_order("A10023' OR 1=1 --")
    assert bad.value.code == "invalid_order_id"
    with pytest.raises(InvalidRequest):
        await client.list_customer_orders("C1")


async def test_customer_actions(client, picker):
    pending, paid = picker.one("pending_payment"), picker.one("paid")
    delivered = picker.one("delivered", lambda o: picker.delivered_days_ago(o) <= 5)
    assert await client.verify(pending["id"], picker.last4(pending)) is True
    changed = await client.change_address(pending["id"], "1 Infinite Loop, Cupertino, CA 95014")
    assert changed["shipping_address"] == "1 Infinite Loop, Cupertino, CA 95014"
    assert (await client.cancel_order(paid["id"]))["status"] == "cancelled"
    created = await client.request_return(delivered["id"], "Item arrived damaged")
    assert created["status"] == "return_requested" and created["return_id"].startswith("R")


async def test_tokens(orders_server):
    async with OrdersClient(orders_server.url, "not-the-token-000000", retries=0) as stranger:
        with pytest.raises(Unauthorized):
            await stranger.get_order("A10001")
    items = [{"sku": "BE-CLEANSER", "quantity": 1, "unit_price": "99.00"}]
    async with OrdersClient(orders_server.url, SERVICE_TOKEN) as service:
        with pytest.raises(Forbidden):
            await service.create_order("C004", items, "1 Main St, Austin, TX 78701")
    async with OrdersClient(orders_server.url, ADMIN_TOKEN) as admin:
        made = await admin.create_order("C004", items, "1 Main St, Austin, TX 78701", status="paid")
        assert made["status"] == "paid" and made["customer"]["id"] == "C004"


async def test_stopped_server_is_unavailable_quickly():
    port = free_port()  # nothing listens there any more
    started = time.monotonic()
    async with OrdersClient(f"http://127.0.0.1:{port}", SERVICE_TOKEN, retries=2, backoff=0.05) as gone:
        with pytest.raises(OrderApiUnavailable) as unavailable:
            await gone.get_order("A10001")
    assert unavailable.value.code == "unreachable"
    assert time.monotonic() - started < 2


class Misbehaving:
    """A local HTTP server that answers each request with the next scripted behaviour."""

    def __init__(self, *script):
        self.script = list(script)
        self.hits = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.hits += 1
        step = self.script[min(self.hits, len(self.script)) - 1]
        if step == "slow":
            await asyncio.sleep(2)
            return web.json_response({})
        if isinstance(step, int):
            return web.json_response({"error": "boom", "message": "failing on purpose"}, status=step)
        return web.json_response(step)

    async def __aenter__(self):
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        self.url = str(self.server.make_url("")).rstrip("/")
        return self

    async def __aexit__(self, *_):
        await self.server.close()


async def test_gets_are_retried_on_503_then_succeed():
    async with Misbehaving(503, 502, {"id": "A10001"}) as fake:
        async with OrdersClient(fake.url, SERVICE_TOKEN, retries=2, backoff=0.01) as c:
            assert await c.get_order("A10001") == {"id": "A10001"}
    assert fake.hits == 3


async def test_writes_are_never_retried():
    async with Misbehaving(503, {"verified": True}) as fake:
        async with OrdersClient(fake.url, SERVICE_TOKEN, retries=3, backoff=0.01) as c:
            with pytest.raises(OrderApiUnavailable) as failed:
                await c.cancel_order("A10001")
    assert fake.hits == 1 and failed.value.status == 503 and failed.value.code == "boom"


async def test_server_errors_are_not_retried():
    async with Misbehaving(500) as fake:
        async with OrdersClient(fake.url, SERVICE_TOKEN, retries=3, backoff=0.01) as c:
            with pytest.raises(OrderApiUnavailable):
                await c.get_order("A10001")
    assert fake.hits == 1


async def test_timeouts_are_retried_then_reported():
    async with Misbehaving("slow") as fake:
        started = time.monotonic()
        async with OrdersClient(fake.url, SERVICE_TOKEN, timeout=0.2, retries=1, backoff=0.01) as c:
            with pytest.raises(OrderApiUnavailable) as slow:
                await c.get_tracking("A10001")
        elapsed = time.monotonic() - started
    assert slow.value.code == "timeout" and fake.hits == 2 and elapsed < 1.5


def test_client_needs_a_token():
    with pytest.raises(ValueError):
        OrdersClient("http://127.0.0.1:1", "")


def test_from_env_reads_the_documented_variables():
    c = OrdersClient.from_env({"ORDERS_API_URL": "http://orders:9000/", "ORDERS_READ_TOKEN": "t" * 20,
                               "ORDERS_API_RETRIES": "4"})
    assert c.base_url == "http://orders:9000" and c.retries == 4
