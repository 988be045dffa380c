"""`python -m stream serve` end to end on the real Kafka: Rasa-shaped events in, envelopes out;
masked, in order per conversation, and neither lost nor (after dedupe by event id) duplicated when
the processor is killed with SIGKILL and started again."""
import json
import os
import signal
import time
import uuid
from collections import defaultdict

import pytest

from ops.process import our_pid, start, stop
from stream.envelope import EnvelopeBuilder, SeenIds, dedupe, pseudonym
from tests.stream.conftest import (
    KEY, bot_event, other_event, publish, read_topic, topic_exists, user_event, wait_for_health,
)

pytestmark = pytest.mark.services

RAW_VALUES = ["13812345678", "zhang.san@example.com", "zhang.san", "世纪大道100号", "2栋301室",
              "415-555-2671", "110101199003071234"]


def forms(value: str):
    """A value as it could appear in a record's bytes: UTF-8, or escaped as JSON does by default."""
    return {value.encode(), json.dumps(value).strip('"').encode()}


def unique_envelopes(topic: str, expected: int, timeout: float = 30.0):
    """The topic's envelopes, each event id once (first copy), once `expected` ids have arrived."""
    deadline = time.monotonic() + timeout
    while True:
        records = read_topic(topic) if topic_exists(topic) else []
        envelopes = list(dedupe(record.envelope for record in records))
        if len(envelopes) >= expected:
            return records, envelopes
        assert time.monotonic() < deadline, f"{len(envelopes)} of {expected} envelopes arrived"
        time.sleep(0.3)


def by_conversation(envelopes):
    turns = defaultdict(list)
    for envelope in envelopes:
        turns[envelope["conversation"]].append(envelope)
    return turns


def test_a_conversation_arrives_in_order_masked_and_without_its_raw_values(topics, processors):
    zh, en = f"test-{uuid.uuid4().hex[:12]}", f"test-{uuid.uuid4().hex[:12]}"
    t = time.time()
    conversation_zh = [
        other_event(zh, t),
        user_event(zh, "你好", t + 1, intent="greet"),
        bot_event(zh, "您好，请问有什么可以帮您？", t + 2),
        user_event(zh, "我的手机号是13812345678", t + 3, intent="inform"),
        other_event(zh, t + 3.5),
        bot_event(zh, "好的，已记下您的手机号13812345678", t + 4),
        user_event(zh, "email me at zhang.san@example.com", t + 5, intent="inform", language="en"),
        user_event(zh, "送到上海市浦东新区世纪大道100号2栋301室", t + 6, intent="change_address"),
        bot_event(zh, "正在为您转接人工客服", t + 7, actor="system"),
        bot_event(zh, "您好，我是客服小王，新地址世纪大道100号已登记", t + 8, actor="agent"),
        user_event(zh, "身份证110101199003071234", t + 9, language=None),
    ]
    conversation_en = [
        user_event(en, "where is my order A10023?", t + 1.5, intent="order_status", language="en",
                   channel="socketio"),
        bot_event(en, "Your order A10023 has shipped.", t + 2.5),
        user_event(en, "call me at +1 415-555-2671", t + 3.5, language="en", channel="socketio"),
    ]
    # Interleaved, as Rasa publishes two live conversations.
    events = sorted(conversation_zh + conversation_en, key=lambda event: event["timestamp"])
    publish(topics["events"], events)

    app = processors()
    records, envelopes = unique_envelopes(topics["envelopes"], expected=12)
    assert len(envelopes) == 12, "only user and bot events with text become envelopes"

    for record in records:  # every byte of every record, keys included
        for raw in RAW_VALUES + [zh, en]:
            assert not any(form in record.key + record.value for form in forms(raw)), raw
        assert record.headers is None

    turns = by_conversation(envelopes)
    zh_turns, en_turns = turns[pseudonym(KEY, zh)], turns[pseudonym(KEY, en)]
    assert [(e["actor"], e["direction"], e["text"]) for e in zh_turns] == [
        ("customer", "in", "你好"),
        ("bot", "out", "您好，请问有什么可以帮您？"),
        ("customer", "in", "我的手机号是138****5678"),
        ("bot", "out", "好的，已记下您的手机号138****5678"),
        ("customer", "in", "email me at z***@example.com"),
        ("customer", "in", "送到上海市****"),
        ("system", "out", "正在为您转接人工客服"),
        ("agent", "out", "您好，我是客服小王，新地****已登记"),
        ("customer", "in", "身份证110101********1234"),
    ]
    assert [e["timestamp"] for e in zh_turns] == sorted(e["timestamp"] for e in zh_turns)
    assert [e["language"] for e in zh_turns] == ["zh", "zh", "zh", "zh", "en", "zh", "zh", "zh", "zh"]
    assert {e["channel"] for e in zh_turns} == {"rest"} and {e["channel"] for e in en_turns} == {"socketio"}
    assert [(e["actor"], e["text"], e["intent"]) for e in en_turns] == [
        ("customer", "where is my order A10023?", "order_status"),
        ("bot", "Your order A10023 has shipped.", None),
        ("customer", "call me at +1 ****2671", "inform"),
    ]
    assert zh_turns[0]["confidence"] == pytest.approx(0.91) and zh_turns[1]["confidence"] is None

    # One conversation, one partition, keyed by its pseudonym: that is what keeps it in order.
    for conversation in (zh_turns, en_turns):
        keys = {r.key for r in records if r.envelope["conversation"] == conversation[0]["conversation"]}
        partitions = {r.partition for r in records if r.envelope["conversation"] == conversation[0]["conversation"]}
        assert keys == {conversation[0]["conversation"].encode()} and len(partitions) == 1

    # The processor's envelopes are the ones the same events give anywhere (ids are deterministic).
    builder = EnvelopeBuilder(KEY)
    expected = [envelope for envelope in map(builder.build, events) if envelope]
    assert {e["event_id"]: e for e in envelopes} == {e["event_id"]: e for e in expected}

    state = wait_for_health(app, lambda s: s["consumed"] == len(events) and s["produced"] == 12)
    assert state["status"] == "ok" and state["assigned_partitions"] == 3
    log = app.log_file.read_bytes()
    assert b"assigned 3 partition(s)" in log
    for raw in RAW_VALUES + [zh, en, "13812345678", "世纪大道"]:
        assert not any(form in log for form in forms(raw)), f"{raw} in the processor's log"


