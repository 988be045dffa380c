"""Reading a Kafka topic in tests, from its start or from where it ended before the test acted
(confluent_kafka is synchronous: run it in a thread)."""
import asyncio
import json
import time
import uuid
from typing import Callable, List, Optional

from confluent_kafka import Consumer, TopicPartition

from ops.settings import backends


def _consumer(bootstrap: Optional[str]) -> Consumer:
    return Consumer({
        "bootstrap.servers": bootstrap or backends().kafka_bootstrap,
        "group.id": f"test-{uuid.uuid4().hex}",  # a new group reads the topic from the beginning
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })


def topic_end_sync(topic: str, bootstrap: Optional[str] = None) -> Optional[List[TopicPartition]]:
    """Where each partition of the topic ends now; None when the topic does not exist yet."""
    consumer = _consumer(bootstrap)
    try:
        metadata = consumer.list_topics(topic, timeout=10).topics.get(topic)
        if metadata is None or metadata.error is not None or not metadata.partitions:
            return None
        return [TopicPartition(topic, partition, consumer.get_watermark_offsets(
                    TopicPartition(topic, partition), timeout=10)[1])
                for partition in metadata.partitions]
    finally:
        consumer.close()


def read_json_messages_sync(topic: str, done: Callable[[List[dict]], bool], timeout: float,
                            bootstrap: Optional[str] = None,
                            start: Optional[List[TopicPartition]] = None) -> List[dict]:
    """Reads the topic from `start` (see topic_end_sync; default: its beginning) until
    done(messages so far) or the timeout."""
    consumer = _consumer(bootstrap)
    if start:
        consumer.assign(start)
    else:
        consumer.subscribe([topic])
    found: List[dict] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not done(found):
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            found.append(json.loads(message.value()))
    finally:
        consumer.close()
    return found


async def topic_end(topic: str) -> Optional[List[TopicPartition]]:
    return await asyncio.to_thread(topic_end_sync, topic)


async def read_json_messages(topic: str, done: Callable[[List[dict]], bool], timeout: float = 30.0,
                             start: Optional[List[TopicPartition]] = None) -> List[dict]:
    return await asyncio.to_thread(read_json_messages_sync, topic, done, timeout, None, start)
