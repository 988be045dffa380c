"""action_handoff against a real HTTP server speaking the handoff service's contract."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import customer_tier
from actions.handoff import ActionHandoff, wait_minutes
from actions.handoff_packet import build_packet
from tests.unit.fake_handoff_service import TOKEN, closed_port_url
from tests.unit.tracker_events import action, bot, tracker, user

PAUSE = [{"event": "pause", "timestamp": None}]
LISTEN = [{"event": "followup", "timestamp": None, "name": "action_listen"}]




def asking_for_a_person(language="en", **slots):
    events = [user("where is my order A10023", "order_status"), action("action_order_status"),
              bot("Order A10023: shipped."), action("action_listen"),
              user("I want a person", "request_human", message_id="m-human")]
    return tracker(events, slots={"language": language, **slots}, sender_id="conv-7")


async def hand_over(t):
    dispatcher = CollectingDispatcher()
    events = await ActionHandoff().run(dispatcher, t, {})
    return events, [message["text"] for message in dispatcher.messages]


@pytest.mark.parametrize("seconds, minutes", [
    (0, 0), (1, 1), (60, 1), (61, 2), (240, 4), (90.5, 2), (None, None), (-5, None), ("240", None), (True, None)])
def test_wait_minutes_round_up(seconds, minutes):
    assert wait_minutes(seconds) == minutes


async def test_a_queued_handoff_pauses_and_tells_the_place_and_the_wait(service):
    t = asking_for_a_person()
    events, texts = await hand_over(t)
    assert events == PAUSE
    assert texts == ["OK, a person from our team is on the way. Please stay in this chat; they'll reply right here.",
                     "You're number 3 in the queue; the expected wait is about 4 min."]
    assert service.packets == [build_packet(t, tier="regular")]
    packet = service.packets[0]
    assert (packet["conversation_id"], packet["reason"], packet["topic"]) == ("conv-7", "request_human", "order_status")
    assert packet["last_turns"][-1]["message_id"] == "m-human"


async def test_no_wait_means_connected_shortly_in_chinese(service):
    service.post_answer = (200, {"handoff_id": "h-1", "status": "offered", "position": 1,
                                 "expected_wait_seconds": 0, "language_available": True})
    events, texts = await hand_over(asking_for_a_person("zh"))
    assert events == PAUSE
    assert texts == ["好的，正在为您转接人工客服，请稍候，接通后客服会在这里直接回复您。", "马上就为您接通，请稍等。"]


async def test_no_agent_for_the_language_is_said_instead_of_a_wait(service):
    service.post_answer = (201, {"handoff_id": "h-1", "status": "queued", "position": 1,
                                 "expected_wait_seconds": 60, "language_available": False})
    events, texts = await hand_over(asking_for_a_person("en"))
    assert events == PAUSE
    assert texts[1:] == ["No agent who speaks English is online right now; you'll be connected as soon as one is."]


async def test_an_agent_already_there_is_said_so(service):
    service.post_answer = (200, {"handoff_id": "h-1", "status": "assigned", "position": 0,
                                 "expected_wait_seconds": 0, "language_available": True})
    events, texts = await hand_over(asking_for_a_person("zh"))
    assert events == PAUSE
    assert texts == ["客服已经在为您服务了，请直接在这里留言。"]


async def test_an_accepted_handoff_with_an_odd_body_still_pauses(service):
    service.post_answer = (201, {"status": "queued", "position": "3"})
    events, texts = await hand_over(asking_for_a_person())
    assert events == PAUSE and len(texts) == 1


@pytest.mark.parametrize("status", [400, 401, 500, 503])
async def test_an_error_answer_gives_the_support_contact_and_does_not_pause(service, monkeypatch, status):
    monkeypatch.setenv("SUPPORT_CONTACT", "call 123")
    service.post_answer = (status, {"error": "nope"})
    events, texts = await hand_over(asking_for_a_person())
    assert events == LISTEN
    assert texts == ["Sorry, our human agents can't join this chat yet. You can reach the team at call 123 "
                     "and they'll help you as soon as possible."]


async def test_a_refused_connection_gives_the_support_contact(monkeypatch):
    monkeypatch.setenv("HANDOFF_URL", closed_port_url())
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", TOKEN)
    events, texts = await hand_over(asking_for_a_person("zh"))
    assert events == LISTEN and "人工客服暂时无法" in texts[0]


async def test_a_wrong_token_is_a_failure_not_a_handoff(service, monkeypatch):
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", "wrong")
    events, _ = await hand_over(asking_for_a_person())
    assert events == LISTEN and len(service.requests) == 1


async def test_a_vip_who_verified_an_order_is_handed_over_as_vip(service, monkeypatch):
    class Orders:
        async def get_order(self, order_id):
            return {"id": order_id, "customer": {"id": "C002", "tier": "vip"}}

    monkeypatch.setattr(customer_tier, "orders_client", Orders)
    await hand_over(asking_for_a_person(verified_order="A10023"))
    assert service.packets[0]["customer"] == {"id": None, "tier": "vip"}
