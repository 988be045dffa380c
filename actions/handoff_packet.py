"""The context packet `action_handoff` posts to the handoff service, built from the tracker alone.

The person who takes over should not have to ask again what the bot already knows: what the
conversation is about, why it is handed over, the last messages and what the bot looked up.
Pure functions of the tracker's events and slots, so each part is unit-tested on its own.
"""
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from actions.identity import logged_in_customer
from actions.knowledge import ActionAnswerFaq, ActionAnswerProduct, ActionNoteReturnPolicy
from actions.messages import language_of
from actions.orders import ActionOrderStatus, SubmitOrderChange
from actions.user_messages import intent_of, latest_user_event, user_events

ORDER_ACTIONS = frozenset(
    [ActionOrderStatus().name()] + [change().name() for change in SubmitOrderChange.__subclasses__()])
ANSWER_ACTIONS = frozenset(action().name() for action in (ActionAnswerProduct, ActionAnswerFaq))
KNOWLEDGE_ACTIONS = ANSWER_ACTIONS | {ActionNoteReturnPolicy().name()}
# Their replies are facts the bot looked up, worth showing the agent apart from the chat.
FACT_ACTIONS = ORDER_ACTIONS | KNOWLEDGE_ACTIONS

# Intents that say nothing about what the conversation is about (small talk, yes/no, a bare order
# number, asking for a person, not understood); the topic is the latest intent not among them.
NOT_A_TOPIC = frozenset({"nlu_fallback", "request_human", "affirm", "deny", "inform", "greet",
                         "thank", "goodbye", "bot_challenge", "out_of_scope"})
DEFAULT_TOPIC = "general"
# Reason of the handoff by the intent of the message that triggered it (see reason()).
REASON_OF_INTENT = {"request_human": "request_human", "complain": "complaint",
                    "nlu_fallback": "fallback"}
DEFAULT_REASON = "request_human"
# Bookkeeping of Rasa and the forms, or private: the ownership digits never leave the bot
# (verified_order says the check passed) and the session metadata holds the login signature.
HIDDEN_SLOTS = frozenset({"requested_slot", "session_started_metadata", "phone_last4"})
MAX_RANKING = 5
MAX_TURNS = 10
MAX_FACTS = 5


def topic(tracker: Tracker) -> str:
    return next((intent for intent in map(intent_of, reversed(user_events(tracker)))
                 if intent and intent not in NOT_A_TOPIC), DEFAULT_TOPIC)


def previous_action(tracker: Tracker) -> Optional[str]:
    """The action that ran since the customer's latest message, just before this one, if any."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return None
        if event.get("event") == "action":
            return event.get("name")
    return None


def reason(tracker: Tracker) -> str:
    """Why the bot hands over. Right after an order action it can only be that action's
    FollowupAction (the API failed; no rule predicts a handoff there), whatever the customer's
    last intent was (a return reason may read as a complaint). Right after a product or FAQ answer
    it can only be that action's FollowupAction too: a VIP asked twice (actions/vip_repeat.py).
    Otherwise the intent that triggered the handoff rule says it."""
    previous = previous_action(tracker)
    if previous in ORDER_ACTIONS:
        return "order_failure"
    if previous in ANSWER_ACTIONS:
        return "vip_repeat"
    return REASON_OF_INTENT.get(intent_of(latest_user_event(tracker)), DEFAULT_REASON)


def intent_ranking(tracker: Tracker) -> List[Dict[str, Any]]:
    parse_data = latest_user_event(tracker).get("parse_data") or {}
    ranking = parse_data.get("intent_ranking") or [parse_data.get("intent") or {}]
    return [{"name": entry["name"], "confidence": entry.get("confidence")}
            for entry in ranking[:MAX_RANKING] if entry.get("name")]


def filled_slots(tracker: Tracker) -> Dict[str, Any]:
    return {name: value for name, value in tracker.slots.items()
            if value is not None and name not in HIDDEN_SLOTS}


def turn(event: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """A customer or bot message as the agent sees it; None for other events and empty texts."""
    if event.get("event") == "user":
        intent = (event.get("parse_data") or {}).get("intent") or {}
        return {"actor": "customer", "text": event.get("text") or "", "intent": intent.get("name"),
                "confidence": intent.get("confidence"), "timestamp": event.get("timestamp"),
                "message_id": event.get("message_id")}
    if event.get("event") == "bot" and event.get("text"):
        return {"actor": "bot", "text": event["text"], "timestamp": event.get("timestamp")}
    return None


def last_turns(tracker: Tracker) -> List[Dict[str, Any]]:
    """The last MAX_TURNS messages, always from the customer's latest one on: the service skips
    relaying again the messages whose ids it got here."""
    turns = [t for t in map(turn, tracker.events) if t is not None]
    customer = [i for i, t in enumerate(turns) if t["actor"] == "customer"]
    start = max(0, len(turns) - MAX_TURNS)
    return turns[min(start, customer[-1]) if customer else start:]


def facts(tracker: Tracker) -> List[Dict[str, str]]:
    """The replies of the order and knowledge actions, one fact per action run, newest last."""
    found: List[Dict[str, str]] = []
    source = None  # the fact action whose replies follow, while they do
    for event in tracker.events:
        kind = event.get("event")
        if kind in ("action", "user"):
            source = event.get("name") if event.get("name") in FACT_ACTIONS else None
            if source:
                found.append({"source": source, "text": ""})
        elif kind == "bot" and source and event.get("text"):
            found[-1]["text"] = "\n".join(filter(None, [found[-1]["text"], event["text"]]))
    return [fact for fact in found if fact["text"]][-MAX_FACTS:]


def build_packet(tracker: Tracker, tier: str) -> Dict[str, Any]:
    return {
        "conversation_id": tracker.sender_id,
        "channel": tracker.get_latest_input_channel() or "unknown",
        "language": language_of(tracker),
        "customer": {"id": logged_in_customer(tracker), "tier": tier},
        "topic": topic(tracker),
        "reason": reason(tracker),
        "intent_ranking": intent_ranking(tracker),
        "slots": filled_slots(tracker),
        "last_turns": last_turns(tracker),
        "facts": facts(tracker),
    }
