"""Handoff trigger "a VIP who asks twice": a VIP customer who asks the bot the same kind of question
twice in a row is handed to a person right after the bot's second answer, not left to ask a third time.

`asked_twice` is a pure function of the tracker; the tier (an order API call, actions/customer_tier.py)
is looked up only when it holds, so ordinary turns cost nothing. The knowledge answer actions
(actions/knowledge.py) add `hand_over_vip_repeat`'s events to theirs, as the order actions add theirs
when the order API fails; actions/handoff_packet.py then reports the reason "vip_repeat".
"""
from typing import Any, Dict, List, Sequence, Set, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

from actions.customer_tier import customer_tier
from actions.user_messages import intent_of

# The intents the bot answers itself from the knowledge graph, and the action that answers each.
ANSWER_ACTION_OF_INTENT = {"product_question": "action_answer_product", "faq": "action_answer_faq"}
HANDOFF_ACTION = "action_handoff"
# Events after which earlier messages belong to another conversation.
SESSION_BOUNDARIES = ("session_started", "restart")


def _products(event: Dict[str, Any]) -> Set[str]:
    """The product entity values of a customer message, case-folded."""
    entities = (event.get("parse_data") or {}).get("entities") or []
    return {str(e.get("value") or "").strip().casefold() for e in entities
            if e.get("entity") == "product" and str(e.get("value") or "").strip()}


def _product_slot(events: Sequence[Dict[str, Any]]) -> Any:
    """The value of the product slot after these events (slot values carried into a session are
    set again right after its start)."""
    return next((e.get("value") for e in reversed(events)
                 if e.get("event") == "slot" and e.get("name") == "product"), None)


def asked_twice(tracker: Tracker) -> bool:
    """True when the customer's latest message and the one before it, in this session, are both the
    same kind of question the bot answers itself (a product question, or a shop-policy FAQ), the bot
    answered the earlier one itself (its answer action ran and did not hand over), and they are about
    the same product (they name one in common, or either names none)."""
    events = list(tracker.events)
    start = next((i + 1 for i in range(len(events) - 1, -1, -1)
                  if events[i].get("event") in SESSION_BOUNDARIES), 0)
    users = [i for i in range(start, len(events)) if events[i].get("event") == "user"]
    if len(users) < 2:
        return False
    earlier, latest = events[users[-2]], events[users[-1]]
    intent = intent_of(latest)
    if intent not in ANSWER_ACTION_OF_INTENT or intent_of(earlier) != intent:
        return False
    between = {e.get("name") for e in events[users[-2] + 1:users[-1]] if e.get("event") == "action"}
    if ANSWER_ACTION_OF_INTENT[intent] not in between or HANDOFF_ACTION in between:
        return False  # not answered by the bot (said to an agent), or already handed over
    asked_before, asked_now = _products(earlier), _products(latest)
    if (intent == "product_question" and not asked_before
            and not _product_slot(events[start:users[-2]])):
        # No product at all: the bot asked which one, and the latest message is the answer.
        return False
    return not (asked_before and asked_now) or bool(asked_before & asked_now)


async def hand_over_vip_repeat(tracker: Tracker) -> List[Dict[Text, Any]]:
    """Events that run action_handoff next when a VIP asked twice (after the answer was given);
    none otherwise. A form the question interrupted is stopped first, as the rules do before
    every other handoff, so it does not take the customer's next message after the agent."""
    if not asked_twice(tracker) or await customer_tier(tracker) != "vip":
        return []
    stop_form = [ActiveLoop(None), SlotSet("requested_slot", None)] if tracker.active_loop_name else []
    return stop_form + [FollowupAction(HANDOFF_ACTION)]
