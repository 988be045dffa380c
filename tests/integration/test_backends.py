"""Each backing server is real: a round trip through the official clients."""
import asyncio
import json
import os
import uuid

import pytest
import redis.asyncio as aioredis
from confluent_kafka import Producer
from neo4j import AsyncGraphDatabase

from ops.settings import backends
from tests.integration.kafka_helpers import read_json_messages

pytestmark = pytest.mark.services


async def test_redis_round_trip(backing_servers):
    client = aioredis.from_url(backends().redis_url)
    key = f"test:{uuid.uuid4().hex}"
    try:
        await client.set(key, "值 value", ex=60)
        assert (await client.get(key)).decode() == "值 value"
    finally:
        await client.delete(key)
        await client.close()


async def test_neo4j_create_and_match_over_bolt(backing_servers):
    found = backends()
    marker = uuid.uuid4().hex
    async with AsyncGraphDatabase.driver(
        found.neo4j_uri, auth=(found.neo4j_user, os.environ["NEO4J_PASSWORD"])
    ) as driver:
        try:
            await driver.execute_query("CREATE (:TestNode {marker: $marker, name: '测试'})",
                                       marker=marker)
            records, _, _ = await driver.execute_query(
                "MATCH (n:TestNode {marker: $marker}) RETURN n.name AS name", marker=marker)
            assert [r["name"] for r in records] == ["测试"]
        finally:
            await driver.execute_query("MATCH (n:TestNode {marker: $marker}) DELETE n",
                                       marker=marker)


async def test_kafka_produce_and_consume(backing_servers):
    topic = f"test-{uuid.uuid4().hex[:8]}"
    payload = {"id": uuid.uuid4().hex, "text": "你好 Kafka"}
    producer = Producer({"bootstrap.servers": backends().kafka_bootstrap})
    producer.produce(topic, json.dumps(payload).encode())
    assert await asyncio.to_thread(producer.flush, 10) == 0, "message not delivered"
    received = await read_json_messages(topic, lambda got: payload in got)
    assert payload in received
