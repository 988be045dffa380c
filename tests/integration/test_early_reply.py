"""bot/early_reply.py with the trained model and our tracker store on the real Redis: the REST
webhook's handler answers once the turn's messages are complete, while the save is still under
way; a read of the conversation meanwhile waits for the save; a failure after the answer is logged;
a client that leaves mid-turn no longer cuts the turn short."""
import asyncio
import logging
import uuid

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import BotUttered, UserUttered

from bot import rasa_patches
from bot.early_reply import answer_when_replies_complete
from bot.tracker_store import FastRedisTrackerStore
from ops.apps import MODEL_PATH
from ops.settings import rasa_environment

pytestmark = pytest.mark.services


class GatedStore(FastRedisTrackerStore):
    """Saves wait for the test's go-ahead, and fail when told to."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.save_started, self.go_ahead = asyncio.Event(), asyncio.Event()
        self.fail = False

    async def _save(self, tracker, timeout):
        self.save_started.set()
        await self.go_ahead.wait()
        if self.fail:
            await asyncio.sleep(0.05)  # a round trip's time: the answer has gone by then
            raise ConnectionError("Redis went away")
        await super()._save(tracker, timeout)


@pytest.fixture(scope="module")
def agent():
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}; run `make train`")
    return Agent.load(str(MODEL_PATH))


@pytest.fixture
def store(agent, monkeypatch):
    env = rasa_environment()
    gated = GatedStore(agent.domain, host=env["REDIS_HOST"], port=int(env["REDIS_PORT"]), db=int(env["REDIS_DB"]),
                       password=env["REDIS_PASSWORD"] or None, key_prefix=f"early{uuid.uuid4().hex[:8]}",
                       record_exp=60)
    monkeypatch.setattr(agent, "tracker_store", gated)
    monkeypatch.setattr(agent.processor, "tracker_store", gated)
    monkeypatch.setattr(MessageProcessor, "_run_prediction_loop", rasa_patches._run_prediction_loop)
    # As served: a new conversation is saved by its first turn only (so the gate holds that save).
    monkeypatch.setattr(TrackerStore, "create_tracker", rasa_patches._create_tracker)
    yield gated
    for key in gated.red.keys(gated.key_prefix + "*"):
        gated.red.delete(key)


def rest_message(text):
    """What Rasa's REST webhook hands its handler: a message with a fresh collector."""
    return UserMessage(text, CollectingOutputChannel(), f"early-{uuid.uuid4().hex[:8]}")


async def test_the_answer_comes_before_the_save_and_a_read_waits_for_the_save(agent, store):
    message = rest_message("hello")
    handled = asyncio.create_task(answer_when_replies_complete(agent.handle_message)(message))
    await asyncio.wait_for(store.save_started.wait(), 30)
    await asyncio.wait_for(handled, 5)  # answered while the save waits
    assert [m["text"] for m in message.output_channel.messages], "the turn's reply is in the answer"

    read = asyncio.create_task(store.retrieve(message.sender_id))
    await asyncio.sleep(0.2)
    assert not read.done(), "a read during the save must wait for it"
    store.go_ahead.set()
    tracker = await asyncio.wait_for(read, 5)
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["hello"]
    assert [e.text for e in tracker.events if isinstance(e, BotUttered)] == \
        [m["text"] for m in message.output_channel.messages]


async def test_a_save_that_fails_after_the_answer_is_logged(agent, store, caplog):
    store.fail = True
    store.go_ahead.set()
    message = rest_message("hello")
    with caplog.at_level(logging.ERROR, logger="bot.early_reply"):
        await answer_when_replies_complete(agent.handle_message)(message)
        assert message.output_channel.messages
        await asyncio.sleep(0.5)  # the save's failure comes after the answer
    assert any(message.sender_id in r.getMessage() and r.exc_info and "Redis went away" in str(r.exc_info[1])
               for r in caplog.records), caplog.text


async def test_a_client_that_leaves_mid_turn_does_not_cut_the_turn_short(agent, store):
    message = rest_message("hello")
    handled = asyncio.create_task(answer_when_replies_complete(agent.handle_message)(message))
    await asyncio.sleep(0)
    handled.cancel()  # what Sanic does to a request whose client disconnected
    store.go_ahead.set()
    with pytest.raises(asyncio.CancelledError):
        await handled
    for _ in range(100):
        tracker = await store.retrieve(message.sender_id)
        if tracker is not None:
            break
        await asyncio.sleep(0.1)
    assert tracker is not None and [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["hello"]


async def test_rasas_stream_mode_keeps_its_own_channel(agent, store):
    class Streaming(CollectingOutputChannel):  # any channel but the plain collector
        pass

    store.go_ahead.set()
    message = UserMessage("hello", Streaming(), f"early-{uuid.uuid4().hex[:8]}")
    await answer_when_replies_complete(agent.handle_message)(message)
    assert type(message.output_channel) is Streaming and message.output_channel.messages
    assert await store.retrieve(message.sender_id) is not None  # the turn was saved before the return
