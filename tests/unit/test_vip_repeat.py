"""A VIP who asks the bot the same kind of question twice in a row is handed to a person right after
the second answer (actions/vip_repeat.py, used by the knowledge answer actions)."""
import pytest
import yaml
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import knowledge, vip_repeat
from actions.handoff_packet import ANSWER_ACTIONS
from actions.knowledge import ActionAnswerFaq, ActionAnswerProduct
from actions.vip_repeat import ANSWER_ACTION_OF_INTENT, asked_twice
from kg import FaqHit, ProductInfo
from ops.paths import ROOT
from tests.unit.tracker_events import action, bot, slot, tracker, user

HAND_OVER = FollowupAction("action_handoff")


def ask(text, intent, *products):
    """A customer message with these product entity values."""
    event = user(text, intent)
    event["parse_data"]["entities"] = [{"entity": "product", "value": p, "start": 0, "end": len(p)}
                                       for p in products]
    return event


def answer_product(sku="AU-X200"):
    return [action("action_answer_product"), slot("product", sku), bot(f"About {sku}: ..."),
            action("action_listen")]


def answer_faq():
    return [action("action_answer_faq"), bot("Orders over ¥99 ship free."), action("action_listen")]


SESSION_START = [action("action_session_start"), {"event": "session_started", "timestamp": 1.0},
                 action("action_listen")]

CASES = {
    "the same product question twice": (
        [ask("X200有降噪吗", "product_question", "AU-X200"), *answer_product(),
         ask("X200到底有没有降噪", "product_question", "AU-X200")], True),
    "the same product, named with another case": (
        [ask("x200 noise cancelling?", "product_question", "au-x200"), *answer_product(),
         ask("does the X200 cancel noise", "product_question", "AU-X200")], True),
    "a follow-up that names no product": (
        [ask("X200有降噪吗", "product_question", "AU-X200"), *answer_product(),
         ask("它到底有没有降噪", "product_question")], True),
    "one product in common among the mentions": (
        [ask("which cases fit the P30?", "product_question", "cases", "PH-P30"), *answer_product("PH-P30"),
         ask("cases for the P30 please", "product_question", "PH-P30")], True),
    "the same intent about another product": (
        [ask("does the H900 block noise", "product_question", "AU-H900"), *answer_product("AU-H900"),
         ask("and is the X200 better for running?", "product_question", "AU-X200")], False),
    "a policy question twice": (
        [ask("包邮吗", "faq"), *answer_faq(), ask("满多少包邮", "faq")], True),
    "a product question, then a policy question": (
        [ask("X200有降噪吗", "product_question", "AU-X200"), *answer_product(), ask("包邮吗", "faq")], False),
    "a policy question, then a product question": (
        [ask("包邮吗", "faq"), *answer_faq(), ask("X200有降噪吗", "product_question", "AU-X200")], False),
    "only one message": (
        [ask("X200有降噪吗", "product_question", "AU-X200")], False),
    "only one message after the session start": (
        SESSION_START + [ask("包邮吗", "faq")], False),
    "a misunderstood message in between": (
        [ask("包邮吗", "faq"), *answer_faq(), ask("asdkjh", "nlu_fallback"), action("utter_ask_rephrase"),
         bot("Sorry, I didn't quite get that."), action("action_listen"), ask("满多少包邮", "faq")], False),
    "another intent twice": (
        [ask("where is A10023", "order_status"), action("order_status_form"), action("action_order_status"),
         bot("shipped"), action("action_listen"), ask("where is A10023??", "order_status")], False),
    "the earlier question was already handed over": (
        [ask("包邮吗", "faq"), action("action_answer_faq"), bot("Orders over ¥99 ship free."),
         action("action_handoff"), {"event": "pause", "timestamp": 2.0}, {"event": "resume", "timestamp": 3.0},
         ask("满多少包邮", "faq")], False),
    "the earlier question went to an agent, not the bot": (
        [ask("包邮吗", "faq"), {"event": "pause", "timestamp": 2.0}, ask("满多少包邮", "faq")], False),
    "the bot asked which product and the customer named it": (
        [ask("我想问个商品问题", "product_question"), action("action_answer_product"),
         bot("请问您想了解哪款商品呢？"), action("action_listen"),
         ask("X200有降噪吗", "product_question", "AU-X200")], False),
    "an earlier question about the product being discussed": (
        [slot("product", "AU-X200"), ask("它有降噪吗", "product_question"), *answer_product(),
         ask("X200有降噪吗?", "product_question", "AU-X200")], True),
    "the earlier question was in the previous session": (
        [slot("product", "AU-X200"), ask("X200有降噪吗", "product_question", "AU-X200"), *answer_product()]
        + SESSION_START + [slot("product", "AU-X200"), ask("X200有降噪吗", "product_question", "AU-X200")],
        False),
    "twice during a form, which resumed in between": (
        [ask("我要查订单", "order_status"), action("order_status_form"), bot("请提供订单号"),
         action("action_listen"), ask("X200有降噪吗", "product_question", "AU-X200"),
         action("action_answer_product"), slot("product", "AU-X200"), bot("X200: 有"),
         action("order_status_form"), bot("请提供订单号"), action("action_listen"),
         ask("X200真的有降噪吗", "product_question", "AU-X200")], True),
}


