"""UnknownWordsFallback: mostly unknown words mean nlu_fallback, unless the classifier is sure."""
import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components import UnknownWordsFallback

CONFIG = {"min_known_share": 0.5, "trusted_confidence": 0.98}


def classified(text, intent, confidence):
    tokens, start = [], 0
    for word in text.split():
        tokens.append(Token(word, start))
        start += len(word) + 1
    guess = {"name": intent, "confidence": confidence}
    message = Message(data={TEXT: text, TOKENS_NAMES[TEXT]: tokens, INTENT: guess, INTENT_RANKING_KEY: [guess]})
    component = UnknownWordsFallback(CONFIG, None, None, vocabulary={"where", "is", "my", "order"})
    return component.process([message])[0]


@pytest.mark.parametrize("text, intent, confidence, expected", [
    ("blorp zing wobble", "complain", 0.49, "nlu_fallback"),   # unknown words, unsure classifier
    ("where is my order", "order_status", 0.6, "order_status"),  # known words
    ("absolutely", "affirm", 0.997, "affirm"),                   # unknown word, sure classifier
    ("zxcvb nm", "inform", 0.97, "nlu_fallback"),
])
def test_unknown_words_fall_back_unless_the_classifier_is_sure(text, intent, confidence, expected):
    assert classified(text, intent, confidence).get(INTENT)["name"] == expected


def test_a_message_already_a_fallback_is_left_as_it_is():
    message = classified("blorp zing", "nlu_fallback", 0.5)
    assert message.get(INTENT) == {"name": "nlu_fallback", "confidence": 0.5}
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["nlu_fallback"]
