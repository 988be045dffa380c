"""Envelopes built from Rasa events: who speaks, which way, on which channel and in which language;
pseudonyms and event ids that are stable and keyed; and the consumers' dedupe."""
import json
import re

import pytest

from stream.envelope import Conversations, EnvelopeBuilder, SeenIds, dedupe, event_id, pseudonym
from tests.stream.conftest import bot_event, other_event, user_event

KEY = b"a test key"
SENDER = "customer-8f3a"
FIELDS = {"v", "event_id", "conversation", "channel", "direction", "actor", "language", "text", "intent",
          "confidence", "timestamp"}


def build_all(events, key=KEY):
    builder = EnvelopeBuilder(key)
    return [builder.build(event) for event in events]


def test_a_customer_message_becomes_an_incoming_masked_envelope():
    event = user_event(SENDER, "我的手机号是13812345678", 1718000000.25, intent="inform", confidence=0.87,
                       channel="socketio")
    envelope = EnvelopeBuilder(KEY).build(event)
    assert set(envelope) == FIELDS
    assert envelope == {
        "v": 1, "event_id": envelope["event_id"], "conversation": pseudonym(KEY, SENDER),
        "channel": "socketio", "direction": "in", "actor": "customer", "language": "zh",
        "text": "我的手机号是138****5678", "intent": "inform", "confidence": 0.87, "timestamp": 1718000000.25,
    }
    assert re.fullmatch(r"[0-9a-f]{32}", envelope["event_id"])
    assert SENDER not in json.dumps(envelope) and "13812345678" not in json.dumps(envelope)


ACTORS = [
    pytest.param(user_event(SENDER, "hi", 1.0), "customer", "in", id="user"),
    pytest.param(bot_event(SENDER, "hello", 1.0), "bot", "out", id="bot"),
    pytest.param(bot_event(SENDER, "我是客服小王", 1.0, actor="agent"), "agent", "out", id="agent"),
    pytest.param(bot_event(SENDER, "您在队列第2位", 1.0, actor="system"), "system", "out", id="system"),
    pytest.param(bot_event(SENDER, "load test", 1.0, actor="bench"), "bot", "out", id="unknown-actor-is-bot"),
    pytest.param({**bot_event(SENDER, "x", 1.0), "metadata": None}, "bot", "out", id="no-metadata"),
    pytest.param({**bot_event(SENDER, "x", 1.0), "metadata": {"handoff": "agent"}}, "bot", "out",
                 id="malformed-handoff"),
]


@pytest.mark.parametrize("event, actor, direction", ACTORS)
def test_actor_and_direction(event, actor, direction):
    envelope = EnvelopeBuilder(KEY).build(event)
    assert (envelope["actor"], envelope["direction"]) == (actor, direction)


SKIPPED = [
    pytest.param(other_event(SENDER, 1.0), id="action"),
    pytest.param({"event": "slot", "sender_id": SENDER, "name": "phone", "value": "13812345678"}, id="slot"),
    pytest.param({"event": "session_started", "sender_id": SENDER, "timestamp": 1.0}, id="session"),
    pytest.param(bot_event(SENDER, None, 1.0), id="bot-without-text"),  # buttons or an image only
    pytest.param(bot_event(SENDER, "", 1.0), id="bot-empty-text"),
    pytest.param(user_event(SENDER, "", 1.0), id="user-empty-text"),
    pytest.param({**user_event(SENDER, "hi", 1.0), "sender_id": None}, id="no-sender"),
    pytest.param(["not", "an", "event"], id="not-a-dict"),
]


@pytest.mark.parametrize("event", SKIPPED)
def test_events_without_a_message_give_no_envelope(event):
    assert EnvelopeBuilder(KEY).build(event) is None


def test_bot_messages_take_the_conversations_last_channel_and_language():
    other = "someone-else"
    envelopes = build_all([
        bot_event(SENDER, "欢迎", 1.0),  # nothing known about the conversation yet
        user_event(SENDER, "你好", 2.0, channel="socketio", language="zh"),
        user_event(other, "hello", 2.5, channel="rest", language="en"),
        bot_event(SENDER, "您好", 3.0),
        user_event(SENDER, "where is A10023", 4.0, language="en", channel="socketio"),
        user_event(SENDER, "A10023", 5.0, language=None, channel=""),  # says nothing about either
        bot_event(SENDER, "已发货", 6.0, actor="agent"),
        bot_event(other, "hi", 7.0),
    ])
    assert [(e["channel"], e["language"]) for e in envelopes] == [
        (None, None), ("socketio", "zh"), ("rest", "en"), ("socketio", "zh"), ("socketio", "en"),
        ("socketio", "en"), ("socketio", "en"), ("rest", "en"),
    ]
    assert [e["intent"] for e in envelopes[:2]] == [None, "inform"]


