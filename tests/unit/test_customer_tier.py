"""The customer's tier for handoff routing: vip only when the order API says so, else regular."""
import asyncio

import pytest

from actions import customer_tier
from actions.identity import sign_customer_id
from orders import OrderApiUnavailable
from tests.unit.tracker_events import tracker, user

CUSTOMERS = {"C001": {"id": "C001", "tier": "regular"}, "C002": {"id": "C002", "tier": "vip"}}
ORDERS = {"A10001": "C001", "A10002": "C002", "A10003": "C002"}


class FakeOrders:
    """The order API's answers for the demo customers above; counts the calls."""

    def __init__(self, fail=False, delay=0.0):
        self.fail, self.delay, self.calls = fail, delay, []

    async def _answer(self, call):
        self.calls.append(call)
        await asyncio.sleep(self.delay)
        if self.fail:
            raise OrderApiUnavailable("down", code="unreachable")

    async def get_order(self, order_id):
        await self._answer(("get_order", order_id))
        return {"id": order_id, "customer": CUSTOMERS[ORDERS[order_id]]}

    async def list_customer_orders(self, customer_id):
        await self._answer(("list_customer_orders", customer_id))
        return [{"id": order_id} for order_id, owner in sorted(ORDERS.items(), reverse=True)
                if owner == customer_id]


@pytest.fixture
def orders(monkeypatch):
    fake = FakeOrders()
    monkeypatch.setattr(customer_tier, "orders_client", lambda: fake)
    monkeypatch.setenv("CUSTOMER_SIGNING_SECRET", "k" * 32)
    return fake


def customer_tracker(logged_in=None, verified_order=None):
    metadata = {"customer": {"id": logged_in, "signature": sign_customer_id(logged_in, "k" * 32)}} if logged_in else {}
    return tracker([user("人工", "request_human", metadata=metadata)], slots={"verified_order": verified_order})


async def test_the_owner_of_a_verified_order_has_its_tier(orders):
    assert await customer_tier.customer_tier(customer_tracker(verified_order="A10002")) == "vip"
    assert await customer_tier.customer_tier(customer_tracker(verified_order="A10001")) == "regular"


async def test_a_logged_in_customer_has_their_own_tier(orders):
    assert await customer_tier.customer_tier(customer_tracker(logged_in="C002")) == "vip"
    assert orders.calls == [("list_customer_orders", "C002"), ("get_order", "A10003")]


async def test_a_logged_in_customer_who_verified_someone_elses_order_keeps_their_own_tier(orders):
    assert await customer_tier.customer_tier(customer_tracker(logged_in="C001", verified_order="A10002")) == "regular"


async def test_an_unknown_customer_is_regular_without_asking(orders):
    assert await customer_tier.customer_tier(customer_tracker()) == "regular"
    assert orders.calls == []


async def test_a_down_order_api_means_regular(orders):
    orders.fail = True
    assert await customer_tier.customer_tier(customer_tracker(verified_order="A10002")) == "regular"


async def test_a_slow_order_api_does_not_hold_up_the_handoff(orders, monkeypatch):
    monkeypatch.setattr(customer_tier, "LOOKUP_SECONDS", 0.05)
    orders.delay = 1.0
    started = asyncio.get_running_loop().time()
    assert await customer_tier.customer_tier(customer_tracker(verified_order="A10002")) == "regular"
    assert asyncio.get_running_loop().time() - started < 0.5
