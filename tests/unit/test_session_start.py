"""action_session_start: Rasa's session start, plus the pause of a conversation still with a person,
against a real HTTP server speaking the handoff service's contract."""
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff_client
from actions.session import ActionSessionStart
from ops.paths import ROOT
from tests.unit.fake_handoff_service import TOKEN, closed_port_url
from tests.unit.tracker_events import action, bot, tracker, user

DOMAIN = {"session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True}}
SLOTS = {"language": "en", "order_id": "A10023", "product": None, "verify_failures": 0.0}
CARRIED = [("slot", "language", "en"), ("slot", "order_id", "A10023"), ("slot", "verify_failures", 0.0)]
STARTED = [("session_started", None, None)]
LISTEN = [("action", "action_listen", None)]
PAUSE = [("pause", None, None)]




def handed_over(sender_id="conv-1"):
    """A conversation whose last session ended with the handoff."""
    events = [user("where is A10023", "order_status"), user("转人工", "request_human"),
              action("action_handoff"), bot("A person is on the way"), {"event": "pause", "timestamp": 2.0}]
    return tracker(events, slots=SLOTS, sender_id=sender_id, paused=True)


async def session_start(t, domain=DOMAIN):
    return await ActionSessionStart().run(CollectingDispatcher(), t, domain)


def shape(events):
    return [(e["event"], e.get("name"), e.get("value")) for e in events]


async def test_a_conversation_still_with_a_person_stays_paused(service):
    service.open_handoffs["fb:42/x y"] = {"handoff_id": "h-1", "status": "assigned"}
    events = await session_start(handed_over("fb:42/x y"))
    assert shape(events) == STARTED + CARRIED + PAUSE + LISTEN
    assert service.requests[0][:2] == ("GET", "/api/conversations/fb:42/x y/handoff")


async def test_a_conversation_back_with_the_bot_starts_unpaused(service):
    service.open_handoffs["someone-else"] = {"handoff_id": "h-2", "status": "queued"}
    assert shape(await session_start(handed_over())) == STARTED + CARRIED + LISTEN
    assert [request[:2] for request in service.requests] == [("GET", "/api/conversations/conv-1/handoff")]


async def test_a_failing_service_does_not_pause(service):
    service.get_status = 500
    service.open_handoffs["conv-1"] = {"handoff_id": "h-1", "status": "queued"}
    assert shape(await session_start(handed_over())) == STARTED + CARRIED + LISTEN
    assert len(service.requests) == 1


async def test_a_refused_connection_does_not_pause(monkeypatch):
    monkeypatch.setenv("HANDOFF_URL", closed_port_url())
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", TOKEN)
    assert shape(await session_start(handed_over())) == STARTED + CARRIED + LISTEN


async def test_a_slow_service_does_not_pause(service, monkeypatch):
    monkeypatch.setattr(handoff_client, "TIMEOUT_SECONDS", 0.2)
    service.delay = 2.0
    service.open_handoffs["conv-1"] = {"handoff_id": "h-1", "status": "queued"}
    assert shape(await session_start(handed_over())) == STARTED + CARRIED + LISTEN


async def test_a_refused_token_does_not_pause(service, monkeypatch):
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", "wrong")
    service.open_handoffs["conv-1"] = {"handoff_id": "h-1", "status": "queued"}
    assert shape(await session_start(handed_over())) == STARTED + CARRIED + LISTEN


async def test_without_a_token_the_service_is_not_called(service, monkeypatch):
    monkeypatch.delenv("HANDOFF_SERVICE_TOKEN")
    assert shape(await session_start(handed_over())) == STARTED + CARRIED + LISTEN
    assert service.requests == []


async def test_a_brand_new_conversation_does_not_ask_the_service(service):
    assert shape(await session_start(tracker([], slots={"language": "zh"}))) == (
        STARTED + [("slot", "language", "zh")] + LISTEN)
    assert service.requests == []


async def test_slots_stay_behind_when_the_domain_says_so(service):
    service.open_handoffs["conv-1"] = {"handoff_id": "h-1", "status": "rating"}
    domain = {"session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": False}}
    assert shape(await session_start(handed_over(), domain)) == STARTED + PAUSE + LISTEN


async def test_a_domain_without_session_config_carries_slots_like_rasa(service):
    assert shape(await session_start(handed_over(), {})) == STARTED + CARRIED + LISTEN


async def test_rasa_applies_the_events_as_a_paused_session_with_the_slots(service):
    """The events, applied by Rasa itself to the previous session with our real domain."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import Event
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(ROOT / "domain.yml"))
    previous = handed_over()

    async def new_session(still_open):
        service.open_handoffs = {"conv-1": {"handoff_id": "h-1", "status": "assigned"}} if still_open else {}
        events = await session_start(previous, domain.as_dict())  # what Rasa sends the action server
        return DialogueStateTracker.from_events(
            "conv-1", [Event.from_parameters(e) for e in previous.events + events], domain.slots)

    with_person, with_bot = await new_session(True), await new_session(False)
    assert with_person.is_paused() and not with_bot.is_paused()
    assert with_person.get_slot("order_id") == with_bot.get_slot("order_id") == "A10023"
    assert with_person.get_slot("language") == "en"
    assert with_person.latest_action_name == "action_listen"
