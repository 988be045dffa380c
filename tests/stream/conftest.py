"""The stream processor against the real Kafka. Each test has its own event topic (standing in for
Rasa's), envelope topic and consumer group, so tests never see each other's records nor Rasa's.

Helpers here write Rasa-shaped events (what Rasa's Kafka broker publishes: the event's dict plus
sender_id, keyed by sender id) and read a topic back whole.
"""
import json
import os
import shutil
import time
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import pytest
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from ops.apps import StreamProcessor
from ops.devenv import load_dev_env
from ops.process import free_port, start, stop
from ops.settings import backends

load_dev_env()  # STREAM_PSEUDONYM_KEY: the processes started here inherit it
KEY = os.environ["STREAM_PSEUDONYM_KEY"].encode()


def user_event(sender_id: str, text: str, timestamp: float, intent: str = "inform",
               confidence: float = 0.91, language: Optional[str] = "zh", channel: str = "rest") -> Dict[str, Any]:
    entities = [{"entity": "language", "value": language, "start": 0, "end": len(text),
                 "confidence": 1.0, "extractor": "LanguageDetector"}] if language else []
    return {"event": "user", "sender_id": sender_id, "timestamp": timestamp, "text": text,
            "parse_data": {"intent": {"name": intent, "confidence": confidence}, "entities": entities,
                           "text": text, "message_id": uuid.uuid4().hex},
            "input_channel": channel, "message_id": uuid.uuid4().hex, "metadata": {}}


def bot_event(sender_id: str, text: str, timestamp: float, actor: Optional[str] = None) -> Dict[str, Any]:
    metadata = {"handoff": {"actor": actor, "agent": "wang"}} if actor else {"utter_action": "utter_x"}
    return {"event": "bot", "sender_id": sender_id, "timestamp": timestamp, "text": text,
            "data": {}, "metadata": metadata}


def other_event(sender_id: str, timestamp: float) -> Dict[str, Any]:
    return {"event": "action", "sender_id": sender_id, "timestamp": timestamp, "name": "action_listen",
            "policy": None, "confidence": None}


def publish(topic: str, events: List[Dict[str, Any]]) -> None:
    """As Rasa's broker does: JSON, keyed by sender id (one conversation, one partition)."""
    producer = Producer({"bootstrap.servers": backends().kafka_bootstrap})
    for event in events:
        producer.produce(topic, key=event["sender_id"].encode(), value=json.dumps(event).encode())
    assert producer.flush(15) == 0, "the test's events were not all written to Kafka"


@dataclass
class Record:
    partition: int
    offset: int
    key: bytes
    value: bytes
    headers: Any

    @property
    def envelope(self) -> Dict[str, Any]:
        return json.loads(self.value)


def read_topic(topic: str, timeout: float = 20.0) -> List[Record]:
    """Every record in the topic now, partition by partition, each in offset order."""
    consumer = Consumer({"bootstrap.servers": backends().kafka_bootstrap, "group.id": f"reader-{uuid.uuid4().hex}",
                         "enable.auto.commit": False})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in partitions}
        consumer.assign([TopicPartition(topic, p, 0) for p, end in ends.items() if end > 0])
        records: Dict[int, List[Record]] = {p: [] for p in partitions}
        deadline = time.monotonic() + timeout
        while any(len(records[p]) < ends[p] for p in partitions):
            assert time.monotonic() < deadline, f"could not read {topic} to its end"
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            records[message.partition()].append(Record(message.partition(), message.offset(), message.key(),
                                                       message.value(), message.headers()))
        return [record for p in sorted(records) for record in records[p]]
    finally:
        consumer.close()


def topic_exists(topic: str) -> bool:
    return topic in AdminClient({"bootstrap.servers": backends().kafka_bootstrap}).list_topics(timeout=10).topics


def health(app: StreamProcessor) -> Dict[str, Any]:
    with urllib.request.urlopen(app.address() + app.health_path, timeout=5) as response:
        return json.load(response)


def wait_for_health(app: StreamProcessor, ready, timeout: float = 30.0, every: float = 0.2) -> Dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        state = health(app)
        if ready(state):
            return state
        assert time.monotonic() < deadline, f"stream processor never got there: {state}"
        time.sleep(every)


@pytest.fixture(scope="session")
def kafka() -> str:
    bootstrap = backends().kafka_bootstrap
    try:
        AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10)
    except KafkaException:
        pytest.fail(f"Kafka does not answer at {bootstrap}. Start it with `make services`.")
    return bootstrap


@pytest.fixture
def topics(kafka):
    """The test's own event topic (3 partitions, like the broker's default), envelope topic (left for
    the processor to create) and consumer group; both topics are deleted afterwards."""
    run_id = uuid.uuid4().hex[:10]
    names = {"events": f"stream-test-events-{run_id}", "envelopes": f"stream-test-envelopes-{run_id}",
             "group": f"stream-test-{run_id}"}
    admin = AdminClient({"bootstrap.servers": kafka})
    admin.create_topics([NewTopic(names["events"], num_partitions=3, replication_factor=1)])[names["events"]].result(30)
    yield names
    admin.delete_topics([names["events"], names["envelopes"]], operation_timeout=30)


@pytest.fixture
def processors(topics):
    """processors(group=None) -> a started `python -m stream serve` on the test's topics; stopped and
    its .run/ folder removed at the end."""
    started: List[StreamProcessor] = []

    def make(group: Optional[str] = None) -> StreamProcessor:
        app = StreamProcessor(name=f"{topics['group']}-{len(started)}", port=free_port(),
                              events_topic=topics["events"], topic=topics["envelopes"],
                              group=group or topics["group"])
        started.append(app)
        start(app)
        return app

    yield make
    for app in started:
        stop(app)
        shutil.rmtree(app.home, ignore_errors=True)
