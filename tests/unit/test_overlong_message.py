"""OverlongMessageFallback: walls of text are nlu_fallback, whatever DIET guessed."""
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components import OverlongMessageFallback


def classified(text, limit=1000):
    message = Message(data={TEXT: text, INTENT: {"name": "product_question", "confidence": 0.9},
                            INTENT_RANKING_KEY: [{"name": "product_question", "confidence": 0.9}]})
    component = OverlongMessageFallback.create({"max_characters": limit}, None, None, None)
    return component.process([message])[0]


def test_a_message_over_the_limit_is_a_fallback_with_the_guess_kept_below():
    message = classified("Main Street " * 900)
    assert message.get(INTENT)["name"] == "nlu_fallback"
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["nlu_fallback", "product_question"]


def test_a_message_at_the_limit_keeps_its_intent():
    assert classified("x" * 1000).get(INTENT)["name"] == "product_question"
    assert classified("x" * 11, limit=10).get(INTENT)["name"] == "nlu_fallback"
