"""A real Rasa server with the trained model, its Redis tracker store and its Kafka event broker."""
import json

import aiohttp
import pytest
import redis.asyncio as aioredis

from ops.settings import backends, rasa_environment
from tests.integration.conversation import Customer
from tests.integration.kafka_helpers import read_json_messages, topic_end

pytestmark = [pytest.mark.services, pytest.mark.rasa]


async def test_greeting_in_chinese(rasa_server):
    assert "您好" in await Customer(rasa_server.address()).say("你好")


async def test_greeting_in_english(rasa_server):
    reply = await Customer(rasa_server.address()).say("hello")
    assert reply.startswith("Hi!"), reply


async def test_tracker_is_in_redis_and_events_are_on_kafka(rasa_server, sender_id):
    topic = rasa_environment()["KAFKA_EVENTS_TOPIC"]
    # Read only what this conversation adds: from the beginning, a topic that benches have filled
    # took longer than the reading timeout.
    start = await topic_end(topic)
    customer = Customer(rasa_server.address(), sender_id)
    await customer.say("hello")
    await customer.say("bye")

    client = aioredis.from_url(backends().redis_url)
    try:
        stored = await client.get(f"cs:tracker:{sender_id}")
    finally:
        await client.close()
    assert stored is not None, "tracker not saved in Redis"
    user_texts = [e.get("text") for e in json.loads(stored)["events"] if e["event"] == "user"]
    assert user_texts == ["hello", "bye"]

    def conversation_done(events):
        return sum(1 for e in events if e.get("sender_id") == sender_id and e["event"] == "bot") >= 2

    events = [e for e in await read_json_messages(topic, conversation_done, start=start)
              if e.get("sender_id") == sender_id]
    assert [e["text"] for e in events if e["event"] == "user"] == ["hello", "bye"]
    assert all(e["event"] != "user" or e["parse_data"]["intent"]["name"] for e in events)
    assert sum(1 for e in events if e["event"] == "bot") >= 2


async def test_http_api_requires_the_token(rasa_server, sender_id, rasa_token):
    url = f"{rasa_server.address()}/conversations/{sender_id}/tracker"
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            assert response.status == 401
        async with http.get(url, params={"token": rasa_token}) as response:
            assert response.status == 200
