"""What the agent UI and the widget read from the service: pages, agents' load, canned responses."""
import os

import aiohttp
import pytest

from handoff.canned import CannedError, load_canned
from tests.handoff.conftest import packet, post_handoff

SERVICE_TOKEN = os.environ.get("HANDOFF_SERVICE_TOKEN", "")


async def test_supervisors_see_every_agent_with_presence_and_load(handoff_service, agent_clients):
    supervisor = await agent_clients("boss", role="supervisor", presence="away")
    agent = await agent_clients("li", skills=("orders",), capacity=2)
    created = await post_handoff(handoff_service.url, SERVICE_TOKEN, packet())
    await agent.next_frame("offer")
    await agent.send({"type": "accept", "handoff_id": created["handoff_id"]})

    agents = {a["name"]: a for a in (await supervisor.call("GET", "/api/agents"))["agents"]}
    assert (agents["li"]["presence"], agents["li"]["load"], agents["li"]["capacity"]) == ("online", 1, 2)
    assert (agents["boss"]["presence"], agents["boss"]["load"]) == ("away", 0)
    assert all("password_hash" not in a for a in agents.values())
    refused = await agent.call("GET", "/api/agents", expect=403)
    assert "supervisors" in refused["error"]


async def test_canned_responses_come_in_both_languages(handoff_service, agent_clients):
    agent = await agent_clients("li")
    canned = await agent.call("GET", "/api/canned")
    assert set(canned) == {"zh", "en"} and canned["zh"] and canned["en"]
    assert all(set(entry) == {"title", "text"} for entries in canned.values() for entry in entries)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{handoff_service.url}/api/canned") as response:
            assert response.status == 401


def test_a_broken_canned_file_is_named_with_its_entry(tmp_path):
    (tmp_path / "zh.yml").write_text("- title: 问候\n  text: 您好\n- title: 只有标题\n", encoding="utf-8")
    with pytest.raises(CannedError, match=r"zh\.yml, entry 2: needs exactly a non-empty 'title' and 'text'"):
        load_canned(tmp_path)
    (tmp_path / "zh.yml").write_text("- title: [unclosed\n", encoding="utf-8")
    with pytest.raises(CannedError, match=r"zh\.yml: cannot read it"):
        load_canned(tmp_path)


async def test_the_pages_are_served(handoff_service):
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{handoff_service.url}/") as response:
            assert response.status == 200 and "/agent/app.js" in await response.text()
        async with http.get(f"{handoff_service.url}/agent/app.js") as response:
            assert response.status == 200 and "javascript" in response.content_type
        async with http.get(f"{handoff_service.url}/shop") as response:
            page = await response.text()
            assert "__RASA_URL__" not in page and handoff_service.settings.public_rasa_url in page
        async with http.get(f"{handoff_service.url}/widget/widget.js") as response:
            assert response.status == 200
        async with http.get(f"{handoff_service.url}/agent/../config.py") as response:
            assert response.status in (403, 404)


async def test_a_typing_customer_is_shown_to_their_agent_only_through_the_service_token(handoff_service,
                                                                                       agent_clients):
    agent = await agent_clients("li", skills=("orders",))
    conversation = packet()
    created = await post_handoff(handoff_service.url, SERVICE_TOKEN, conversation)
    path = f"/api/conversations/{conversation['conversation_id']}/typing"
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}) as service:
        async with service.post(handoff_service.url + path) as response:
            assert (response.status, await response.json()) == (202, {"shown": False})  # nobody has it yet
        await agent.next_frame("offer")
        await agent.send({"type": "accept", "handoff_id": created["handoff_id"]})
        async with service.post(handoff_service.url + path) as response:
            assert (await response.json()) == {"shown": True}
    typing = await agent.next_frame("typing")
    assert (typing["handoff_id"], typing["actor"]) == (created["handoff_id"], "customer")
    refused = await agent.call("POST", path, expect=403)
    assert "action server" in refused["error"]


async def test_the_agent_hears_when_a_supervisor_reassigns_their_conversation(handoff_service, agent_clients):
    supervisor = await agent_clients("boss", role="supervisor", presence="away")
    holder = await agent_clients("li", skills=("orders",))
    created = await post_handoff(handoff_service.url, SERVICE_TOKEN, packet())
    await holder.next_frame("offer")
    await holder.send({"type": "accept", "handoff_id": created["handoff_id"]})
    newcomer = await agent_clients("zhao", skills=("orders",))

    await supervisor.call("POST", f"/api/handoffs/{created['handoff_id']}/transfer", {"agent": "zhao"})
    moved = await holder.next_frame("handoff_updated")
    assert (moved["handoff"]["status"], moved["handoff"]["agent"]) == ("queued", "")
    offer = await newcomer.next_frame("offer")
    assert offer["handoff"]["id"] == created["handoff_id"]
