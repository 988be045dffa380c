"""The trained model on tests/nlu_holdout.yml, which training never sees: macro-F1 >= 0.90 per language."""
import asyncio

import pytest

from ops.apps import MODEL_PATH
from ops.nlu_report import HOLDOUT_FILE, LANGUAGES, by_language, predict, read_examples

TARGET_MACRO_F1 = 0.90


@pytest.fixture(scope="module")
def holdout_report():
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}; run `make train`")
    return by_language(asyncio.run(predict(MODEL_PATH, read_examples(HOLDOUT_FILE))))


@pytest.mark.parametrize("language", LANGUAGES)
def test_holdout_macro_f1(holdout_report, language):
    result = holdout_report[language]
    assert result["macro_f1"] >= TARGET_MACRO_F1, (
        f"{language}: macro-F1 {result['macro_f1']}; most confused {result['most_confused']}")


def test_holdout_covers_every_intent_in_both_languages():
    from collections import Counter

    from bot.language import detect_language

    counts = Counter((intent, detect_language(text)) for text, intent in read_examples(HOLDOUT_FILE))
    intents = {intent for intent, _ in counts}
    short = {(intent, lang): counts[(intent, lang)] for intent in intents for lang in LANGUAGES
             if counts[(intent, lang)] < 8}
    assert not short, f"fewer than 8 held-out examples: {short}"
