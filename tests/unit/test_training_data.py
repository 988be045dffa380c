"""The NLU training data keeps the promises of its issue: every intent has at least 30 examples in
each language, and no example is another one typed differently (case, full-width characters,
punctuation or spaces), in the same intent or, worse, in another."""
import re
import unicodedata
from collections import Counter, defaultdict

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from ops.paths import ROOT

INTENTS = ("greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "inform", "order_status",
           "change_address", "cancel_order", "return_request", "product_question", "faq", "request_human",
           "complain", "out_of_scope")
MIN_EXAMPLES = 30
_NOISE = re.compile(r"[\W_]+")


def examples(language: str):
    data = load_data(str(ROOT / "data" / "nlu" / f"{language}.yml"))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


def typed_form(text: str) -> str:
    """What is left of a message without case, width, punctuation and spaces; emoji-only text
    ("👍", "👎") has nothing left and stays as it is."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).casefold()) or text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_intent_has_enough_examples(language):
    counts = Counter(intent for _, intent in examples(language))
    assert {intent: counts[intent] for intent in INTENTS if counts[intent] < MIN_EXAMPLES} == {}
    assert set(counts) == set(INTENTS)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_example_repeats_another_typed_differently(language):
    seen = defaultdict(list)
    for text, intent in examples(language):
        seen[typed_form(text)].append(f"{intent}: {text}")
    assert [texts for texts in seen.values() if len(texts) > 1] == []


def test_typed_form_ignores_case_width_and_punctuation_only():
    assert typed_form("Where is my ORDER??") == typed_form("where is my order")
    assert typed_form("ｈｅｌｌｏ！") == typed_form("hello")
    assert typed_form("我的快递到哪了？") == typed_form("我的快递 到哪了")
    assert typed_form("where is my order") != typed_form("where's my order")
    assert typed_form("👍") != typed_form("👎")
