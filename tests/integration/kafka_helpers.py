"""Reading a Kafka topic from the start in tests (confluent_kafka is synchronous: run it in a thread)."""
import asyncio
import json
import time
import uuid
from typing import Callable, List, Optional

from confluent_kafka import Consumer

from ops.settings import backends


def read_json_messages_sync(topic: str, done: Callable[[List[dict]], bool], timeout: float,
                            bootstrap: Optional[str] = None) -> List[dict]:
    """Reads the topic from its beginning until done(messages so far) or the timeout."""
    consumer = Consumer({
        "bootstrap.servers": bootstrap or backends().kafka_bootstrap,
        "group.id": f"test-{uuid.uuid4().hex}",  # a new group reads the topic from the beginning
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
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


async def read_json_messages(topic: str, done: Callable[[List[dict]], bool],
                             timeout: float = 30.0) -> List[dict]:
    return await asyncio.to_thread(read_json_messages_sync, topic, done, timeout)
