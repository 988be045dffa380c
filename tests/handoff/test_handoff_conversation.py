"""The whole handoff with real Redis, Kafka, Rasa, action server and handoff service processes.

A customer talks on the REST channel; an agent is an aiohttp WebSocket client. What the customer
gets outside their own requests (agent replies, notices) is read from the REST outbox.
"""
import asyncio
import os
import time

import aiohttp
import pytest
from actions.identity import sign_customer_id
from tests.handoff.conftest import PASSWORD, AgentClient, add_agent, close_every_open_handoff, redis_store, \
    wait_for_relay
from tests.integration.conversation import Customer

pytestmark = [pytest.mark.services, pytest.mark.rasa]


@pytest.fixture
async def handoff(apps):
    """The test handoff service, once its Kafka relay owns partitions, and its Redis store."""
    service = apps["handoff"]
    await wait_for_relay(service.address())
    store = redis_store(service.key_prefix)
    await close_every_open_handoff(store)
    yield service, store
    for agent in await store.agents():  # agents are per test; leave nobody online for the next one
        await store.set_presence(agent.name, "offline")
    await store.redis.close()


@pytest.fixture
async def agents(handoff):
    service, store = handoff
    made = []

    async def make(name, presence="online", **fields):
        await add_agent(store, name, **fields)
        client = await AgentClient(service.address(), name).login(PASSWORD)
        made.append(client)
        return await client.connect(presence)

    yield make
    for client in made:
        await client.close()


async def outbox(rasa_url: str, sender: str, containing: str, timeout: float = 15.0) -> list:
    """Messages Rasa sent the REST customer outside their requests, until one contains `containing`."""
    collected, deadline = [], time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while not any(containing in (m.get("text") or "") for m in collected):
            assert time.monotonic() < deadline, f"no {containing!r} in the outbox: {collected}"
            async with http.get(f"{rasa_url}/webhooks/rest/outbox", params={"sender": sender}) as response:
                collected += await response.json()
            await asyncio.sleep(0.2)
    return collected


def for_customer(customer: Customer):
    """Frames about this customer's conversation (earlier tests' customers may still be queued)."""
    return lambda frame: frame["handoff"]["conversation_id"] == customer.sender_id


async def tracker(rasa_url: str, sender: str) -> dict:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{rasa_url}/conversations/{sender}/tracker",
                            params={"token": os.environ["RASA_TOKEN"]}) as response:
            return await response.json()


async def test_customer_to_agent_and_back_to_the_bot(apps, handoff, agents):
    _, store = handoff
    rasa = apps["rasa"].address()
    agent = await agents("wang", skills=("general", "orders"), languages=("zh",))
    customer = Customer(rasa)
    await customer.say("我的订单到哪了")
    queued = await customer.say("转人工")
    assert "转接人工客服" in queued, customer

    offer = await agent.next_frame("offer", for_customer(customer), timeout=20)
    handoff_id = offer["handoff"]["id"]
    context = offer["handoff"]["context"]
    assert context["conversation_id"] == customer.sender_id
    assert context["language"] == "zh" and context["channel"] == "rest"
    assert context["intent_ranking"][0]["name"] == "request_human"
    assert [t["text"] for t in context["last_turns"] if t["actor"] == "customer"][-2:] == ["我的订单到哪了", "转人工"]

    assert await customer.say("订单号是 A123") == ""  # while queued: the bot stays quiet
    deadline = time.monotonic() + 20  # the relay logs it from Kafka; then the agent accepts
    while not [m for m in await store.messages(handoff_id) if m["text"] == "订单号是 A123"]:
        assert time.monotonic() < deadline, "the message sent while queued never reached the log"
        await asyncio.sleep(0.2)
    accepted = await agent.send({"type": "accept", "handoff_id": handoff_id})
    assert [m["text"] for m in accepted["result"]["messages"]] == ["订单号是 A123"], accepted

    for text in ("你好？", "我还在等"):
        assert await customer.say(text) == ""
    got = [await agent.next_frame("message", timeout=15), await agent.next_frame("message", timeout=15)]
    assert [frame["message"]["text"] for frame in got] == ["你好？", "我还在等"]
    waiting_since = (await store.handoff(handoff_id))["awaiting_reply_since"]  # supervisors' SLA clock
    assert waiting_since <= got[0]["message"]["timestamp"] + 1

    reply = await agent.send({"type": "message", "handoff_id": handoff_id, "text": "您好，我是小王，马上帮您查"})
    assert reply["type"] == "ok", reply
    await outbox(rasa, customer.sender_id, containing="您好，我是小王，马上帮您查")
    assert "awaiting_reply_since" not in await store.handoff(handoff_id)  # answered
    events = (await tracker(rasa, customer.sender_id))["events"]
    agent_events = [e for e in events if e["event"] == "bot" and e.get("metadata", {}).get("handoff")]
    assert {"actor": "agent", "agent": "wang", "handoff_id": handoff_id}.items() <= \
        agent_events[-1]["metadata"]["handoff"].items()

    await agent.call("POST", f"/api/handoffs/{handoff_id}/handback", {"slots": {"order_id": "A123"}})
    await outbox(rasa, customer.sender_id, containing="我回来了")  # the bot says it is back
    assert (await tracker(rasa, customer.sender_id))["slots"]["order_id"] == "A123"
    answer = await customer.say("X200有降噪吗")
    assert "X200" in answer and "降噪" in answer, customer  # the bot answers again, from the graph


