"""The context packet action_handoff posts, built from trackers like the ones Rasa sends."""
import json

import pytest

from actions.handoff_packet import (build_packet, facts, filled_slots, intent_ranking, last_turns,
                                    reason, topic)
from actions.identity import sign_customer_id
from tests.unit.tracker_events import action, bot, followup, slot, tracker, user

SESSION_START = [action("action_session_start"), {"event": "session_started", "timestamp": 1.0},
                 action("action_listen")]


def order_status_then_human():
    return SESSION_START + [
        user("hi", "greet"), action("utter_greet"), bot("Hi! I'm the shop's assistant.", "utter_greet"),
        action("action_listen"),
        user("where is my order A10023", "order_status", 0.97, message_id="m-2"),
        action("order_status_form"), slot("order_id", "A10023"), action("action_order_status"),
        bot("Order A10023: shipped."), bot("Carrier SF (tracking number SF1). Latest update: ..."),
        action("action_listen"),
        user("转人工", "request_human", 0.93, message_id="m-human",
             ranking=[{"name": "request_human", "confidence": 0.93},
                      {"name": "complain", "confidence": 0.04}]),
    ]


def test_a_request_for_a_person_after_an_order_question():
    t = tracker(order_status_then_human())
    assert topic(t) == "order_status"
    assert reason(t) == "request_human"
    assert facts(t) == [{"source": "action_order_status",
                         "text": "Order A10023: shipped.\nCarrier SF (tracking number SF1). Latest update: ..."}]
    assert intent_ranking(t) == [{"name": "request_human", "confidence": 0.93},
                                 {"name": "complain", "confidence": 0.04}]


def test_last_turns_are_the_messages_in_order_with_the_triggering_one_and_its_id():
    turns = last_turns(tracker(order_status_then_human()))
    assert [(turn["actor"], turn["text"]) for turn in turns] == [
        ("customer", "hi"), ("bot", "Hi! I'm the shop's assistant."),
        ("customer", "where is my order A10023"), ("bot", "Order A10023: shipped."),
        ("bot", "Carrier SF (tracking number SF1). Latest update: ..."), ("customer", "转人工"),
    ]
    trigger = turns[-1]
    assert trigger["message_id"] == "m-human"
    assert trigger["intent"] == "request_human" and trigger["confidence"] == 0.93
    assert isinstance(trigger["timestamp"], float)
    assert set(turns[1]) == {"actor", "text", "timestamp"}  # bot turns: no intent, no id


def test_only_the_last_ten_messages_are_sent():
    events = []
    for i in range(8):
        events += [user(f"q{i}", "faq", message_id=f"m{i}"), action("action_answer_faq"), bot(f"a{i}"),
                   action("action_listen")]
    turns = last_turns(tracker(events))
    assert [turn["text"] for turn in turns] == ["q3", "a3", "q4", "a4", "q5", "a5", "q6", "a6", "q7", "a7"]


def test_the_customers_latest_message_is_kept_even_behind_many_bot_messages():
    events = [user("old", "greet"), user("人工", "request_human", message_id="m-last")]
    events += [bot(f"b{i}") for i in range(11)]
    turns = last_turns(tracker(events))
    assert turns[0]["message_id"] == "m-last" and len(turns) == 12


def test_bot_messages_without_text_are_left_out():
    turns = last_turns(tracker([user("hi", "greet"), bot(None), bot("Hello")]))
    assert [turn["text"] for turn in turns] == ["hi", "Hello"]


def test_a_complaint_is_the_topic_and_the_reason():
    t = tracker([user("where is A10023", "order_status"), action("action_order_status"), bot("shipped"),
                 user("你们太差劲了", "complain", message_id="m-c"), action("utter_sorry_to_hear"),
                 bot("非常抱歉给您带来了不好的体验", "utter_sorry_to_hear")])
    assert (topic(t), reason(t)) == ("complain", "complaint")
    # The bot's apology came after the complaint; the complaint itself is still in the turns.
    assert [turn["actor"] for turn in last_turns(t)][-2:] == ["customer", "bot"]


