"""Slot validation of the order forms: order id, proof of ownership, address, return reason.

Changes to an order need proof that it is the customer's: the last four digits of the phone on the
order, or a signed logged-in identity (actions/identity.py). Three wrong answers end the form. A
form that cannot go on (not verified, order in the wrong state, API down) ends by returning no
more required slots, with `order_problem` saying why; the form's submit action then explains.
"""
import abc
import re
import unicodedata
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identity import logged_in_customer
from actions.messages import say
from actions.order_api import explain_failure, orders_client
from orders import OrderApiError, OrderApiUnavailable, TooManyAttempts, is_order_id, normalize_order_id

MAX_VERIFY_FAILURES = 3
MAX_ADDRESS_LENGTH = 200
MIN_ADDRESS_LENGTH = 6
MAX_REASON_LENGTH = 200

# Values of `order_problem`: an order status means "not allowed in this status".
PROBLEM_UNVERIFIED = "unverified"
PROBLEM_API_DOWN = "api_down"


def normalize_text(value: Any) -> str:
    """Full-width to half-width (NFKC) and single spaces: how we store what customers type."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value or ""))).strip()


def parse_order_id(value: Any) -> Optional[str]:
    candidate = normalize_text(value).upper()
    return normalize_order_id(candidate) if is_order_id(candidate) else None


def _text_within(value: Any, limit: int, too_long_message: str, dispatcher: CollectingDispatcher,
                 tracker: Tracker) -> Optional[str]:
    """The normalized text, or None (and the customer told the limit) when it is too long."""
    text = normalize_text(value)
    if len(text) > limit:
        say(dispatcher, tracker, too_long_message, limit=limit)
        return None
    return text


def order_id_or_explain(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[str]:
    """The order id in `value`, or None after telling the customer what an order id looks like."""
    order_id = parse_order_id(value)
    if order_id is None and value:  # an empty value is a slot being reset, not an answer
        say(dispatcher, tracker, "order_id_invalid", order_id=normalize_text(value)[:40])
    return order_id


class ValidateOrderStatusForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_order_status_form"

    async def validate_order_id(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {"order_id": order_id_or_explain(value, dispatcher, tracker)}


class VerifiedOrderForm(FormValidationAction, abc.ABC):
    """A form that changes an order: the customer proves ownership before anything else.

    Abstract (each form names itself), so rasa_sdk registers only the concrete forms.
    """

    # The key of the order API's `allowed_actions` this form needs.
    order_action = ""

    @abc.abstractmethod
    def name(self) -> Text:
        """validate_<form name>"""

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        if tracker.get_slot("order_problem"):
            return []
        order_id = tracker.get_slot("order_id")
        if order_id and tracker.get_slot("verified_order") == order_id:
            return [slot for slot in domain_slots if slot != "phone_last4"]
        return domain_slots

    async def validate_order_id(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        order_id = order_id_or_explain(value, dispatcher, tracker)
        if order_id is None:
            return {"order_id": None}
        try:
            order = await orders_client().get_order(order_id)
        except OrderApiUnavailable as error:
            explain_failure(dispatcher, tracker, error, order_id)
            return {"order_id": order_id, "order_problem": PROBLEM_API_DOWN}
        except OrderApiError as error:
            explain_failure(dispatcher, tracker, error, order_id)
            return {"order_id": None}
        slots: Dict[Text, Any] = {"order_id": order_id}
        if order_id != tracker.get_slot("verified_order"):
            slots["verify_failures"] = 0  # a new order: its own three attempts
        if logged_in_customer(tracker) == order["customer"]["id"]:
            slots.update(self._verified(order_id, order))
        return slots

    async def validate_phone_last4(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        digits = re.findall(r"\d", normalize_text(value))
        if len(digits) < 4:
            say(dispatcher, tracker, "verify_need_digits")
            return {"phone_last4": None}
        order_id = tracker.get_slot("order_id")
        client = orders_client()
        try:
            verified = await client.verify(order_id, "".join(digits[-4:]))
            order = await client.get_order(order_id) if verified else None
        except TooManyAttempts as error:
            explain_failure(dispatcher, tracker, error)
            return {"phone_last4": None, "order_problem": PROBLEM_UNVERIFIED}
        except OrderApiError as error:
            explain_failure(dispatcher, tracker, error, order_id)
            return {"phone_last4": None, "order_problem": PROBLEM_API_DOWN}
        if verified:
            return self._verified(order_id, order)
        failures = int(tracker.get_slot("verify_failures") or 0) + 1
        if failures >= MAX_VERIFY_FAILURES:
            return {"phone_last4": None, "verify_failures": failures,
                    "order_problem": PROBLEM_UNVERIFIED}
        say(dispatcher, tracker, "verify_failed_retry", remaining=MAX_VERIFY_FAILURES - failures)
        return {"phone_last4": None, "verify_failures": failures}

    def _verified(self, order_id: str, order: Dict[str, Any]) -> Dict[Text, Any]:
        # The digits are not kept: the slot only records that the check passed.
        slots = {"verified_order": order_id, "phone_last4": "verified", "verify_failures": 0}
        if not order["allowed_actions"].get(self.order_action, False):
            slots["order_problem"] = order["status"]
        return slots


class ValidateChangeAddressForm(VerifiedOrderForm):
    order_action = "change_address"

    def name(self) -> Text:
        return "validate_change_address_form"

    async def validate_new_address(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        address = _text_within(value, MAX_ADDRESS_LENGTH, "address_too_long", dispatcher, tracker)
        if address is None:
            return {"new_address": None}
        if len(address) < MIN_ADDRESS_LENGTH or not re.search(r"\w", address):
            say(dispatcher, tracker, "address_too_short")
            return {"new_address": None}
        return {"new_address": address}


class ValidateCancelOrderForm(VerifiedOrderForm):
    order_action = "cancel"

    def name(self) -> Text:
        return "validate_cancel_order_form"


class ValidateReturnForm(VerifiedOrderForm):
    order_action = "request_return"

    def name(self) -> Text:
        return "validate_return_form"

    async def validate_return_reason(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        reason = _text_within(value, MAX_REASON_LENGTH, "reason_too_long", dispatcher, tracker)
        return {"return_reason": reason or None}
