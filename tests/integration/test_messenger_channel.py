"""Messenger (bot/messenger.py) and the callback channel through the real Rasa server, with local
stand-ins for Facebook's Graph API and the callback receiver (tests/fake_peers.py)."""
import hashlib
import hmac
import json
import os
import uuid

import aiohttp
import pytest

from tests.conftest import FAKE_CALLBACK_PORT, FAKE_GRAPH_API_PORT, TEST_PAGE_ID
from tests.fake_peers import CallbackReceiver, FakeGraphApi
from tests.handoff.conftest import PASSWORD, AgentClient, add_agent, close_every_open_handoff, redis_store, \
    wait_for_relay

pytestmark = [pytest.mark.services, pytest.mark.rasa]


@pytest.fixture
async def graph_api():
    server = await FakeGraphApi(FAKE_GRAPH_API_PORT).start()
    yield server
    await server.stop()


def page_event(psid: str, text: str = None, page_id: str = TEST_PAGE_ID, quick_reply: str = None) -> dict:
    message = {"mid": f"m.{uuid.uuid4().hex}", "text": text}
    if quick_reply:
        message["quick_reply"] = {"payload": quick_reply}
    return {"object": "page", "entry": [{"id": page_id, "time": 1, "messaging": [
        {"sender": {"id": psid}, "recipient": {"id": page_id}, "timestamp": 1, "message": message}]}]}


def signed(body: bytes, secret: str = None) -> dict:
    digest = hmac.new((secret or os.environ["MESSENGER_APP_SECRET"]).encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


async def post_webhook(rasa_url: str, body: bytes, headers: dict):
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{rasa_url}/webhooks/facebook/webhook", data=body, headers=headers) as answer:
            return answer.status, await answer.text()


async def user_texts(rasa_url: str, sender: str) -> list:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{rasa_url}/conversations/{sender}/tracker",
                            params={"token": os.environ["RASA_TOKEN"]}) as answer:
            return [e.get("text") for e in (await answer.json()).get("events", []) if e["event"] == "user"]


def to(psid: str):
    return lambda body: body["recipient"]["id"] == psid


async def test_a_signed_message_gets_the_bots_reply_through_the_graph_api(rasa_server, graph_api):
    psid = f"psid-{uuid.uuid4().hex[:10]}"
    body = json.dumps(page_event(psid, "你好")).encode()
    assert await post_webhook(rasa_server.address(), body, signed(body)) == (200, "EVENT_RECEIVED")
    reply = await graph_api.wait_for(to(psid))
    assert reply["messaging_type"] == "RESPONSE"
    assert "您好" in reply["message"]["text"]


async def test_buttons_become_messenger_quick_replies_and_their_payload_comes_back(rasa_server, graph_api):
    psid = f"psid-{uuid.uuid4().hex[:10]}"
    body = json.dumps(page_event(psid, "asdkjh qwpoeiru zxmnb")).encode()  # not understood: suggestions
    await post_webhook(rasa_server.address(), body, signed(body))
    offer = await graph_api.wait_for(lambda b: to(psid)(b) and b["message"].get("quick_replies"))
    replies = offer["message"]["quick_replies"]
    assert all(r["content_type"] == "text" and 0 < len(r["title"]) <= 20 and r["payload"] for r in replies)

    chosen = replies[0]
    body = json.dumps(page_event(psid, chosen["title"], quick_reply=chosen["payload"])).encode()
    await post_webhook(rasa_server.address(), body, signed(body))
    assert chosen["payload"] in await user_texts(rasa_server.address(), psid)  # the payload, not the title


