"""`action_handoff`: the bot hands the conversation to a person through the handoff service.

It posts the context packet (actions/handoff_packet.py), tells the customer where they are in the
queue and pauses the conversation: from then on Rasa keeps recording messages but the bot stays
silent, and the service relays them to the agent. When the service cannot take the conversation,
the bot says honestly how to reach the team (SUPPORT_CONTACT) and stays in the conversation.
"""
import logging
import math
import os
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.customer_tier import customer_tier
from actions.handoff_client import HandoffUnavailable, request_handoff
from actions.handoff_packet import build_packet
from actions.messages import say

log = logging.getLogger(__name__)
DEFAULT_SUPPORT_CONTACT = "400-820-8820 / support@shop.example"


def _positive_int(value: Any) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def wait_minutes(seconds: Any) -> Optional[int]:
    """Whole minutes, rounded up (a 61 s wait is 2 min); None when the service gave no estimate."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        return None
    return math.ceil(seconds / 60)


def tell_customer(dispatcher: CollectingDispatcher, tracker: Tracker, handoff: Dict[str, Any]) -> None:
    if handoff.get("status") == "assigned":
        say(dispatcher, tracker, "handoff_assigned")
        return
    say(dispatcher, tracker, "handoff_queued")
    if handoff.get("language_available") is False:
        # The estimate assumes an agent for the language is online: it replaces the wait.
        say(dispatcher, tracker, "handoff_no_agent_for_language")
        return
    minutes = wait_minutes(handoff.get("expected_wait_seconds"))
    position = _positive_int(handoff.get("position"))
    if minutes == 0:
        say(dispatcher, tracker, "handoff_wait_shortly")
    elif minutes and position:
        say(dispatcher, tracker, "handoff_wait", position=position, minutes=minutes)


class ActionHandoff(Action):
    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        packet = build_packet(tracker, tier=await customer_tier(tracker))
        try:
            handoff = await request_handoff(packet)
        except HandoffUnavailable as error:
            log.warning("handoff service unavailable, offering the support contact: %s", error)
            contact = os.environ.get("SUPPORT_CONTACT", DEFAULT_SUPPORT_CONTACT)
            say(dispatcher, tracker, "handoff_unavailable", contact=contact)
            # The bot's turn ends here as after every handoff rule; an order action's FollowupAction
            # reaches this point in no rule or story, so nothing else would predict the listen.
            return [FollowupAction("action_listen")]
        tell_customer(dispatcher, tracker, handoff)
        return [ConversationPaused()]
