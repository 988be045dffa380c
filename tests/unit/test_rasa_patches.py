"""bot/rasa_patches.py: the check of action server replies (bot/action_response.py) accepts and
refuses exactly what Rasa's own check does, with Rasa's error text; a brand-new conversation's
session starts in Rasa, a later one on the action server; calls to the action server reuse their
connection (tests/integration/test_rasa_patches_installed.py checks that the servers run with it);
event classes are found as Rasa finds them; a new conversation is saved by its first turn, not
before; the served model runs with our graph runner, rule search and DIET step (tests/nlu compares
each with Rasa's on the trained model)."""
import asyncio
import logging

import pytest
import rasa.core.processor
import rasa.shared.core.events as rasa_events
import rasa.shared.utils.common
from aiohttp import web
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow.models import RasaModel
from sanic.config import DEFAULT_CONFIG as SANIC_DEFAULTS

from bot import rasa_patches, rule_index
from bot.graph_runner import InOrderGraphRunner

RASA_REMOVE_PARSE_DATA = rasa_events.remove_parse_data  # as released: install() runs only in fixtures
VALID = {"events": [{"event": "slot", "name": "product", "value": "AU-X200", "timestamp": None}],
         "responses": [{"text": "X200 有主动降噪。", "buttons": []}]}
INVALID = [{"events": "not a list"}, {"events": [{"event": "no_such_event"}]}, {"responses": [1, 2]}]


@pytest.fixture
def action():
    return RemoteAction("action_answer_product", None)


@pytest.fixture
def patched():
    original = RemoteAction._validate_action_result
    broker_log = logging.getLogger("rasa.core.brokers.kafka")
    level = broker_log.level
    original_run, original_session = RemoteAction.run, EndpointConfig.session
    original_resolve, original_remove = Event.__dict__["resolve_by_type"], rasa_events.remove_parse_data
    original_create = TrackerStore.create_tracker
    original_runner = rasa.core.processor.DaskGraphRunner
    original_possible_keys = RulePolicy._get_possible_keys
    original_rasa_predict = RasaModel._rasa_predict
    original_prediction_loop = rasa.core.processor.MessageProcessor._run_prediction_loop
    rasa_patches.install()
    yield
    RemoteAction._validate_action_result = original
    RemoteAction.run, EndpointConfig.session = original_run, original_session
    Event.resolve_by_type, rasa_events.remove_parse_data = original_resolve, original_remove
    TrackerStore.create_tracker = original_create
    rasa.core.processor.DaskGraphRunner = original_runner
    RulePolicy._get_possible_keys = original_possible_keys
    RasaModel._rasa_predict = original_rasa_predict
    rasa.core.processor.MessageProcessor._run_prediction_loop = original_prediction_loop
    broker_log.setLevel(level)


def test_the_model_runs_with_the_faster_runner_rule_search_and_diet_step(patched):
    assert rasa.core.processor.DaskGraphRunner is InOrderGraphRunner
    assert RulePolicy._get_possible_keys is rule_index.get_possible_keys
    assert RasaModel._rasa_predict is rasa_patches._rasa_predict
    # The REST webhook answers once the prediction loop ends (tests/integration/test_early_reply.py).
    assert rasa.core.processor.MessageProcessor._run_prediction_loop is rasa_patches._run_prediction_loop


def test_valid_replies_pass_both_checks(action, patched):
    assert RemoteAction._validate_action_result(action, VALID) is True
    assert rasa_patches._original_validate(action, VALID) is True


@pytest.mark.parametrize("reply", INVALID)
def test_invalid_replies_fail_with_rasas_own_message(action, patched, reply):
    with pytest.raises(ValidationError) as ours:
        RemoteAction._validate_action_result(action, reply)
    with pytest.raises(ValidationError) as rasas:
        rasa_patches._original_validate(action, reply)
    assert str(ours.value.message) == str(rasas.value.message)
    assert "Failed to validate Action server response" in ours.value.message


