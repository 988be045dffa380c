"""`action_session_start`: Rasa's own session start, except that a conversation still with a person
stays paused.

A new session (after `session_expiration_time` of silence) resets the tracker, pause included, so
without this the bot would wake up and answer beside the agent. The handoff service knows whether
the conversation is still with people; when it cannot be asked, the bot takes the conversation
back rather than leave the customer talking to nobody.
"""
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff_client import HandoffUnavailable, open_handoff

log = logging.getLogger(__name__)


def carries_over_slots(domain: Dict[Text, Any]) -> bool:
    # Rasa's default when the domain (e.g. a selective one) does not say.
    return bool((domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True))


async def still_with_a_person(tracker: Tracker) -> bool:
    if not any(event.get("event") == "user" for event in tracker.events):
        return False  # a brand-new conversation: nothing to ask the service about
    try:
        return await open_handoff(tracker.sender_id) is not None
    except HandoffUnavailable as error:
        log.warning("handoff service unavailable, the new session is not paused: %s", error)
        return False


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        # The order Rasa's ActionSessionStart uses: SessionStarted resets the tracker, so the slots
        # and the pause come after it, and action_listen last to wait for the customer.
        events = [SessionStarted()]
        if carries_over_slots(domain):
            # Rasa re-applies every SlotSet of the session; the filled slots are the same end state.
            events += [SlotSet(name, value) for name, value in tracker.slots.items() if value is not None]
        if await still_with_a_person(tracker):
            events.append(ConversationPaused())
        events.append(ActionExecuted("action_listen"))
        return events