@pytest.mark.parametrize("events, expected", CASES.values(), ids=CASES.keys())
def test_asked_twice(events, expected):
    assert asked_twice(tracker(events)) is expected


def test_the_answer_actions_are_the_ones_the_rules_run_and_the_packet_knows():
    rules = yaml.safe_load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    answering = {rule["steps"][0]["intent"]: rule["steps"][1]["action"] for rule in rules
                 if len(rule["steps"]) == 2 and rule["steps"][0].get("intent") in ANSWER_ACTION_OF_INTENT}
    assert answering == ANSWER_ACTION_OF_INTENT
    assert set(ANSWER_ACTION_OF_INTENT.values()) == ANSWER_ACTIONS
    assert {ActionAnswerProduct().name(), ActionAnswerFaq().name()} == ANSWER_ACTIONS


# --- the answer actions ----------------------------------------------------------------------------

X200 = ProductInfo(sku="AU-X200", name_zh="X200 耳机", name_en="X200 earbuds", price=599.0,
                   category="audio", brand="Audix")


class FakeGraph:
    def __init__(self, down=False):
        self.down = down

    async def best_faq(self, question, lang):
        if self.down:
            raise OSError("connection refused")
        return FaqHit(id="f1", topic="shipping", question="包邮吗", answer="Orders over ¥99 ship free.", lang=lang)

    async def named_product(self, mention):
        if self.down:
            raise OSError("connection refused")
        return X200 if mention.casefold() == "au-x200" else None


@pytest.fixture
def tiers(monkeypatch):
    """Patches the tier lookup; returns the list of trackers it was asked about."""
    asked = []

    def set_tier(tier):
        async def fake_tier(tracker):
            asked.append(tracker)
            return tier
        monkeypatch.setattr(vip_repeat, "customer_tier", fake_tier)
        return asked
    return set_tier


async def run(action_class, events, monkeypatch, down=False, active_loop=None):
    monkeypatch.setattr(knowledge, "knowledge_graph", lambda: FakeGraph(down))
    t = tracker(events, slots={"language": "en"})
    if active_loop:
        t.active_loop = {"name": active_loop}
    dispatcher = CollectingDispatcher()
    events = await action_class().run(dispatcher, t, {})
    return events, [message["text"] for message in dispatcher.messages]


FAQ_TWICE = [ask("is shipping free", "faq"), *answer_faq(), ask("free shipping over how much?", "faq")]
PRODUCT_TWICE = [ask("X200", "product_question", "AU-X200"), *answer_product(),
                 ask("the X200?", "product_question", "AU-X200")]