async def test_two_fallbacks_in_a_row_escalate_with_the_reason(apps, handoff):
    _, store = handoff
    customer = Customer(apps["rasa"].address())
    await customer.say("hello")
    await customer.say("blorp zing wobble")
    assert "a person from our team is on the way" in await customer.say("flim flam zoodle"), customer
    handoff_id = await store.open_handoff_id(customer.sender_id)
    record = await store.handoff(handoff_id)
    assert record["reason"] == "fallback" and record["language"] == "en"
    assert await customer.say("hello?") == ""  # paused: the bot does not talk over the queue


async def test_a_vip_complaint_is_queued_ahead_of_earlier_customers(apps, handoff, agents):
    _, store = handoff
    rasa = apps["rasa"].address()
    earlier = [Customer(rasa) for _ in range(2)]
    for customer in earlier:
        await customer.say("转人工")
    signature = sign_customer_id("C001", os.environ["CUSTOMER_SIGNING_SECRET"])  # C001 is a VIP
    vip = Customer(rasa, metadata={"customer": {"id": "C001", "signature": signature}})
    await vip.say("你们的服务太差了，我要投诉")
    vip_handoff = await store.handoff(await store.open_handoff_id(vip.sender_id))
    assert vip_handoff["priority"] == "vip", vip

    agent = await agents("zhao", skills=("general", "complaint"), languages=("zh",), capacity=1)
    offer = await agent.next_frame("offer", timeout=20)
    assert offer["handoff"]["id"] == vip_handoff["id"]


async def test_closing_asks_for_a_rating_and_records_it(apps, handoff, agents):
    _, store = handoff
    rasa = apps["rasa"].address()
    agent = await agents("chen", skills=("general",), languages=("en",))
    customer = Customer(rasa)
    await customer.say("I want to talk to a human")
    offer = await agent.next_frame("offer", for_customer(customer), timeout=20)
    await agent.send({"type": "accept", "handoff_id": offer["handoff"]["id"]})
    await agent.call("POST", f"/api/handoffs/{offer['handoff']['id']}/close", {"resolution": "resolved"})
    question = [m for m in await outbox(rasa, customer.sender_id, containing="rate") if "rate" in m["text"]]
    assert [b["payload"] for b in question[0]["buttons"]] == ["5", "4", "3", "2", "1"]
    await customer.say("4")
    deadline = time.monotonic() + 15
    while (await store.handoff(offer["handoff"]["id"])).get("csat") != "4":
        assert time.monotonic() < deadline, "the rating was not recorded"
        await asyncio.sleep(0.3)
    assert (await customer.say("what payment methods do you accept")).strip(), customer


async def test_a_new_session_does_not_wake_a_paused_conversation(apps, handoff):
    """Rasa starts a new session after an hour of silence, which would drop the pause."""
    rasa = apps["rasa"].address()
    customer = Customer(rasa)
    await customer.say("转人工")
    two_hours_ago = time.time() - 7200
    async with aiohttp.ClientSession() as http:  # pretend the last message is two hours old
        async with http.post(f"{rasa}/conversations/{customer.sender_id}/tracker/events",
                             params={"token": os.environ["RASA_TOKEN"]},
                             json=[{"event": "user", "text": "早上好", "timestamp": two_hours_ago,
                                    "parse_data": {"intent": {"name": "greet", "confidence": 1.0}}}]) as response:
            assert response.status == 200
    assert await customer.say("你好") == "", customer
    events = (await tracker(rasa, customer.sender_id))["events"]
    assert [e["event"] for e in events].count("session_started") >= 2, "no new session was started"
    assert events[-1]["event"] != "bot"