LANGUAGE_ENTITIES = [
    pytest.param([{"entity": "language", "value": "en", "extractor": "LanguageDetector"}], "en", id="detector"),
    pytest.param([{"entity": "language", "value": "zh"}], "zh", id="no-extractor-named"),
    pytest.param([{"entity": "language", "value": "fr", "extractor": "LanguageDetector"}], None, id="not-zh-or-en"),
    pytest.param([{"entity": "language", "value": "en", "extractor": "DIETClassifier"}], None, id="other-extractor"),
    pytest.param([{"entity": "order_id", "value": "A10023"}], None, id="other-entity"),
    pytest.param(None, None, id="no-entities"),
]


@pytest.mark.parametrize("entities, language", LANGUAGE_ENTITIES)
def test_language_comes_from_the_language_detectors_entity(entities, language):
    event = user_event(SENDER, "hello", 1.0, language=None)
    event["parse_data"]["entities"] = entities
    assert EnvelopeBuilder(KEY).build(event)["language"] == language


INTENTS = [
    pytest.param({"intent": {"name": "greet", "confidence": 0.5}}, ("greet", 0.5), id="usual"),
    pytest.param({"intent": {"name": "greet", "confidence": 1}}, ("greet", 1.0), id="int-confidence"),
    pytest.param({"intent": {"name": None, "confidence": None}}, (None, None), id="none"),
    pytest.param({"intent": {"name": "greet", "confidence": "high"}}, ("greet", None), id="not-a-number"),
    pytest.param({"intent": {"name": "greet", "confidence": True}}, ("greet", None), id="bool"),
    pytest.param({}, (None, None), id="no-intent"),
    pytest.param(None, (None, None), id="no-parse-data"),
]


@pytest.mark.parametrize("parse_data, expected", INTENTS)
def test_intent_and_confidence(parse_data, expected):
    event = {**user_event(SENDER, "hi", 1.0), "parse_data": parse_data}
    envelope = EnvelopeBuilder(KEY).build(event)
    assert (envelope["intent"], envelope["confidence"]) == expected


def test_pseudonyms_are_stable_keyed_and_short():
    assert pseudonym(KEY, SENDER) == pseudonym(KEY, SENDER)
    assert re.fullmatch(r"[0-9a-f]{24}", pseudonym(KEY, SENDER))
    assert pseudonym(KEY, SENDER) != pseudonym(KEY, SENDER + "x")
    assert pseudonym(KEY, SENDER) != pseudonym(b"another key", SENDER)


def test_the_same_event_gets_the_same_id_whoever_builds_it_and_from_wherever_it_is_read():
    event = user_event(SENDER, "我的手机号是13812345678", 1718000000.123456)
    reread = json.loads(json.dumps(event))  # as a restarted processor reads it again
    first = EnvelopeBuilder(KEY).build(event)
    again = EnvelopeBuilder(KEY).build(reread, source="other-topic:2:99")  # fresh state, other place
    assert first["event_id"] == again["event_id"] == event_id(KEY, event, "rasa_events:0:7")
    assert first == again


@pytest.mark.parametrize("change", [
    {"timestamp": 1718000000.123457}, {"text": "我的手机号是13812345679"}, {"sender_id": "someone-else"},
    {"message_id": "another-message"}, {"event": "bot"},
])
def test_a_different_event_gets_a_different_id(change):
    event = user_event(SENDER, "我的手机号是13812345678", 1718000000.123456)
    assert event_id(KEY, event, "") != event_id(KEY, {**event, **change}, "")


def test_ids_are_keyed_and_an_event_without_a_timestamp_is_told_apart_by_its_place():
    event = bot_event(SENDER, "好的", 1.0)
    assert event_id(KEY, event, "") != event_id(b"another key", event, "")
    untimed = {**event, "timestamp": None}
    assert event_id(KEY, untimed, "t:0:1") != event_id(KEY, untimed, "t:0:2")
    assert event_id(KEY, untimed, "t:0:1") == event_id(KEY, untimed, "t:0:1")


def test_conversations_forget_the_least_recently_active_first():
    conversations = Conversations(capacity=2)
    conversations.get("a")["channel"] = "rest"
    conversations.get("b")["channel"] = "socketio"
    assert conversations.get("a")["channel"] == "rest"  # a is now the most recent
    conversations.get("c")
    assert len(conversations) == 2
    assert conversations.get("a")["channel"] == "rest"
    assert conversations.get("b")["channel"] is None  # forgotten


def test_dedupe_keeps_the_first_copy_of_each_event_in_order():
    one, two, three = ({"event_id": name, "text": name} for name in ("1", "2", "3"))
    delivered = [one, two, one, three, two, {**three, "channel": None}]
    assert list(dedupe(delivered)) == [one, two, three]


def test_seen_ids_remember_the_newest_ids_up_to_their_capacity():
    seen = SeenIds(capacity=2)
    assert [seen.first_time(i) for i in ("a", "b", "a", "c")] == [True, True, False, True]
    assert "a" in seen and "c" in seen and "b" not in seen  # b was the least recently seen
    assert seen.first_time("b") is True


def test_dedupe_across_calls_with_a_shared_seen_set():
    seen = SeenIds()
    assert len(list(dedupe([{"event_id": "x"}], seen))) == 1
    assert list(dedupe([{"event_id": "x"}, {"event_id": "y"}], seen)) == [{"event_id": "y"}]
