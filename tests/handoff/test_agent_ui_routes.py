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
