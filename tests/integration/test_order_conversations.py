"""Order conversations end to end: REST channel -> Rasa -> action server -> the real order API.

The order API runs on a fresh copy of the deterministic demo data (tests/conftest.py), so the
orders, their states and their customers' phones are known from orders.seed.build_dataset().
Every order a test changes is used by that test only.
"""
import os
from datetime import timedelta

import pytest

from actions.identity import sign_customer_id
from ops.process import start, stop

from orders import OrdersClient
from orders.clock import utcnow
from orders.seed import build_dataset
from tests.integration.conversation import Customer

pytestmark = [pytest.mark.services, pytest.mark.rasa]

DEMO = build_dataset()
PHONES = {c["id"]: "".join(ch for ch in c["phone"] if ch.isdigit()) for c in DEMO.customers}
LANGUAGE_OF = {c["id"]: c["language"] for c in DEMO.customers}
_taken = set()


def demo_order(status, language=None, delivered_within=None, delivered_before=None):
    """A demo order no other test has used, with its phone's last four digits."""
    now = utcnow()
    for order in DEMO.orders:
        if order["id"] in _taken or order["status"] != status:
            continue
        if language and LANGUAGE_OF[order["customer_id"]] != language:
            continue
        delivered = order["delivered_at"]
        if delivered_within and not (delivered and now - delivered < timedelta(days=delivered_within)):
            continue
        if delivered_before and not (delivered and now - delivered > timedelta(days=delivered_before)):
            continue
        _taken.add(order["id"])
        return order["id"], PHONES[order["customer_id"]][-4:]
    pytest.fail(f"the demo data has no unused {status} order ({language})")


@pytest.fixture
async def order_api(apps):
    client = OrdersClient(apps["orders"].address(), os.environ["ORDERS_ADMIN_TOKEN"])
    yield client
    await client.close()


@pytest.fixture
def customer(apps):
    return Customer(apps["rasa"].address())


def wrong_digits(last4: str) -> str:
    return "".join(str((int(d) + 1) % 10) for d in last4)


async def test_status_of_a_shipped_order_names_carrier_and_latest_location(customer, order_api):
    order_id, _ = demo_order("in_transit", "en")
    tracking = await order_api.get_tracking(order_id)
    answer = await customer.say(f"where is my order {order_id}?")
    assert tracking["carrier"] in answer, customer
    assert tracking["events"][-1]["location"] in answer, customer
    assert "in transit" in answer
    assert f"Expected delivery: {tracking['estimated_delivery'][:10]}" in answer, customer


async def test_status_in_chinese_asks_for_the_order_id_first(customer, order_api):
    order_id, _ = demo_order("shipped", "zh")
    tracking = await order_api.get_tracking(order_id)
    assert "订单号" in await customer.say("我的快递到哪了")
    answer = await customer.say(order_id)
    assert "已发货" in answer and tracking["carrier"] in answer, customer


async def test_address_change_before_shipping_updates_the_order(customer, order_api):
    order_id, last4 = demo_order("paid", "en")
    await customer.say("I need to change the delivery address")
    assert "last 4 digits" in await customer.say(order_id), customer
    assert "new delivery address" in await customer.say(last4), customer
    new_address = "88 Harbour Road, Apt 5, Seattle, WA 98101"
    assert new_address in await customer.say(new_address), customer
    assert "Done" in await customer.say("yes"), customer
    assert (await order_api.get_order(order_id))["shipping_address"] == new_address


async def test_address_change_in_chinese_after_confirmation(customer, order_api):
    order_id, last4 = demo_order("pending_payment", "zh")
    await customer.say(f"帮我改一下订单{order_id}的收货地址")
    await customer.say(f"尾号{last4}")
    new_address = "上海市浦东新区世纪大道100号8栋1201室"
    assert "确认" in await customer.say(new_address), customer
    assert "已将订单" in await customer.say("对的"), customer
    assert (await order_api.get_order(order_id))["shipping_address"] == new_address


async def test_address_change_after_shipping_is_refused_with_the_reason(customer, order_api):
    order_id, last4 = demo_order("shipped", "en")
    before = (await order_api.get_order(order_id))["shipping_address"]
    await customer.say(f"can you change the address on order {order_id}")
    answer = await customer.say(last4)
    assert "shipped" in answer and "can no longer be changed" in answer, customer
    assert (await order_api.get_order(order_id))["shipping_address"] == before