@pytest.mark.timeout(120)
def test_kill_9_and_restart_loses_nothing_and_dedupe_leaves_each_event_once(topics, processors, monkeypatch):
    # Small batches, so a kill lands between batches that are delivered and not yet committed.
    monkeypatch.setenv("STREAM_BATCH_SIZE", "10")
    senders = [f"test-{uuid.uuid4().hex[:12]}" for _ in range(12)]
    t = time.time()

    def turns(first: int, count: int):
        events = []
        for n in range(first, first + count):
            for i, sender in enumerate(senders):
                stamp = t + n + i / 100
                events.append(user_event(sender, f"第{n}个问题，电话1381234{n % 10000:04d}", stamp)
                              if n % 2 == 0 else bot_event(sender, f"answer {n}", stamp))
                if n % 5 == 0:
                    events.append(other_event(sender, stamp + 0.001))  # skipped, offsets still committed
        return events

    before, after = turns(0, 150), turns(150, 50)
    publish(topics["events"], before)
    app = processors()
    killed_at = wait_for_health(app, lambda s: s["produced"] >= 300, every=0.05)
    os.kill(our_pid(app), signal.SIGKILL)
    assert killed_at["produced"] < len(senders) * 150, "the kill should land while it is still working"

    publish(topics["events"], after)  # written while nothing processes them
    stop(app)  # clears the dead process's pid file
    start(app)

    expected_count = len(senders) * 200
    records, envelopes = unique_envelopes(topics["envelopes"], expected=expected_count, timeout=60)
    builder = EnvelopeBuilder(KEY)
    expected = [envelope for envelope in map(builder.build, before + after) if envelope]
    assert len(expected) == expected_count
    assert {e["event_id"] for e in envelopes} == {e["event_id"] for e in expected}, "lost or unknown envelopes"
    assert len(envelopes) == expected_count
    # Each conversation, after dedupe, in exactly the order it was published.
    expected_turns = by_conversation(expected)
    for conversation, got in by_conversation(envelopes).items():
        assert [e["event_id"] for e in got] == [e["event_id"] for e in expected_turns[conversation]]
    # Copies are copies: same id, same message (only channel and language of a bot message read
    # before the conversation's next customer message can be unknown after a restart).
    first = {}
    for record in records:
        envelope = record.envelope
        kept = first.setdefault(envelope["event_id"], envelope)
        assert {k: v for k, v in envelope.items() if k not in ("channel", "language")} == \
               {k: v for k, v in kept.items() if k not in ("channel", "language")}
    print(f"killed after {killed_at['produced']} deliveries; {len(records)} records for {expected_count} "
          f"envelopes: {len(records) - expected_count} duplicates")


def test_a_record_read_again_gets_the_same_event_id_and_bytes(topics, processors):
    """Two consumer groups reading the same events stand for a batch read twice: the second copy of
    every envelope has the first one's id and is byte for byte the same."""
    sender = f"test-{uuid.uuid4().hex[:12]}"
    t = time.time()
    publish(topics["events"], [user_event(sender, "我的邮箱是zhang.san@example.com", t),
                               bot_event(sender, "好的", t + 1),
                               bot_event(sender, "我来处理", t + 2, actor="agent")])
    first = processors()
    unique_envelopes(topics["envelopes"], expected=3)
    stop(first)
    processors(group=f"{topics['group']}-again")
    deadline = time.monotonic() + 30
    while len(records := read_topic(topics["envelopes"])) < 6:
        assert time.monotonic() < deadline, f"{len(records)} of 6 records"
        time.sleep(0.3)
    assert len(records) == 6
    values = [record.value for record in records]
    assert all(values.count(value) == 2 for value in values), "each envelope twice, byte for byte"
    seen = SeenIds()
    assert [seen.first_time(record.envelope["event_id"]) for record in records] == [True] * 3 + [False] * 3