async def test_an_agents_reply_during_a_handoff_goes_out_through_messenger(apps, rasa_server, graph_api):
    service = apps["handoff"]
    await wait_for_relay(service.address())
    store = redis_store(service.key_prefix)
    await close_every_open_handoff(store)
    name = f"fb{uuid.uuid4().hex[:6]}"
    await add_agent(store, name, languages=("zh", "en"), skills=("general",), capacity=3)
    agent = await (await AgentClient(service.address(), name).login(PASSWORD)).connect("online")
    try:
        psid = f"psid-{uuid.uuid4().hex[:10]}"
        body = json.dumps(page_event(psid, "转人工")).encode()
        await post_webhook(rasa_server.address(), body, signed(body))
        offer = await agent.next_frame("offer", lambda f: f["handoff"]["conversation_id"] == psid, timeout=30)
        assert offer["handoff"]["channel"] == "facebook"
        await agent.send({"type": "accept", "handoff_id": offer["handoff"]["id"]})
        answer = await agent.send({"type": "message", "handoff_id": offer["handoff"]["id"], "text": "您好，我是客服"})
        assert answer["type"] == "ok", answer
        sent = await graph_api.wait_for(lambda b: to(psid)(b) and b["message"].get("text") == "您好，我是客服")
        assert (sent["messaging_type"], sent["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    finally:
        await agent.close()
        await store.set_presence(name, "offline")
        await store.redis.close()


async def test_forged_missing_malformed_and_foreign_webhooks_are_refused_and_nothing_is_processed(
        rasa_server, graph_api):
    rasa = rasa_server.address()
    psid = f"psid-{uuid.uuid4().hex[:10]}"
    body = json.dumps(page_event(psid, "你好")).encode()
    assert (await post_webhook(rasa, body, signed(body, secret="not-the-app-secret")))[0] == 403
    assert (await post_webhook(rasa, body, {"Content-Type": "application/json"}))[0] == 403
    attacker = f"psid-{uuid.uuid4().hex[:10]}"
    tampered = body.replace(psid.encode(), attacker.encode())  # a valid signature of another body
    assert (await post_webhook(rasa, tampered, signed(body)))[0] == 403
    broken = b'{"object": "page", "entry": ['
    assert (await post_webhook(rasa, broken, signed(broken)))[0] == 400
    foreign = json.dumps(page_event(psid, "你好", page_id="someone-elses-page")).encode()
    assert (await post_webhook(rasa, foreign, signed(foreign)))[0] == 200  # acknowledged, ignored
    assert await user_texts(rasa, psid) == [] and await user_texts(rasa, attacker) == []
    log = rasa_server.log_file.read_text(errors="replace")
    assert "missing or wrong signature" in log and "not JSON" in log and "someone-elses-page" in log

    body = json.dumps(page_event(psid, "hello")).encode()  # and the server keeps serving
    assert (await post_webhook(rasa, body, signed(body)))[0] == 200
    assert "hello" in await user_texts(rasa, psid)


async def test_the_subscription_handshake_needs_the_verify_token(rasa_server):
    url = f"{rasa_server.address()}/webhooks/facebook/webhook"
    async with aiohttp.ClientSession() as http:
        params = {"hub.mode": "subscribe", "hub.challenge": "1158201444",
                  "hub.verify_token": os.environ["MESSENGER_VERIFY_TOKEN"]}
        async with http.get(url, params=params) as answer:
            assert (answer.status, await answer.text()) == (200, "1158201444")
        async with http.get(url, params={**params, "hub.verify_token": "guess"}) as answer:
            assert answer.status == 403


async def test_the_callback_channel_posts_the_bots_replies_to_the_callback_url(rasa_server):
    receiver = await CallbackReceiver(FAKE_CALLBACK_PORT).start()
    try:
        sender = f"cb-{uuid.uuid4().hex[:10]}"
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{rasa_server.address()}/webhooks/callback/webhook",
                                 json={"sender": sender, "message": "hello"}) as answer:
                assert answer.status == 200
        reply = await receiver.wait_for(lambda body: body.get("recipient_id") == sender)
        assert "Hi" in reply["text"] or "Hello" in reply["text"]
    finally:
        await receiver.stop()
