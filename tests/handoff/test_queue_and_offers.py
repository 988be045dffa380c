"""Queueing, offers, accept, transfer and presence through the real service and Redis (no Rasa needed)."""
import asyncio
import json
import os

import pytest

from handoff.app import COMPONENTS
from tests.handoff.conftest import AgentClient, packet, post_handoff

SERVICE_TOKEN = os.environ.get("HANDOFF_SERVICE_TOKEN", "")


async def test_a_new_handoff_is_offered_to_the_matching_agent_with_its_context(handoff_service, agent_clients):
    zh_agent = await agent_clients("li", languages=("zh",), skills=("orders",))
    en_agent = await agent_clients("amy", languages=("en",), skills=("orders",))
    created = await post_handoff(handoff_service.url, SERVICE_TOKEN, packet(language="zh"))
    assert created["status"] == "queued" and created["language_available"] is True
    assert created["position"] == 1 and created["expected_wait_seconds"] == 0  # li is free

    offer = await zh_agent.next_frame("offer")
    assert offer["v"] == 1
    assert offer["handoff"]["id"] == created["handoff_id"]
    assert offer["handoff"]["context"]["slots"] == {"order_id": "A1"}
    assert offer["handoff"]["context"]["intent_ranking"][0]["name"] == "request_human"
    assert not [f for f in en_agent.frames if f["type"] == "offer"]
    await en_agent.call("GET", f"/api/handoffs/{created['handoff_id']}", expect=403)


async def test_the_same_conversation_twice_gives_the_open_handoff(handoff_service, agent_clients):
    body = packet()
    first = await post_handoff(handoff_service.url, SERVICE_TOKEN, body)
    again = await post_handoff(handoff_service.url, SERVICE_TOKEN, body, expect=200)
    assert again["handoff_id"] == first["handoff_id"]
    assert await handoff_service.store.waiting_ids() == [first["handoff_id"]]


async def test_accept_gives_the_messages_logged_while_queued(handoff_service, agent_clients):
    agent = await agent_clients("li", skills=("orders",))
    created = await post_handoff(handoff_service.url, SERVICE_TOKEN, packet())
    service = handoff_service.app[COMPONENTS]["service"]
    conversation = (await handoff_service.store.handoff(created["handoff_id"]))["conversation_id"]
    await service.customer_message(conversation, "转人工", "m-1", None, {})  # in the packet already
    await service.customer_message(conversation, "还在吗", "m-2", None, {"intent": {"name": "greet"}})
    await service.customer_message(conversation, "还在吗", "m-2", None, {})  # Kafka redelivery

    await agent.next_frame("offer")
    accepted = await agent.send({"type": "accept", "handoff_id": created["handoff_id"]})
    assert accepted["type"] == "ok"
    assert [m["text"] for m in accepted["result"]["messages"]] == ["还在吗"]
    assert accepted["result"]["status"] == "assigned"


@pytest.fixture
async def impatient_service(service_factory):
    """Offers lapse after 1 s; agents count as silent after 2 s without a sign of life."""
    return await service_factory(offer_timeout_seconds=1.0, silent_agent_seconds=2.0)


@pytest.fixture
async def impatient_agents(impatient_service):
    clients = []

    async def make(name, connect=True, **fields):
        await impatient_service.add_agent(name, **fields)
        clients.append(await AgentClient(impatient_service.url, name).login())
        return await clients[-1].connect() if connect else clients[-1]

    yield make
    for client in clients:
        await client.close()


async def test_an_offer_not_accepted_in_time_goes_to_the_next_agent(impatient_service, impatient_agents):
    first = await impatient_agents("a1", skills=("orders",))  # idle longest: offered first
    second = await impatient_agents("a2", skills=("orders",))
    created = await post_handoff(impatient_service.url, SERVICE_TOKEN, packet())
    assert (await first.next_frame("offer"))["handoff"]["id"] == created["handoff_id"]
    await first.next_frame("offer_withdrawn", timeout=5)
    assert (await second.next_frame("offer", timeout=5))["handoff"]["id"] == created["handoff_id"]
    refused = await first.send({"type": "accept", "handoff_id": created["handoff_id"]})
    assert refused["type"] == "error" and refused["status"] == 403


async def test_transfer_to_a_skill_moves_the_conversation(handoff_service, agent_clients):
    orders = await agent_clients("ord", skills=("orders",))
    returns = await agent_clients("ret", skills=("returns",))
    created = await post_handoff(handoff_service.url, SERVICE_TOKEN, packet(topic="order_status"))
    await orders.next_frame("offer")
    await orders.call("POST", f"/api/handoffs/{created['handoff_id']}/accept")
    moved = await orders.call("POST", f"/api/handoffs/{created['handoff_id']}/transfer", {"skill": "returns"})
    assert moved["status"] == "queued" and moved["skill"] == "returns"
    offer = await returns.next_frame("offer")
    assert offer["handoff"]["id"] == created["handoff_id"]
    await orders.call("GET", f"/api/handoffs/{created['handoff_id']}", expect=403)


