"""Service processes killed with SIGKILL, and two instances at once, against the real Redis and Kafka.

The customer side is Rasa's event stream: the test writes Rasa-shaped user events to a topic of its
own, which is exactly what Rasa's Kafka broker would publish.
"""
import asyncio
import json
import os
import signal
import time
import uuid

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from ops.apps import HandoffService
from ops.process import our_pid, start, stop
from ops.settings import backends
from tests.conftest import free_port
from tests.handoff.conftest import AgentClient, add_agent, packet, post_handoff, redis_store, wait_for_relay

pytestmark = pytest.mark.services
SERVICE_TOKEN = os.environ.get("HANDOFF_SERVICE_TOKEN", "")


@pytest.fixture
def events_topic():
    topic = f"handoff-test-events-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": backends().kafka_bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])[topic].result(30)
    yield topic
    admin.delete_topics([topic])


@pytest.fixture
def instances(events_topic, monkeypatch):
    """instances(relay=True) -> a started service process; all share one key prefix and group."""
    run_id = uuid.uuid4().hex[:8]
    started = []

    def make(relay: bool = True) -> HandoffService:
        monkeypatch.setenv("KAFKA_EVENTS_TOPIC", events_topic)
        monkeypatch.setenv("HANDOFF_RELAY", "on" if relay else "off")
        service = HandoffService(name=f"handoff-test-{run_id}-{len(started)}", port=free_port(),
                                 key_prefix=f"hotest{run_id}", kafka_group=f"handoff-test-{run_id}")
        start(service)
        started.append(service)
        return service

    yield make
    for service in started:
        stop(service)


def customer_says(topic: str, conversation_id: str, text: str) -> None:
    producer = Producer({"bootstrap.servers": backends().kafka_bootstrap})
    event = {"event": "user", "sender_id": conversation_id, "text": text, "timestamp": time.time(),
             "message_id": uuid.uuid4().hex, "parse_data": {"intent": {"name": "inform", "confidence": 0.9}},
             "input_channel": "rest"}
    producer.produce(topic, key=conversation_id, value=json.dumps(event, ensure_ascii=False))
    producer.flush(10)


@pytest.mark.timeout(180)
async def test_kill_9_loses_no_queued_or_assigned_conversation_nor_message(instances, events_topic):
    service = instances(relay=True)
    store = redis_store(service.key_prefix)
    await add_agent(store, "kim", skills=("orders",), capacity=1)
    agent = await AgentClient(service.address(), "kim").login()
    await agent.connect()
    await wait_for_relay(service.address())
    assigned = await post_handoff(service.address(), SERVICE_TOKEN, packet())
    await agent.next_frame("offer")
    await agent.send({"type": "accept", "handoff_id": assigned["handoff_id"]})
    queued = await post_handoff(service.address(), SERVICE_TOKEN, packet())  # kim is full: it waits
    conversation = (await store.handoff(assigned["handoff_id"]))["conversation_id"]
    customer_says(events_topic, conversation, "第一条")
    assert (await agent.next_frame("message"))["message"]["text"] == "第一条"

    os.kill(our_pid(service), signal.SIGKILL)
    await agent.close()
    customer_says(events_topic, conversation, "服务重启时发的")  # nobody is running to relay it
    stop(service)
    start(service)

    agent = await AgentClient(service.address(), "kim").login()
    listed = {h["id"]: h for h in (await agent.call("GET", "/api/handoffs"))["handoffs"]}
    assert listed[assigned["handoff_id"]]["status"] == "assigned" and listed[assigned["handoff_id"]]["agent"] == "kim"
    assert queued["handoff_id"] in await store.waiting_ids()
    deadline = time.monotonic() + 30
    while True:
        texts = [m["text"] for m in (await agent.call("GET", f"/api/handoffs/{assigned['handoff_id']}"))["messages"]]
        if texts == ["第一条", "服务重启时发的"]:
            break
        assert time.monotonic() < deadline, f"messages after the restart: {texts}"
        await asyncio.sleep(0.3)
    await agent.close()
    await store.redis.close()


@pytest.mark.timeout(180)
async def test_an_agent_on_one_instance_gets_messages_relayed_by_the_other(instances, events_topic):
    front = instances(relay=False)  # the agent's instance relays nothing itself
    back = instances(relay=True)
    store = redis_store(front.key_prefix)
    await add_agent(store, "lee", skills=("orders",))
    agent = await AgentClient(front.address(), "lee").login()
    await agent.connect()
    await wait_for_relay(back.address())
    created = await post_handoff(back.address(), SERVICE_TOKEN, packet())  # queued through the other one
    offer = await agent.next_frame("offer")
    await agent.send({"type": "accept", "handoff_id": offer["handoff"]["id"]})
    assert offer["handoff"]["id"] == created["handoff_id"]
    conversation = offer["handoff"]["conversation_id"]
    for text in ("一", "二", "三"):
        customer_says(events_topic, conversation, text)
    got = [(await agent.next_frame("message", timeout=15))["message"]["text"] for _ in range(3)]
    assert got == ["一", "二", "三"]
    await agent.close()
    await store.redis.close()
