"""The action server's one OrdersClient, and what to tell the customer when a call fails."""
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import say
from orders import (InputTooLarge, InvalidRequest, NotFound, OrderApiError, OrderApiUnavailable,
                    OrderConflict, OrderNotFound, OrdersClient, TooManyAttempts)

log = logging.getLogger(__name__)
_client: Optional[OrdersClient] = None
# Failures about the customer's request (unknown or malformed order, locked verification, a change
# the order's state refuses): the reply tells them what to do. Any other failure is the order API
# being down or broken, which the customer cannot fix: a person takes over.
REQUEST_ERRORS = (NotFound, InvalidRequest, TooManyAttempts, OrderConflict, InputTooLarge)


def orders_client() -> OrdersClient:
    """Created on first use, inside the action server's event loop; its pool is then reused."""
    global _client
    if _client is None:
        _client = OrdersClient.from_env()
    return _client


def explain_failure(dispatcher: CollectingDispatcher, tracker: Tracker, error: OrderApiError,
                    order_id: Optional[str] = None) -> None:
    """A clear, localized reply for a failed order API call; offers a person where that helps."""
    if isinstance(error, OrderNotFound):
        say(dispatcher, tracker, "order_not_found", order_id=order_id)
    elif isinstance(error, InvalidRequest):
        say(dispatcher, tracker, "order_id_invalid", order_id=order_id)
    elif isinstance(error, TooManyAttempts):
        say(dispatcher, tracker, "verify_locked")
    elif isinstance(error, OrderApiUnavailable):
        log.warning("order API unavailable: %s", error.code)
        say(dispatcher, tracker, "order_api_down")
    else:
        log.error("order API refused a call: %s %s", error.status, error.code)
        say(dispatcher, tracker, "order_api_error")


def api_is_failing(error: OrderApiError) -> bool:
    return not isinstance(error, REQUEST_ERRORS)


def hand_over() -> List[Dict[Text, Any]]:
    """Events that run action_handoff next, after the failure has been explained."""
    return [FollowupAction("action_handoff")]
