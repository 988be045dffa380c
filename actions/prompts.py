"""The questions forms ask for their slots (`action_ask_<slot>`; Rasa calls them by that name)."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import say


def _prompt(slot: str) -> type:
    """An action that asks for `slot` with the catalog message `ask_<slot>`."""

    class AskForSlot(Action):
        def name(self) -> Text:
            return f"action_ask_{slot}"

        async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
            say(dispatcher, tracker, f"ask_{slot}", **tracker.current_slot_values())
            return []

    AskForSlot.__name__ = AskForSlot.__qualname__ = f"AskFor_{slot}"
    return AskForSlot


# One action per prompted slot; confirmations are per form because each summary differs.
PROMPTS = [_prompt(slot) for slot in (
    "order_id", "phone_last4", "new_address", "return_reason",
    "change_address_form_confirmed", "cancel_order_form_confirmed", "return_form_confirmed",
)]
