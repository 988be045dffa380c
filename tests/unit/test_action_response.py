"""bot/action_response.py: checking each event against its own kind gives jsonschema's verdict on
Rasa's whole reply schema, for every kind of event the SDK sends and for many broken variants."""
import datetime
from typing import Any, Dict, List

import pytest
import rasa_sdk.events as sdk
from jsonschema import validators
from rasa.core.actions.action import RemoteAction

from bot.action_response import ReplyChecker

SCHEMA = RemoteAction.action_response_format_spec()
# Every kind of event rasa_sdk builds, as an action server sends it.
SDK_EVENTS = [
    sdk.SlotSet("product", "AU-X200"), sdk.AllSlotsReset(), sdk.ConversationPaused(), sdk.ConversationResumed(),
    sdk.FollowupAction("action_handoff"), sdk.UserUtteranceReverted(), sdk.ActionReverted(),
    sdk.ActionExecuted("action_listen"), sdk.BotUttered("你好", {"buttons": []}), sdk.AgentUttered("hi"),
    sdk.UserUttered("我的订单", {"intent": {"name": "order_status", "confidence": 0.9},
                                 "entities": []}),
    sdk.Restarted(), sdk.SessionStarted(), sdk.ActiveLoop("order_status_form"), sdk.ActiveLoop(None),
    sdk.ActionExecutionRejected("action_answer_faq"), sdk.LoopInterrupted(True), sdk.StoryExported(),
    # The SDK's Form and FormValidation (deprecated, so built here without the warning).
    {"event": "form", "name": "order_status_form", "timestamp": None},
    {"event": "form_validation", "validate": False, "timestamp": None},
    sdk.ReminderScheduled("EXTERNAL_reminder", datetime.datetime(2026, 12, 4, 12, 0), name="r1"),
    sdk.ReminderCancelled(name="r1"),
]
WRONG_VALUES = [None, 7, 1.5, "text", True, [], {}, [1], {"name": 1}]


def _variants(event: Dict[str, Any]) -> List[Any]:
    """The event, then each of its fields given each wrong value or left out, and its name changed."""
    variants: List[Any] = [event]
    for key in event:
        variants.append({k: v for k, v in event.items() if k != key})
        variants += [{**event, key: value} for value in WRONG_VALUES]
    variants += [{**event, "event": "no_such_event"}, {**event, "event": event["event"].upper()}]
    return variants


def _replies() -> List[Any]:
    replies: List[Any] = [{}, {"events": []}, {"responses": [{"text": "hi"}]}, [], "reply", None,
                          {"events": "not a list"}, {"events": [1]}, {"responses": [1, 2]}, {"events": None}]
    for event in SDK_EVENTS:
        replies += [{"events": [variant], "responses": []} for variant in _variants(event)]
    # A wrong event after good ones.
    replies.append({"events": SDK_EVENTS[:5] + [{"event": "slot", "name": 3}]})
    replies.append({"events": SDK_EVENTS})
    return replies


def test_every_reply_gets_the_verdict_of_the_whole_schema():
    whole = validators.validator_for(SCHEMA)(SCHEMA)
    checker = ReplyChecker(SCHEMA)
    verdicts = [(reply, whole.is_valid(reply)) for reply in _replies()]
    assert [reply for reply, valid in verdicts if checker.is_valid(reply) != valid] == []
    # Both verdicts are well represented, and every SDK event is valid as built.
    assert sum(valid for _, valid in verdicts) > 100
    assert sum(not valid for _, valid in verdicts) > 300
    assert all(whole.is_valid({"events": [event]}) for event in SDK_EVENTS)


def test_a_schema_without_named_event_kinds_is_refused():
    without_kinds = {"type": "object",
                     "properties": {"events": {"type": "array", "items": {"type": "object"}}}}
    with pytest.raises(ValueError, match="no oneOf"):
        ReplyChecker(without_kinds)
    twice = {"type": "object", "properties": {"events": {"type": "array", "items": {"oneOf": [
        {"properties": {"event": {"const": "slot"}}}, {"properties": {"event": {"const": "slot"}}}]}}}}
    with pytest.raises(ValueError, match="same name"):
        ReplyChecker(twice)
