"""bot/graph_runner.py on the trained model: the NLU and the policies give what Rasa's dask runner
gives, message for message and tracker for tracker, with Rasa's errors; the order of the nodes is
worked out once; and the model that serves conversations runs with it once it is rasa.core.processor's
runner (which bot/rasa_patches.py's install() makes it: tests/unit/test_rasa_patches.py)."""
import asyncio

import pytest
import rasa.core.processor
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.graph_runner import InOrderGraphRunner
from ops.apps import MODEL_PATH

MESSAGES = ["hi", "你好", "where is my order A10023?", "我的订单 A10023 到哪了", "does the X200 have noise cancelling?",
            "我要找人工客服", "/greet", "blorp zing wobble", ""]


@pytest.fixture(scope="module")
def processor():
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}; run `make train`")
    released = rasa.core.processor.DaskGraphRunner
    rasa.core.processor.DaskGraphRunner = InOrderGraphRunner
    try:
        agent = Agent.load(str(MODEL_PATH))
    finally:
        rasa.core.processor.DaskGraphRunner = released
    return agent.processor


def both_runners(processor, inputs, targets):
    runner = processor.graph_runner
    return InOrderGraphRunner.run(runner, inputs, targets), DaskGraphRunner.run(runner, inputs, targets)


def test_the_served_model_runs_in_order(processor):
    assert type(processor.graph_runner) is InOrderGraphRunner


@pytest.mark.parametrize("text", MESSAGES)
def test_nlu_gives_what_rasas_runner_gives(processor, text):
    target = processor.model_metadata.nlu_target
    inputs = lambda: {PLACEHOLDER_MESSAGE: [UserMessage(text, sender_id="t", message_id="m")],  # noqa: E731
                      PLACEHOLDER_TRACKER: DialogueStateTracker("t", [])}
    ours = InOrderGraphRunner.run(processor.graph_runner, inputs(), [target])
    rasas = DaskGraphRunner.run(processor.graph_runner, inputs(), [target])
    assert ours[target][0].as_dict() == rasas[target][0].as_dict()


def conversation_trackers(processor):
    """Trackers after each message, and after each predicted action, of a few conversations."""
    tracker_of = lambda events: DialogueStateTracker.from_events("t", list(events), processor.domain.slots)  # noqa: E731
    trackers = []
    for texts in (["hi", "where is my order A10023?"], ["我要找人工客服"], ["blorp zing wobble", "thanks"]):
        events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
        for text in texts:
            parsed = asyncio.run(processor.parse_message(UserMessage(text, sender_id="t")))
            events.append(UserUttered(text, parsed["intent"], parsed["entities"], parsed))
            trackers.append(tracker_of(events))
            prediction = processor._predict_next_with_tracker(trackers[-1])
            events.append(ActionExecuted(processor.domain.action_names_or_texts[prediction.max_confidence_index]))
            trackers.append(tracker_of(events))
            events.append(ActionExecuted("action_listen"))
    return trackers


def test_policies_predict_what_they_predict_with_rasas_runner(processor):
    target = processor.model_metadata.core_target
    trackers = conversation_trackers(processor)
    assert len(trackers) == 10
    for tracker in trackers:
        ours, rasas = both_runners(processor, {PLACEHOLDER_TRACKER: tracker}, [target])
        assert ours[target] == rasas[target]


def test_a_missing_input_is_rasas_error(processor):
    target = processor.model_metadata.nlu_target
    for run in (InOrderGraphRunner.run, DaskGraphRunner.run):
        with pytest.raises(GraphRunError, match="Missing input to run node"):
            run(processor.graph_runner, {PLACEHOLDER_TRACKER: DialogueStateTracker("t", [])}, [target])


def test_an_input_named_like_a_node_is_refused_as_rasa_refuses_it(processor):
    target = processor.model_metadata.core_target
    clashing = {PLACEHOLDER_TRACKER: DialogueStateTracker("t", []), "clash": "domain_provider"}
    for run in (InOrderGraphRunner.run, DaskGraphRunner.run):
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            run(processor.graph_runner, clashing, [target])


def test_the_order_of_the_nodes_is_worked_out_once(processor, monkeypatch):
    target = processor.model_metadata.core_target
    tracker = DialogueStateTracker.from_events("t", [ActionExecuted("action_listen")])
    processor.graph_runner.run({PLACEHOLDER_TRACKER: tracker}, [target])
    calls = []
    minimal = GraphSchema.minimal_graph_schema
    monkeypatch.setattr(GraphSchema, "minimal_graph_schema", lambda *a, **k: calls.append(a) or minimal(*a, **k))
    processor.graph_runner.run({PLACEHOLDER_TRACKER: tracker}, [target])
    assert calls == []
    DaskGraphRunner.run(processor.graph_runner, {PLACEHOLDER_TRACKER: tracker}, [target])
    assert len(calls) == 1  # the check can fail: Rasa's runner works it out on every run