def test_event_classes_are_found_as_rasa_finds_them_and_remembered(patched, monkeypatch):
    names = {cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)}
    for name in names:
        assert Event.resolve_by_type(name) is rasa_patches._original_resolve_by_type(name)
    assert Event.resolve_by_type("topic") is None  # Rasa's old TopicSet events
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")
    # Once found, a class is not searched for again.
    monkeypatch.setattr(rasa.shared.utils.common, "all_subclasses", lambda cls: [])
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.from_parameters({"event": "slot", "name": "product", "value": "AU-X200"}) == \
        SlotSet("product", "AU-X200")


def test_events_published_are_logged_without_parse_data_and_left_whole(patched):
    event = {"sender_id": "c1", **UserUttered("hi", {"name": "greet", "confidence": 0.9}).as_dict()}
    reduced = rasa_events.remove_parse_data(event)
    assert rasa_events.remove_parse_data is not RASA_REMOVE_PARSE_DATA
    assert reduced == RASA_REMOVE_PARSE_DATA(event) and "parse_data" not in reduced
    assert event["parse_data"]["intent"]["name"] == "greet"  # the published event keeps it


async def test_a_new_conversation_is_saved_by_its_first_turn_not_before(patched):
    store = InMemoryTrackerStore(Domain.empty())
    fail_safe = FailSafeTrackerStore(store)  # how Rasa wraps every store
    tracker = await fail_safe.get_or_create_tracker("new", append_action_listen=False)
    assert list(tracker.events) == [] and "new" not in store.store
    tracker.update(UserUttered("hi"))
    await fail_safe.save(tracker)
    assert [e.text for e in (await fail_safe.retrieve("new")).events] == ["hi"]
    # Created with an initial action_listen (Rasa's HTTP API): saved at once, as before.
    await fail_safe.get_or_create_tracker("api", append_action_listen=True)
    assert "api" in store.store


def test_broker_confirmations_are_not_logged_but_failures_are(patched):
    broker_log = logging.getLogger("rasa.core.brokers.kafka")
    assert not broker_log.isEnabledFor(logging.INFO)
    assert broker_log.isEnabledFor(logging.ERROR)


DOMAIN = Domain.from_yaml("""
version: "3.1"
slots:
  language: {type: text, mappings: [{type: custom}]}
actions: [action_session_start]
""")


async def start_session(tracker):
    # An action server nobody listens on: any call to it fails.
    endpoint = EndpointConfig("http://127.0.0.1:9/webhook")
    action = RemoteAction("action_session_start", endpoint)
    return await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, DOMAIN)


async def test_a_new_conversation_starts_its_session_without_the_action_server(patched):
    tracker = DialogueStateTracker.from_events("new", [SlotSet("language", "zh")], slots=DOMAIN.slots)
    events = await start_session(tracker)
    assert [type(e) for e in events] == [SessionStarted, SlotSet, ActionExecuted]
    assert (events[1].key, events[1].value) == ("language", "zh")
    assert events[2].action_name == "action_listen"


async def test_a_session_after_earlier_messages_asks_the_action_server(patched):
    tracker = DialogueStateTracker.from_events("returning", [UserUttered("转人工")], slots=DOMAIN.slots)
    with pytest.raises(RasaException):  # it did call the action server, which is not there
        await start_session(tracker)


async def test_calls_to_an_endpoint_reuse_one_connection_until_it_idles(patched, monkeypatch):
    peers = []

    async def webhook(request):
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        for _ in range(3):
            assert await endpoint.request(json={"next_action": "x"}, method="post") == {"events": [], "responses": []}
        assert len(peers) == 3 and len(set(peers)) == 1, peers
        # Let go of before the action server would close it (Sanic: KEEP_ALIVE_TIMEOUT).
        assert rasa_patches.IDLE_CONNECTION_SECONDS < SANIC_DEFAULTS["KEEP_ALIVE_TIMEOUT"]
        monkeypatch.setattr(rasa_patches, "IDLE_CONNECTION_SECONDS", 0.05)
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        await endpoint.request(json={"next_action": "x"}, method="post")
        await asyncio.sleep(1.2)  # aiohttp closes idle connections on a one-second tick at the earliest
        await endpoint.request(json={"next_action": "x"}, method="post")
        assert peers[-1] != peers[-2], "an idle connection was used again"
    finally:
        await runner.cleanup()