@pytest.mark.parametrize("tier, expected", [("vip", [HAND_OVER]), ("regular", [])])
async def test_a_policy_question_asked_twice_hands_over_only_a_vip(monkeypatch, tiers, tier, expected):
    asked = tiers(tier)
    events, texts = await run(ActionAnswerFaq, FAQ_TWICE, monkeypatch)
    assert texts == ["Orders over ¥99 ship free."]  # answered either way, before any handoff
    assert events == expected
    assert len(asked) == 1


@pytest.mark.parametrize("tier, expected", [
    ("vip", [SlotSet("product", "AU-X200"), HAND_OVER]), ("regular", [SlotSet("product", "AU-X200")])])
async def test_a_product_question_asked_twice_hands_over_only_a_vip(monkeypatch, tiers, tier, expected):
    tiers(tier)
    events, texts = await run(ActionAnswerProduct, PRODUCT_TWICE, monkeypatch)
    assert texts == ["The X200 earbuds costs ¥599. What would you like to know: material, size, "
                     "compatible accessories or the return policy?"]
    assert events == expected


@pytest.mark.parametrize("action_class, events", [
    (ActionAnswerFaq, [ask("is shipping free", "faq")]),
    (ActionAnswerProduct, [ask("X200", "product_question", "AU-X200")]),
    (ActionAnswerFaq, [ask("X200", "product_question", "AU-X200"), *answer_product(), ask("shipping?", "faq")]),
])
async def test_a_first_question_never_looks_up_the_tier(monkeypatch, tiers, action_class, events):
    asked = tiers("vip")
    handed_over = HAND_OVER in (await run(action_class, events, monkeypatch))[0]
    assert not handed_over and asked == []


async def test_a_vip_asking_twice_while_the_graph_is_down_is_handed_over_after_the_apology(monkeypatch, tiers):
    tiers("vip")
    for action_class, events in ((ActionAnswerFaq, FAQ_TWICE), (ActionAnswerProduct, PRODUCT_TWICE)):
        result, texts = await run(action_class, events, monkeypatch, down=True)
        assert result == [HAND_OVER]
        assert texts[0].startswith("Sorry, our product information isn't reachable")


async def test_a_form_the_questions_interrupted_is_stopped_before_the_handoff(monkeypatch, tiers):
    tiers("vip")
    events, _ = await run(ActionAnswerFaq, FAQ_TWICE, monkeypatch, active_loop="return_form")
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None), HAND_OVER]


async def test_rasa_applies_the_events_and_the_handoff_packet_says_vip_repeat(monkeypatch, tiers):
    """The action's events, applied by Rasa itself with our real domain to a tracker whose return
    form was interrupted; then the tracker as Rasa sends it to action_handoff."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, Event
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
    from rasa_sdk import Tracker

    from actions.handoff_packet import reason

    tiers("vip")
    domain = Domain.load(str(ROOT / "domain.yml"))
    history = [ask("I want to return something", "return_request"), action("return_form"),
               {"event": "active_loop", "timestamp": 1.0, "name": "return_form"},
               slot("requested_slot", "order_id"), bot("Which order?"), action("action_listen")] + FAQ_TWICE
    returned, texts = await run(ActionAnswerFaq, history, monkeypatch, active_loop="return_form")
    rasa_tracker = DialogueStateTracker.from_events(
        "conv-1", [Event.from_parameters(e) for e in history], domain.slots)
    assert rasa_tracker.active_loop_name == "return_form"
    assert asked_twice(Tracker.from_dict(rasa_tracker.current_state(EventVerbosity.AFTER_RESTART)))
    rasa_tracker.update(ActionExecuted("action_answer_faq"))
    rasa_tracker.update(BotUttered(texts[0]))
    rasa_tracker.update_with_events([Event.from_parameters(e) for e in returned], domain)
    assert rasa_tracker.active_loop_name is None and rasa_tracker.get_slot("requested_slot") is None
    assert rasa_tracker.followup_action == "action_handoff"
    sent = Tracker.from_dict(rasa_tracker.current_state(EventVerbosity.AFTER_RESTART))
    assert reason(sent) == "vip_repeat"