def test_two_fallbacks_hand_over_as_fallback_about_nothing_in_particular():
    t = tracker([user("hi", "greet"), user("blorp", "nlu_fallback", 0.2), action("utter_ask_rephrase"),
                 bot("Sorry, I didn't quite get that."), action("action_listen"),
                 user("zoodle", "nlu_fallback", 0.1)])
    assert (topic(t), reason(t)) == ("general", "fallback")


def test_a_failed_order_action_hands_over_as_order_failure_whatever_the_last_intent():
    # "质量太差了" as a return reason reads as a complaint; the return call then failed.
    t = tracker([user("我要退货 A10023", "return_request"), action("return_form"),
                 user("质量太差了", "complain"), action("return_form"), action("action_request_return"),
                 bot("抱歉，订单系统暂时无法访问"), followup("action_handoff")])
    assert reason(t) == "order_failure"
    assert facts(t) == [{"source": "action_request_return", "text": "抱歉，订单系统暂时无法访问"}]


def test_an_order_action_before_the_customers_latest_message_is_not_a_failure():
    t = tracker([user("where is A10023", "order_status"), action("action_order_status"), bot("shipped"),
                 action("action_listen"), user("human please", "request_human")])
    assert reason(t) == "request_human"


def test_a_vip_asking_twice_hands_over_as_vip_repeat_with_both_answers_as_facts():
    # action_answer_faq answered the second question, then its FollowupAction ran action_handoff.
    t = tracker([user("包邮吗", "faq"), action("action_answer_faq"), bot("满99元包邮。"), action("action_listen"),
                 user("满多少包邮", "faq"), action("action_answer_faq"), bot("满99元包邮。"),
                 followup("action_handoff")])
    assert (topic(t), reason(t)) == ("faq", "vip_repeat")
    assert facts(t) == [{"source": "action_answer_faq", "text": "满99元包邮。"}] * 2


def test_a_product_question_asked_twice_during_a_form_hands_over_as_vip_repeat():
    # The answer action stopped the form it interrupted before its FollowupAction.
    t = tracker([user("我要退货", "return_request"), action("return_form"), bot("请提供订单号"),
                 action("action_listen"), user("X200有降噪吗", "product_question"),
                 action("action_answer_product"), slot("product", "AU-X200"), bot("X200：有"),
                 action("return_form"), action("action_listen"), user("X200真有降噪吗", "product_question"),
                 action("action_answer_product"), slot("product", "AU-X200"), bot("X200：有"),
                 {"event": "active_loop", "timestamp": None, "name": None}, slot("requested_slot", None),
                 followup("action_handoff")])
    assert (topic(t), reason(t)) == ("product_question", "vip_repeat")


@pytest.mark.parametrize("intent, expected", [("request_human", "request_human"), ("complain", "complaint"),
                                              ("nlu_fallback", "fallback")])
def test_an_answer_before_the_customers_latest_message_is_not_a_repeat(intent, expected):
    t = tracker([user("包邮吗", "faq"), action("action_answer_faq"), bot("满99元包邮。"), action("action_listen"),
                 user("x", intent)])
    assert reason(t) == expected


def test_the_return_policy_note_is_a_fact_but_not_a_repeat():
    # action_note_return_policy never hands over: only the two answer actions do.
    t = tracker([user("奶粉能退吗", "return_request"), action("action_note_return_policy"),
                 bot("奶粉开封后不支持退货")])
    assert reason(t) == "request_human"
    assert facts(t) == [{"source": "action_note_return_policy", "text": "奶粉开封后不支持退货"}]


@pytest.mark.parametrize("intent, expected", [("out_of_scope", "request_human"), ("affirm", "request_human")])
def test_other_intents_hand_over_as_a_request(intent, expected):
    assert reason(tracker([user("x", intent)])) == expected


