"""bot/tracker_store.py against Rasa's own Redis tracker store, both on the real Redis: every save
leaves exactly what Rasa's would, whether it takes the shortcut or not."""
import json
import uuid

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot import tracker_store
from bot.tracker_store import FastRedisTrackerStore, dialogue_tail
from ops.paths import ROOT
from ops.settings import rasa_environment

pytestmark = pytest.mark.services

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


class RecordingBroker(EventBroker):
    def __init__(self):
        self.published = []

    def publish(self, event):
        self.published.append(event)


def store(kind, prefix):
    env = rasa_environment()
    return kind(DOMAIN, host=env["REDIS_HOST"], port=int(env["REDIS_PORT"]), db=int(env["REDIS_DB"]),
                password=env["REDIS_PASSWORD"] or None, key_prefix=prefix, record_exp=60,
                event_broker=RecordingBroker())


@pytest.fixture
def stores():
    run = uuid.uuid4().hex[:8]
    pair = (store(RedisTrackerStore, f"rasa{run}"), store(FastRedisTrackerStore, f"fast{run}"))
    yield pair
    for each in pair:
        for key in each.red.keys(each.key_prefix + "*"):
            each.red.delete(key)


def turn(text, at):
    return [UserUttered(text, {"name": "greet", "confidence": 1.0}, timestamp=at),
            ActionExecuted("utter_greet", timestamp=at + 0.01), BotUttered("hi", timestamp=at + 0.02),
            ActionExecuted("action_listen", timestamp=at + 0.03)]


def stored(each, sender):
    """What is in Redis, and what went to the event broker (the same events, whatever the prefix)."""
    return json.loads(each.red.get(each.key_prefix + sender)), each.event_broker.published


async def save_both(stores, sender, events, monkeypatch=None):
    """Appends `events` in each store; with monkeypatch, the fast store must not rebuild what it had."""
    for each in stores:
        tracker = await each.retrieve(sender) or each.init_tracker(sender)
        for event in events:
            tracker.update(event)
        if monkeypatch and isinstance(each, FastRedisTrackerStore):
            monkeypatch.setattr(each, "deserialise_tracker", lambda *_: pytest.fail("took the slow path"))
        await each.save(tracker)
        if monkeypatch:
            monkeypatch.undo()
    return [stored(each, sender) for each in stores]


async def test_a_growing_conversation_takes_the_shortcut_and_is_stored_the_same(stores, monkeypatch):
    sender = f"store-{uuid.uuid4().hex[:8]}"
    start = [ActionExecuted("action_session_start", timestamp=1.0), SessionStarted(timestamp=1.01),
             ActionExecuted("action_listen", timestamp=1.02)]
    rasa, fast = await save_both(stores, sender, start + turn("你好", 2.0), monkeypatch)
    assert rasa == fast
    rasa, fast = await save_both(stores, sender, turn("X200有降噪吗", 3.0) + [SlotSet("product", "AU-X200")],
                                 monkeypatch)
    assert rasa == fast and len(fast[0]["events"]) == 12 and len(fast[1]) == 12


async def test_one_session_is_retrieved_without_splitting_it(stores, monkeypatch):
    sender = f"store-{uuid.uuid4().hex[:8]}"
    start = [ActionExecuted("action_session_start", timestamp=1.0), SessionStarted(timestamp=1.01)]
    await save_both(stores, sender, start + turn("hi", 2.0))
    rasas = await stores[0].retrieve(sender)
    monkeypatch.setattr(tracker_store, "get_trackers_for_conversation_sessions",
                        lambda *_: pytest.fail("split a conversation of one session"))
    assert (await stores[1].retrieve(sender)).events == rasas.events


async def test_a_second_session_keeps_the_first_in_the_store(stores):
    sender = f"store-{uuid.uuid4().hex[:8]}"
    await save_both(stores, sender, [SessionStarted(timestamp=1.0)] + turn("hi", 2.0))
    # retrieve() hands Rasa the latest session only; saving it must keep the earlier one.
    rasa, fast = await save_both(stores, sender, [ActionExecuted("action_session_start", timestamp=5000.0),
                                                  SessionStarted(timestamp=5000.01)] + turn("hello again", 5001.0))
    assert rasa == fast
    assert [e["text"] for e in fast[0]["events"] if e["event"] == "user"] == ["hi", "hello again"]
    # Both give Rasa the same latest session, and the same whole conversation when asked for it.
    latest = [await each.retrieve(sender) for each in stores]
    assert latest[0].events == latest[1].events
    assert [e.text for e in latest[1].events if isinstance(e, UserUttered)] == ["hello again"]
    full = [await each.retrieve_full_tracker(sender) for each in stores]
    assert full[0].events == full[1].events and len(full[1].events) == 11


async def test_an_event_written_meanwhile_by_someone_else_is_kept(stores):
    sender = f"store-{uuid.uuid4().hex[:8]}"
    await save_both(stores, sender, turn("hi", 2.0))
    stale = [await each.retrieve(sender) for each in stores]
    await save_both(stores, sender, [BotUttered("an agent's note", timestamp=2.5)])  # the other writer
    for each, tracker in zip(stores, stale):
        for event in turn("next", 3.0):
            tracker.update(event)
        await each.save(tracker)
    rasa, fast = (stored(each, sender) for each in stores)
    assert rasa == fast
    assert "an agent's note" in [e.get("text") for e in fast[0]["events"]]


@pytest.mark.parametrize("stored, saved, sender, written", [
    ((), ("a",), "s", True),
    (("a",), ("a",), "s", True),
    (("a",), ("a", "b"), "s", True),
    (("a", "b"), ("a",), "s", False),      # an event missing
    (("a",), ("ab",), "s", False),         # an event changed
    (("a",), ("a", "b"), "other", False),  # another conversation's text
])
async def test_the_shortcut_is_a_prefix_test_on_whole_events(stores, stored, saved, sender, written):
    fast = stores[1]
    key = fast.key_prefix + "s"

    def dumped(texts, name="s"):
        return json.dumps({"events": [{"event": "bot", "text": t} for t in texts], "name": name})

    fast.red.set(key, dumped(stored))
    answer = await fast._save_if_extended(keys=[key], args=[dumped(saved, sender), dialogue_tail(sender), 60])
    assert (answer >= 0) == written
    assert fast.red.get(key) == (dumped(saved, sender) if written else dumped(stored))
