"""An order action whose call fails because the order API is down or broken hands over to a person
after explaining; failures about the request itself (unknown order, refused change) do not."""
import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import orders as order_actions
from actions.order_forms import PROBLEM_API_DOWN, PROBLEM_UNVERIFIED
from actions.orders import ActionCancelOrder, ActionOrderStatus
from orders import OrderApiUnavailable, OrderConflict, OrderNotFound, TooManyAttempts, Unauthorized
from tests.unit.tracker_events import tracker, user

HAND_OVER = FollowupAction("action_handoff")
DOWN = OrderApiUnavailable("down", code="unreachable")


class FailingOrders:
    def __init__(self, error):
        self.error = error

    async def get_tracking(self, order_id):
        raise self.error

    async def cancel_order(self, order_id):
        raise self.error


async def run(action, slots, error, monkeypatch):
    monkeypatch.setattr(order_actions, "orders_client", lambda: FailingOrders(error))
    dispatcher = CollectingDispatcher()
    t = tracker([user("A10023", "inform")], slots={"language": "en", **slots})
    return await action.run(dispatcher, t, {}), [m["text"] for m in dispatcher.messages]


@pytest.mark.parametrize("error", [DOWN, OrderApiUnavailable("boom", status=500),
                                   Unauthorized("bad token")])
async def test_order_status_hands_over_when_the_api_fails_and_keeps_the_order_id(monkeypatch, error):
    events, texts = await run(ActionOrderStatus(), {"order_id": "A10023"}, error, monkeypatch)
    assert events == [HAND_OVER]
    assert len(texts) == 1  # the failure is explained first


async def test_an_unknown_order_is_asked_again_not_handed_over(monkeypatch):
    events, texts = await run(ActionOrderStatus(), {"order_id": "A10023"}, OrderNotFound("no"), monkeypatch)
    assert events == [SlotSet("order_id", None)]
    assert texts == ["I couldn't find order A10023. Could you check the number?"]


CONFIRMED = {"order_id": "A10023", "verified_order": "A10023", "confirmed": True}


@pytest.mark.parametrize("slots, error, handed_over", [
    ({**CONFIRMED, "order_problem": PROBLEM_API_DOWN}, None, True),      # the form's call failed
    ({**CONFIRMED, "order_problem": PROBLEM_UNVERIFIED}, None, False),
    ({**CONFIRMED, "order_problem": "shipped"}, None, False),
    (CONFIRMED, DOWN, True),                                              # the change itself failed
    (CONFIRMED, OrderApiUnavailable("boom", status=502), True),
    (CONFIRMED, OrderConflict("no", details={"status": "shipped"}), False),
    (CONFIRMED, TooManyAttempts("slow down"), False),
])
async def test_an_order_change_hands_over_only_when_the_api_failed(monkeypatch, slots, error, handed_over):
    events, _ = await run(ActionCancelOrder(), slots, error, monkeypatch)
    assert (HAND_OVER in events) is handed_over
    assert SlotSet("order_problem", None) in events  # the form run is cleared either way
    assert events[-1] == HAND_OVER or not handed_over


@pytest.mark.parametrize("order_id, told", [("12345", True), (None, False)])
async def test_a_malformed_order_id_is_explained_and_the_form_asks_again(monkeypatch, order_id, told):
    # The order API is down: any call to it would hand over instead.
    events, texts = await run(ActionOrderStatus(), {"order_id": order_id}, DOWN, monkeypatch)
    assert events == [SlotSet("order_id", None), FollowupAction("order_status_form")]
    assert texts == (['"12345" doesn\'t look like an order number. Order numbers are the letter A and 5 '
                      'digits, like A10023.'] if told else [])
