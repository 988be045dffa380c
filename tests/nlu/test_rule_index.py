"""bot/rule_index.py on the trained model's RulePolicy: the rules found for a conversation are the
ones Rasa's own search finds, for every rule's own states, for the same states with another intent or
previous action, at a conversation's start, and for real conversations."""
import json

import pytest
from rasa.core.agent import Agent
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, USER
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rule_index
from ops.apps import MODEL_PATH

RASAS_SEARCH = RulePolicy._get_possible_keys  # as released: the index is called explicitly below


@pytest.fixture(scope="module")
def model():
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}; run `make train`")
    agent = Agent.load(str(MODEL_PATH))
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    policy = next(node._component for node in nodes if isinstance(node._component, RulePolicy))
    return policy, agent.processor.domain


def variants(states):
    """The states, then the same with the latest state's intent or previous action changed or gone."""
    yield states
    latest = states[-1]
    for user in ({"intent": "greet"}, {"intent": "request_human"}, {"text": "hello"}, None):
        yield states[:-1] + [{**{k: v for k, v in latest.items() if k != USER}, **({USER: user} if user else {})}]
    for previous in ({"action_name": "action_listen"}, {"action_name": "utter_greet"}, None):
        yield states[:-1] + [{**{k: v for k, v in latest.items() if k != PREVIOUS_ACTION},
                              **({PREVIOUS_ACTION: previous} if previous else {})}]


def assert_same_rules(policy, states):
    for lookup in (policy.lookup[RULES], policy.lookup[RULES_FOR_LOOP_UNHAPPY_PATH]):
        assert rule_index.get_possible_keys(policy, lookup, states) == RASAS_SEARCH(policy, lookup, states), states


def test_every_rules_states_and_their_variants_find_what_rasa_finds(model):
    policy, _ = model
    keys = list(policy.lookup[RULES]) + list(policy.lookup[RULES_FOR_LOOP_UNHAPPY_PATH])
    assert len(keys) > 100
    found_something = 0
    for key in keys:
        for states in variants(json.loads(key)):
            assert_same_rules(policy, states)
            found_something += bool(rule_index.get_possible_keys(policy, policy.lookup[RULES], states))
    assert found_something > len(keys)  # the comparisons are not all of empty sets


def test_real_conversations_find_what_rasa_finds(model):
    policy, domain = model
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for intent, action in [("greet", "utter_greet"), ("order_status", "order_status_form"),
                           ("request_human", "action_handoff"), ("faq", "action_answer_faq")]:
        events += [UserUttered("…", {"name": intent, "confidence": 1.0})]
        for _ in range(2):
            tracker = DialogueStateTracker.from_events("t", events, domain.slots)
            for use_text in (False, True):
                states = policy._prediction_states(tracker, domain, use_text,
                                                   rule_only_data=policy._get_rule_only_data())
                assert_same_rules(policy, states)
            events.append(ActionExecuted(action))
        events.append(ActionExecuted("action_listen"))


def test_the_rules_are_grouped_once_per_lookup(model, monkeypatch):
    policy, _ = model
    states = json.loads(next(iter(policy.lookup[RULES])))
    rule_index.get_possible_keys(policy, policy.lookup[RULES], states)
    built, real_index = [], rule_index.RuleIndex
    monkeypatch.setattr(rule_index, "RuleIndex", lambda lookup: built.append(lookup) or real_index(lookup))
    rule_index.get_possible_keys(policy, policy.lookup[RULES], states)
    assert built == []
    rebuilt = dict(policy.lookup[RULES])  # as training assigns a new lookup
    assert rule_index.get_possible_keys(policy, rebuilt, states) == RASAS_SEARCH(policy, rebuilt, states)
    assert len(built) == 1 and built[0] is rebuilt


def test_at_a_conversations_start_a_starting_rule_applies_whatever_intent_it_names(model):
    # Rasa's special case: a rule's last state and the conversation's latest state both without a
    # previous action (a conversation_start rule, the first message) match without comparing the rest.
    policy, _ = model
    starting_rule = json.dumps([{USER: {"intent": "greet"}}])
    lookup = {starting_rule: "utter_greet", **policy.lookup[RULES]}
    for states in ([{USER: {"intent": "greet"}}], [{USER: {"intent": "goodbye"}}], [{}]):
        found = rule_index.get_possible_keys(policy, lookup, states)
        assert found == RASAS_SEARCH(policy, lookup, states)
        assert starting_rule in found
