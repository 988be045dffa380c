"""The widget's socket.io channel (bot/webchat.py): its typing webhook refuses bad calls, and its
session log (bot/webchat_log.py) keeps what a widget missed."""
import os
import uuid

import aiohttp
import pytest
import redis.asyncio as aioredis

from bot.webchat_log import KEEP_MESSAGES, SessionLog
from ops.settings import backends

pytestmark = [pytest.mark.services, pytest.mark.rasa]


async def post_typing(rasa_url: str, body, token=None):
    params = {"token": token} if token else {}
    data = body if isinstance(body, str) else None
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{rasa_url}/webhooks/socketio/typing", params=params, data=data,
                             json=None if data is not None else body) as response:
            return response.status, await response.text()


async def test_the_agent_typing_webhook_wants_the_token_and_both_fields(rasa_server, rasa_token):
    rasa = rasa_server.address()
    status, text = await post_typing(rasa, {"session_id": "s1", "agent": "wang"})
    assert status == 401 and "RASA_TOKEN" in text
    status, _ = await post_typing(rasa, {"session_id": "s1", "agent": "wang"}, token="not-the-token")
    assert status == 401
    status, text = await post_typing(rasa, {"session_id": "s1"}, token=rasa_token)
    assert status == 400 and "'agent'" in text
    status, _ = await post_typing(rasa, "{not json", token=rasa_token)
    assert status == 400
    status, text = await post_typing(rasa, {"session_id": "s1", "agent": "wang"}, token=rasa_token)
    assert status == 200 and "sent" in text


async def test_rasa_still_answers_after_bad_typing_webhooks(rasa_server, rasa_token):
    await post_typing(rasa_server.address(), "\x00\xff", token=rasa_token)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{rasa_server.address()}/status", params={"token": os.environ["RASA_TOKEN"]}) as answer:
            assert answer.status == 200


async def test_the_session_log_numbers_messages_and_returns_what_was_missed(backing_servers):
    redis = aioredis.Redis.from_url(backends().redis_url, decode_responses=True)
    log = SessionLog(redis, prefix=f"cstest{uuid.uuid4().hex[:8]}")
    try:
        first = await log.append("s1", {"text": "您好", "sender": {"actor": "agent", "agent": "王"}})
        second = await log.append("s1", {"text": "<b>两</b>"})
        await log.append("s2", {"text": "another customer"})
        assert (first["seq"], second["seq"]) == (1, 2)
        assert await log.after("s1", 0) == [first, second]
        assert await log.after("s1", 1) == [second]
        assert await log.after("s1", 2) == []
        for number in range(KEEP_MESSAGES + 5):
            await log.append("s3", {"text": str(number)})
        kept = await log.after("s3", 0)
        assert len(kept) == KEEP_MESSAGES and kept[-1]["seq"] == KEEP_MESSAGES + 5
    finally:
        keys = [key async for key in redis.scan_iter(match=f"{log.prefix}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.close()
