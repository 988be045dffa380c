"""`action_handoff`: where the bot hands the conversation to a person.

Until the handoff service exists (its own issue), this tells the customer honestly how to reach
the team (SUPPORT_CONTACT) instead of pretending a person is on the way.
"""
import os
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import say

DEFAULT_SUPPORT_CONTACT = "400-820-8820 / support@shop.example"


class ActionHandoff(Action):
    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        contact = os.environ.get("SUPPORT_CONTACT", DEFAULT_SUPPORT_CONTACT)
        say(dispatcher, tracker, "handoff_unavailable", contact=contact)
        return []
