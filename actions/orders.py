"""Order actions: status, and the submit step of the address, cancel and return forms.

When the order API itself is down or broken they explain, then hand over to a person
(FollowupAction to action_handoff): the customer cannot fix that by rephrasing.
"""
import abc
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import say, text
from actions.order_api import api_is_failing, explain_failure, hand_over, orders_client
from actions.order_forms import PROBLEM_API_DOWN, PROBLEM_UNVERIFIED, order_id_or_explain
from orders import OrderApiError, OrderConflict

ORDER_STATUS_FORM = "order_status_form"
# Slots one form run fills; cleared when it ends. order_id and verified_order stay, so a second
# request about the same order needs no second verification.
FORM_RUN_SLOTS = ("phone_last4", "new_address", "return_reason", "confirmed", "order_problem")


def clear_form_run() -> List[Dict[Text, Any]]:
    return [SlotSet(slot, None) for slot in FORM_RUN_SLOTS]


def short_time(iso_time: str) -> str:
    """2026-11-24T08:30:00Z -> 2026-11-24 08:30 (UTC, as the order API reports)."""
    return iso_time[:16].replace("T", " ")


def status_words(tracker: Tracker, status: str) -> str:
    return text(tracker, f"status_{status}")


class ActionOrderStatus(Action):
    """Status in words and the latest tracking event. Never the address, phone or items."""

    def name(self) -> Text:
        return "action_order_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        order_id = order_id_or_explain(tracker.get_slot("order_id"), dispatcher, tracker)
        if order_id is None:
            # Only when the message named a malformed number (rules.yml answers a message with an
            # order id directly; the form checks the number itself): the form asks for it again.
            return [SlotSet("order_id", None), FollowupAction(ORDER_STATUS_FORM)]
        try:
            tracking = await orders_client().get_tracking(order_id)
        except OrderApiError as error:
            explain_failure(dispatcher, tracker, error, order_id)
            if api_is_failing(error):
                return hand_over()  # the number was fine: kept for the person who takes over
            return [SlotSet("order_id", None)]
        say(dispatcher, tracker, "order_status", order_id=order_id,
            status=status_words(tracker, tracking["status"]))
        events = tracking.get("events") or []
        if events:
            latest = events[-1]
            say(dispatcher, tracker, "tracking_latest", carrier=tracking.get("carrier"),
                tracking_number=tracking.get("tracking_number"), time=short_time(latest["time"]),
                location=latest.get("location") or "-", description=latest.get("description") or "")
        elif tracking.get("carrier"):
            say(dispatcher, tracker, "tracking_no_events", carrier=tracking["carrier"],
                tracking_number=tracking.get("tracking_number"))
        if tracking.get("estimated_delivery"):
            say(dispatcher, tracker, "tracking_expected", date=tracking["estimated_delivery"][:10])
        return []


class SubmitOrderChange(Action, abc.ABC):
    """Ends a verified order form: explains why it cannot go on, or makes the change.

    Abstract, so rasa_sdk registers only the concrete actions below.
    """

    # Key of the change in the catalog ("refused_<change>", "<change>_done").
    change = ""

    @abc.abstractmethod
    async def apply(self, tracker: Tracker, order_id: str) -> Dict[str, Any]:
        """Makes the change through the order API; returns values for the success message."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        order_id = tracker.get_slot("order_id")
        problem = tracker.get_slot("order_problem")
        api_failed = False
        if problem:
            self.explain_problem(dispatcher, tracker, problem, order_id)
            api_failed = problem == PROBLEM_API_DOWN
        elif tracker.get_slot("confirmed") is not True:
            say(dispatcher, tracker, "change_not_confirmed")
        elif tracker.get_slot("verified_order") != order_id:
            # The form guarantees this; refuse rather than trust a slot set some other way.
            say(dispatcher, tracker, "verify_failed_final")
        else:
            api_failed = await self.apply_and_report(dispatcher, tracker, order_id)
        return clear_form_run() + (hand_over() if api_failed else [])

    async def apply_and_report(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               order_id: str) -> bool:
        """Makes the change and says how it went; True when the order API itself failed."""
        try:
            result = await self.apply(tracker, order_id)
        except OrderConflict as conflict:
            status = (conflict.details or {}).get("status")
            self.explain_problem(dispatcher, tracker, status or "conflict", order_id)
            return False
        except OrderApiError as error:
            explain_failure(dispatcher, tracker, error, order_id)
            return api_is_failing(error)
        say(dispatcher, tracker, f"{self.change}_done", order_id=order_id, **result)
        return False

    def explain_problem(self, dispatcher: CollectingDispatcher, tracker: Tracker, problem: str,
                        order_id: Optional[str]) -> None:
        if problem == PROBLEM_UNVERIFIED:
            say(dispatcher, tracker, "verify_failed_final")
        elif problem == PROBLEM_API_DOWN:
            pass  # already explained when the call failed
        elif problem == "conflict":
            say(dispatcher, tracker, "order_api_error")
        else:
            say(dispatcher, tracker, f"refused_{self.change}", order_id=order_id,
                status=status_words(tracker, problem))


class ActionChangeAddress(SubmitOrderChange):
    change = "change_address"

    def name(self) -> Text:
        return "action_change_address"

    async def apply(self, tracker: Tracker, order_id: str) -> Dict[str, Any]:
        address = tracker.get_slot("new_address")
        await orders_client().change_address(order_id, address)
        return {"address": address}


class ActionCancelOrder(SubmitOrderChange):
    change = "cancel"

    def name(self) -> Text:
        return "action_cancel_order"

    async def apply(self, tracker: Tracker, order_id: str) -> Dict[str, Any]:
        await orders_client().cancel_order(order_id)
        return {}


class ActionRequestReturn(SubmitOrderChange):
    change = "request_return"

    def name(self) -> Text:
        return "action_request_return"

    async def apply(self, tracker: Tracker, order_id: str) -> Dict[str, Any]:
        created = await orders_client().request_return(order_id, tracker.get_slot("return_reason"))
        return {"return_id": created["return_id"]}
