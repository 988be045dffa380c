"""Hostile and broken requests get a clear 4xx, and the service keeps its state and keeps serving."""
import os

import aiohttp
import pytest

from handoff.auth import issue_token
from tests.handoff.conftest import PASSWORD, packet, post_handoff

SERVICE_TOKEN = os.environ.get("HANDOFF_SERVICE_TOKEN", "")


async def status_and_body(method: str, url: str, **kwargs):
    async with aiohttp.ClientSession() as http:
        async with http.request(method, url, **kwargs) as response:
            return response.status, await response.json()


@pytest.mark.parametrize("path,method", [
    ("/api/handoffs", "GET"), ("/api/handoffs", "POST"), ("/api/handoffs/x/accept", "POST"),
    ("/api/presence", "PUT"), ("/api/conversations/c1/handoff", "GET"), ("/ws", "GET"),
])
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic abc"])
async def test_calls_without_valid_credentials_get_401(handoff_service, path, method, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    status, body = await status_and_body(method, handoff_service.url + path, headers=headers, json={})
    assert status == 401 and body["error"]


async def test_an_expired_token_and_a_disabled_agent_get_401(handoff_service, agent_clients):
    settings = handoff_service.settings
    expired, _ = issue_token("ghost", "agent", settings.token_secret, ttl_seconds=-10)
    status, body = await status_and_body("GET", handoff_service.url + "/api/handoffs",
                                         headers={"Authorization": f"Bearer {expired}"})
    assert status == 401 and "expired" in body["error"]

    agent = await agent_clients("soon-gone", connect=False)
    record = await handoff_service.store.agent("soon-gone")
    record.disabled = True
    await handoff_service.store.save_agent(record)
    await agent.call("GET", "/api/handoffs", expect=401)
    status, _ = await status_and_body("POST", handoff_service.url + "/api/login",
                                      json={"username": "soon-gone", "password": PASSWORD})
    assert status == 401


async def test_agents_cannot_create_handoffs_nor_touch_anothers_conversation(handoff_service, agent_clients):
    owner = await agent_clients("owner", skills=("orders",))
    other = await agent_clients("other", skills=("returns",))
    await other.call("POST", "/api/handoffs", packet(), expect=403)
    created = await post_handoff(handoff_service.url, SERVICE_TOKEN, packet())
    await owner.next_frame("offer")
    await owner.call("POST", f"/api/handoffs/{created['handoff_id']}/accept")
    for action, body in (("accept", {}), ("messages", {"text": "hi"}), ("handback", {}),
                         ("close", {"resolution": "resolved"}), ("transfer", {"skill": "orders"})):
        await other.call("POST", f"/api/handoffs/{created['handoff_id']}/{action}", body, expect=403)
    assert (await handoff_service.store.handoff(created["handoff_id"]))["agent"] == "owner"


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
async def test_malformed_json_gets_400_and_queues_nothing(handoff_service, body):
    status, reply = await status_and_body("POST", handoff_service.url + "/api/handoffs", data=body,
                                          headers={"Authorization": f"Bearer {SERVICE_TOKEN}",
                                                   "Content-Type": "application/json"})
    assert status == 400 and reply["error"]
    assert await handoff_service.store.waiting_ids() == []


@pytest.mark.parametrize("change,field", [
    ({"language": "fr"}, "language"), ({"conversation_id": "   "}, "conversation_id"),
    ({"customer": {"tier": "platinum"}}, "customer.tier"), ({"last_turns": "all of them"}, "last_turns"),
    ({"slots": ["a"]}, "slots"),
])
async def test_a_bad_packet_names_the_field(handoff_service, change, field):
    status, reply = await status_and_body("POST", handoff_service.url + "/api/handoffs", json=packet(**change),
                                          headers={"Authorization": f"Bearer {SERVICE_TOKEN}"})
    assert status == 400 and field in reply["error"]


async def test_oversized_messages_and_bodies_are_refused_and_the_conversation_goes_on(handoff_service,
                                                                                      agent_clients):
    agent = await agent_clients("li", skills=("orders",))
    created = await post_handoff(handoff_service.url, SERVICE_TOKEN, packet())
    await agent.next_frame("offer")
    await agent.send({"type": "accept", "handoff_id": created["handoff_id"]})
    limit = handoff_service.settings.max_message_chars
    refused = await agent.send({"type": "message", "handoff_id": created["handoff_id"], "text": "x" * (limit + 1)})
    assert refused["type"] == "error" and refused["status"] == 400 and "too long" in refused["error"]
    too_big = await agent.call("POST", f"/api/handoffs/{created['handoff_id']}/messages",
                               {"text": "y" * 300_000}, expect=413)
    assert "bytes" in too_big["error"]
    for frame in ({"type": "dance"}, {"v": 99, "type": "ping"}):
        answer = await agent.send(frame)
        assert answer["type"] == "error" and answer["status"] == 400
    assert (await agent.send({"type": "ping"}))["result"] == "pong"  # the socket still works
    assert (await handoff_service.store.handoff(created["handoff_id"]))["status"] == "assigned"


async def test_a_frame_over_the_size_limit_closes_only_that_socket(handoff_service, agent_clients):
    agent = await agent_clients("big", skills=("orders",))
    await agent.socket.send_str("x" * (70 * 1024))
    await agent._reader
    assert agent.socket.closed
    status, body = await status_and_body("GET", handoff_service.url + "/health")
    assert status == 200 and body["status"] == "ok"