async def test_an_agent_going_offline_requeues_their_conversations_at_the_front(handoff_service, agent_clients):
    leaving = await agent_clients("leaving", skills=("orders",), capacity=1)
    created = await post_handoff(handoff_service.url, SERVICE_TOKEN, packet())
    await leaving.next_frame("offer")
    await leaving.call("POST", f"/api/handoffs/{created['handoff_id']}/accept")
    later = await post_handoff(handoff_service.url, SERVICE_TOKEN, packet())  # waits: leaving is full
    await leaving.call("PUT", "/api/presence", {"status": "offline"})
    newcomer = await agent_clients("newcomer", skills=("orders",), capacity=1)
    offer = await newcomer.next_frame("offer")
    assert offer["handoff"]["id"] == created["handoff_id"]  # ahead of the one that waited since
    assert later["handoff_id"] in await handoff_service.store.waiting_ids()


async def test_disabling_an_agent_sends_their_conversations_back_to_the_front(handoff_service, agent_clients):
    leaving = await agent_clients("leaving", skills=("orders",), capacity=1)
    created = await post_handoff(handoff_service.url, SERVICE_TOKEN, packet())
    await leaving.next_frame("offer")
    await leaving.call("POST", f"/api/handoffs/{created['handoff_id']}/accept")
    record = await handoff_service.store.agent("leaving")
    record.disabled = True  # what `python -m handoff agent disable leaving` writes
    await handoff_service.store.save_agent(record)
    newcomer = await agent_clients("newcomer", skills=("orders",), capacity=1)
    offer = await newcomer.next_frame("offer")
    assert offer["handoff"]["id"] == created["handoff_id"] and offer["handoff"]["front"] is True


async def test_positions_follow_priority_a_vip_complaint_jumps_ahead(handoff_service, agent_clients):
    normal = [await post_handoff(handoff_service.url, SERVICE_TOKEN, packet()) for _ in range(3)]
    vip = await post_handoff(handoff_service.url, SERVICE_TOKEN,
                             packet(topic="complain", reason="complaint", tier="vip"))
    assert [h["position"] for h in normal] == [1, 2, 3]
    assert vip["position"] == 1
    agent = await agent_clients("li", skills=("orders", "complaint"), capacity=1)
    offer = await agent.next_frame("offer")
    assert offer["handoff"]["id"] == vip["handoff_id"]
    assert offer["handoff"]["priority"] == "vip"


async def test_a_silent_agent_loses_their_conversations_to_the_front_of_the_queue(impatient_service,
                                                                                  impatient_agents):
    silent = await impatient_agents("silent", connect=False, skills=("orders",))  # no WebSocket
    await silent.call("PUT", "/api/presence", {"status": "online"})
    created = await post_handoff(impatient_service.url, SERVICE_TOKEN, packet())
    await silent.call("POST", f"/api/handoffs/{created['handoff_id']}/accept")
    await post_handoff(impatient_service.url, SERVICE_TOKEN, packet())  # waiting since after it
    await asyncio.sleep(3)  # longer than silent_agent_seconds, no sign of life
    assert (await impatient_service.store.presence("silent"))["status"] == "offline"
    present = await impatient_agents("present", skills=("orders",), capacity=1)
    offer = await present.next_frame("offer")
    assert offer["handoff"]["id"] == created["handoff_id"] and offer["handoff"]["front"] is True


async def test_everyone_watches_the_queue_and_a_new_socket_starts_with_it(handoff_service, agent_clients):
    supervisor = await agent_clients("boss", role="supervisor", presence="away")
    agent = await agent_clients("li", skills=("returns",))  # cannot take order conversations
    first = await post_handoff(handoff_service.url, SERVICE_TOKEN, packet())
    vip = await post_handoff(handoff_service.url, SERVICE_TOKEN, packet(tier="vip"))
    expected = [(vip["handoff_id"], 1, "vip"), (first["handoff_id"], 2, "normal")]
    for client in (supervisor, agent):
        queue = await client.next_frame("queue", lambda f: len(f["waiting"]) == 2)
        assert [(i["id"], i["position"], i["priority"]) for i in queue["waiting"]] == expected

    late = await agent_clients("zhao", skills=("returns",), capacity=4)
    hello = late.hello
    assert [(i["id"], i["position"], i["priority"]) for i in hello["queue"]] == expected
    assert hello["me"]["capacity"] == 4 and hello["me"]["skills"] == ["returns"]
    assert hello["limits"]["resolutions"] and hello["limits"]["sla_seconds"] > 0
    assert "password_hash" not in json.dumps(hello)