async def test_cancel_works_before_shipping(customer, order_api):
    order_id, last4 = demo_order("paid", "zh")
    await customer.say(f"我要取消订单 {order_id}")
    assert "确认取消" in await customer.say(last4), customer
    assert "已取消" in await customer.say("确认"), customer
    assert (await order_api.get_order(order_id))["status"] == "cancelled"


async def test_cancel_is_refused_when_shipped(customer, order_api):
    order_id, last4 = demo_order("in_transit", "en")
    await customer.say(f"please cancel order {order_id}")
    answer = await customer.say(f"the last four are {last4}")
    assert "can't be cancelled" in answer and "in transit" in answer, customer
    assert (await order_api.get_order(order_id))["status"] == "in_transit"


async def test_return_within_seven_days_gives_a_return_id(customer, order_api):
    order_id, last4 = demo_order("delivered", "en", delivered_within=6)
    await customer.say(f"I want to return order {order_id}")
    await customer.say(last4)
    assert "Start a return" in await customer.say("it's too small"), customer
    answer = await customer.say("yes please")
    order = await order_api.get_order(order_id)
    assert order["status"] == "return_requested"
    assert order["return"]["id"] in answer, customer


async def test_return_after_seven_days_is_refused(customer, order_api):
    order_id, last4 = demo_order("delivered", "zh", delivered_before=8)
    await customer.say(f"订单{order_id}我想退货")
    answer = await customer.say(last4)
    assert "无法申请退货" in answer, customer
    assert (await order_api.get_order(order_id))["status"] == "delivered"


async def test_someone_elses_order_reveals_nothing_and_three_failures_offer_a_human(customer, order_api):
    order_id, last4 = demo_order("paid")
    order = await order_api.get_order(order_id)
    private = [order["shipping_address"], PHONES[order["customer"]["id"]], order["customer"]["name"],
               *[item["sku"] for item in order["items"]]]
    await customer.say(f"change the address of {order_id}")
    for _ in range(3):
        answer = await customer.say(wrong_digits(last4))
    assert "couldn't confirm" in answer and "[Talk to a person]" in answer, customer
    assert [value for value in private if value in str(customer)] == []
    assert (await order_api.get_order(order_id))["shipping_address"] == order["shipping_address"]


async def test_a_logged_in_customer_skips_verification_for_their_own_order(apps, order_api):
    order_id, _ = demo_order("pending_payment", "en")
    owner = (await order_api.get_order(order_id))["customer"]["id"]
    signature = sign_customer_id(owner, os.environ["CUSTOMER_SIGNING_SECRET"])
    customer = Customer(apps["rasa"].address(), metadata={"customer": {"id": owner, "signature": signature}})
    await customer.say(f"please cancel my order {order_id}")
    assert "Cancel order" in str(customer) and "last 4 digits" not in str(customer), customer
    assert "cancelled" in await customer.say("yes"), customer
    assert (await order_api.get_order(order_id))["status"] == "cancelled"


async def test_a_forged_login_still_has_to_verify(apps):
    order_id, _ = demo_order("pending_payment")
    customer = Customer(apps["rasa"].address(), metadata={"customer": {"id": "C001", "signature": "0" * 64}})
    assert "last 4 digits" in await customer.say(f"cancel order {order_id}"), customer


async def test_malformed_and_sql_looking_order_ids_get_a_clear_answer(customer):
    await customer.say("where is my order")
    assert "letter A and 5 digits" in await customer.say("order 12345"), customer
    # Only the well-formed id inside is used; the rest of the text never reaches a query.
    assert "Order A10023:" in await customer.say("A10023' OR 1=1 --"), customer


async def test_a_10kb_address_is_refused_and_nothing_changes(customer, order_api):
    order_id, last4 = demo_order("pending_payment")
    before = (await order_api.get_order(order_id))["shipping_address"]
    await customer.say(f"I want to change the address of {order_id}")
    await customer.say(last4)
    answer = await customer.say("Main Street " * 900)
    assert "too long" in answer, customer
    assert (await order_api.get_order(order_id))["shipping_address"] == before


async def test_a_down_order_api_gets_a_clear_answer_and_an_offer_of_a_person(apps, customer):
    """Runs last in this module: it stops the order API and starts it again on the same data."""
    stop(apps["orders"])
    try:
        answer = await customer.say("where is my order A10002")
        assert "isn't reachable" in answer and "[Talk to a person]" in answer, customer
    finally:
        start(apps["orders"])