def test_the_topic_skips_small_talk_and_yes_no_back_to_the_real_question():
    t = tracker([user("X200有降噪吗", "product_question"), user("好的", "affirm"), user("谢谢", "thank"),
                 user("你是机器人吗", "bot_challenge"), user("A10023", "inform"), user("人工", "request_human")])
    assert topic(t) == "product_question"


def test_facts_are_the_last_five_lookups_and_never_small_talk_or_forms():
    events = [user("hi", "greet"), action("utter_greet"), bot("Hi!", "utter_greet"),
              user("A10023", "change_address"), action("change_address_form"),
              bot("What's the new delivery address?")]
    for i in range(6):
        events += [user(f"q{i}", "product_question"), action("action_answer_product"), bot(f"fact {i}"),
                   action("action_listen")]
    events += [user("return policy?", "faq"), action("action_answer_faq"), action("action_listen")]  # said nothing
    assert facts(tracker(events)) == [{"source": "action_answer_product", "text": f"fact {i}"}
                                      for i in range(1, 6)]


def test_only_filled_slots_that_are_not_bookkeeping_are_sent():
    t = tracker([], slots={"language": "en", "order_id": "A10023", "verified_order": "A10023",
                           "verify_failures": 0.0, "product": None, "requested_slot": "new_address",
                           "session_started_metadata": {"customer": {"id": "C001", "signature": "s"}},
                           "phone_last4": "verified"})
    assert filled_slots(t) == {"language": "en", "order_id": "A10023", "verified_order": "A10023",
                               "verify_failures": 0.0}


def test_intent_ranking_is_the_top_five_names_and_confidences():
    ranking = [{"name": f"i{n}", "confidence": 0.5 - n / 20, "canonical": "x"} for n in range(7)]
    assert intent_ranking(tracker([user("x", "i0", ranking=ranking)])) == [
        {"name": f"i{n}", "confidence": 0.5 - n / 20} for n in range(5)]


def test_without_a_ranking_the_intent_itself_is_the_ranking():
    event = user("/request_human", "request_human", 1.0)
    del event["parse_data"]["intent_ranking"]
    assert intent_ranking(tracker([event])) == [{"name": "request_human", "confidence": 1.0}]


def test_the_whole_packet(monkeypatch):
    monkeypatch.setenv("CUSTOMER_SIGNING_SECRET", "k" * 32)
    signed = {"customer": {"id": "C001", "signature": sign_customer_id("C001", "k" * 32)}}
    events = [user("hello", "greet", channel="socketio"),
              user("I want a person", "request_human", 0.88, message_id="m-p", channel="socketio",
                   metadata=signed)]
    packet = build_packet(tracker(events, slots={"language": "en"}, sender_id="sock-42"), tier="vip")
    assert json.loads(json.dumps(packet)) == packet  # plain JSON, as posted
    assert {k: packet[k] for k in ("conversation_id", "channel", "language", "customer", "topic",
                                    "reason", "slots", "facts")} == {
        "conversation_id": "sock-42", "channel": "socketio", "language": "en",
        "customer": {"id": "C001", "tier": "vip"}, "topic": "general", "reason": "request_human",
        "slots": {"language": "en"}, "facts": []}
    assert packet["intent_ranking"] == [{"name": "request_human", "confidence": 0.88}]
    assert [turn["message_id"] for turn in packet["last_turns"]] == ["msg-hello", "m-p"]


def test_an_anonymous_customer_has_no_id_and_an_unknown_channel_is_named(monkeypatch):
    monkeypatch.setenv("CUSTOMER_SIGNING_SECRET", "k" * 32)
    event = user("人工", "request_human")
    event["input_channel"] = None
    packet = build_packet(tracker([event]), tier="regular")
    assert packet["customer"] == {"id": None, "tier": "regular"}
    assert packet["channel"] == "unknown" and packet["language"] == "zh"
