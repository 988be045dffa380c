"""The queue's light reads (queue entries: no context packet) against the whole handoffs, on real Redis."""
import time
import uuid

import pytest

from handoff import routing
from handoff.packets import read_packet
from handoff.service import HandoffService, queue_view
from handoff.store import QUEUE_FIELDS, Agent, NotFound, waiting_for_routing
from tests.handoff.conftest import add_agent, packet, redis_store, service_settings


@pytest.fixture
async def store():
    store = redis_store(f"hotest{uuid.uuid4().hex[:10]}")
    yield store
    keys = [key async for key in store.redis.scan_iter(match=f"{store.prefix}:*")]
    if keys:
        await store.redis.delete(*keys)
    await store.redis.close()


async def queue(store, **packet_fields) -> str:
    """A new queued handoff, as POST /api/handoffs makes it; returns its id."""
    body = packet(**packet_fields)
    fields, message_ids = read_packet(body)
    return (await store.create_handoff(fields, body, message_ids))["id"]


async def mixed_queue(store) -> dict:
    """Handoffs in every state routing tells apart: priorities, languages, back at the front,
    offered, transferred to a named agent, with agents excluded and a position already stored."""
    ids = {"normal": await queue(store), "en": await queue(store, language="en", topic="faq"),
           "complaint": await queue(store, topic="complain"), "vip": await queue(store, tier="vip"),
           "front": await queue(store, topic="return_request"), "offered": await queue(store),
           "transferred": await queue(store, language="en")}
    await store.requeue(await store.handoff(ids["front"]), front=True, exclude="ann")
    await store.update_handoff(ids["offered"], status="offered", offered_to="bob",
                               offer_expires=time.time() + 30, position=4)
    await store.requeue(await store.handoff(ids["transferred"]), target_agent="cho", skill="returns")
    return ids


async def whole_handoffs(store) -> list:
    """The waiting handoffs read whole, context included: what the light read stands in for."""
    return [await store.handoff(handoff_id) for handoff_id in await store.waiting_ids()]


async def test_queue_entries_are_the_whole_handoffs_without_their_context(store):
    await mixed_queue(store)
    whole = await whole_handoffs(store)
    light = await store.waiting_queue()
    assert [entry["id"] for entry in light] == [handoff["id"] for handoff in whole]
    for entry, handoff in zip(light, whole):
        assert entry == {name: value for name, value in handoff.items() if name in QUEUE_FIELDS}
        assert "context" not in entry and handoff["context"]["slots"] == {"order_id": "A1"}
        assert await store.queue_entry(handoff["id"]) == entry


async def test_positions_and_the_queue_view_are_the_same_from_the_light_read(store):
    ids = await mixed_queue(store)
    whole, light = await whole_handoffs(store), await store.waiting_queue()
    positions = routing.queue_positions(waiting_for_routing(h) for h in light)
    assert positions == routing.queue_positions(waiting_for_routing(h) for h in whole)
    assert queue_view(light) == queue_view(whole)
    assert positions[ids["front"]] == 1 and positions[ids["vip"]] == 2 and positions[ids["complaint"]] == 3
    offered = next(item for item in queue_view(light) if item["id"] == ids["offered"])
    assert (offered["status"], offered["offered_to"]) == ("offered", "bob")


async def test_a_handoff_whose_hash_vanished_leaves_the_waiting_set(store):
    kept, gone = await queue(store), await queue(store)
    await store.redis.delete(store.key("handoff", gone))  # as if it had expired
    assert [entry["id"] for entry in await store.waiting_queue()] == [kept]
    assert await store.waiting_ids() == [kept]
    with pytest.raises(NotFound):
        await store.queue_entry(gone)


async def test_create_handoff_answers_the_handoff_as_stored(store):
    body = packet(tier="vip")
    fields, message_ids = read_packet(body)
    created = await store.create_handoff(fields, body, message_ids)
    assert created == await store.handoff(created["id"])
    assert created["context"] == body and created["front"] is False and created["excluded"] == []


async def test_one_round_withdraws_lapsed_offers_and_offers_to_absent_agents(store):
    """ann is offline, bob online but full (his pending offer): nothing is offered again."""
    await add_agent(store, "ann", capacity=1)
    await add_agent(store, "bob", capacity=1)
    await store.set_presence("bob", "online")
    to_absent, lapsed, pending = await queue(store), await queue(store), await queue(store)
    now = time.time()
    await store.update_handoff(to_absent, status="offered", offered_to="ann", offer_expires=now + 30)
    await store.update_handoff(lapsed, status="offered", offered_to="bob", offer_expires=now - 1)
    await store.update_handoff(pending, status="offered", offered_to="bob", offer_expires=now + 30)

    await HandoffService(store, rasa=None, settings=service_settings()).route()

    after = {entry["id"]: entry for entry in await store.waiting_queue()}
    assert (after[to_absent]["status"], after[to_absent]["excluded"]) == ("queued", ["ann"])
    assert (after[lapsed]["status"], after[lapsed]["excluded"]) == ("queued", ["bob"])
    assert (after[pending]["status"], after[pending]["offered_to"]) == ("offered", "bob")
    assert [after[h]["position"] for h in (to_absent, lapsed, pending)] == ["1", "2", "3"]


async def test_agents_and_their_states_read_in_batches_match_one_by_one_reads(store):
    """agents() and agent_states() read every agent in a few pipelined round trips; what they
    return is what reading each agent's account, presence and assignments alone gives."""
    for index in range(20):
        await add_agent(store, f"agent{index:02d}", languages=("zh",) if index % 2 else ("zh", "en"),
                        skills=("general", "returns") if index % 3 == 0 else ("general",),
                        capacity=2 + index % 3, translation=index % 4 == 0)
        if index % 5:
            await store.set_presence(f"agent{index:02d}", "online" if index % 5 != 4 else "away",
                                     now=1000.0 + index)
        if index % 3 == 1:
            await store.redis.sadd(store.key("assigned", f"agent{index:02d}"), *[f"h{n}" for n in range(1 + index % 4)])
    await store.save_agent(Agent("retired", "agent", ["zh"], ["general"], 3, disabled=True))
    await add_agent(store, "boss", role="admin")
    await store.redis.sadd(store.key("agents"), "ghost")  # listed, but its account is gone

    names = sorted(await store.redis.smembers(store.key("agents")))
    one_by_one = [agent for agent in [await store.agent(name) for name in names] if agent]
    assert await store.agents() == one_by_one and "ghost" not in {a.name for a in one_by_one}

    pending = {"agent03": 1, "agent07": 2}
    states = await store.agent_states(pending)
    assert [state.name for state in states] == [f"agent{index:02d}" for index in range(20)]
    for state in states:
        presence = await store.presence(state.name)
        held = await store.redis.scard(store.key("assigned", state.name))
        agent = await store.agent(state.name)
        assert state == routing.AgentState(
            name=agent.name, languages=frozenset(agent.languages), skills=frozenset(agent.skills),
            capacity=agent.capacity, presence=presence["status"], load=held + pending.get(agent.name, 0),
            idle_since=presence["idle_since"], translation=agent.translation)
    assert {state.presence for state in states} == {"offline", "online", "away"}
    assert max(state.load for state in states) >= 2


async def test_no_agents_read_as_none(store):
    assert await store.agents() == [] and await store.agent_states({}) == []
