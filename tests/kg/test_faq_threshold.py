"""The FAQ search's thresholds and weights in kg.config / kg.queries, measured on customer questions.

kg/faq_heldout.yaml, kg/faq_validation.yaml and kg/faq_tuning_long.yaml chose the thresholds,
the full-text weight and leaving product names out of the vectors (FAQ phrasings were also
written after seeing faq_heldout's misses). kg_faq_holdout.yml was written by someone who saw
only the FAQ ids and questions, never the phrasings, answers or synonyms, and is only measured:
its floors are the honest ones, and the issue asks for 90% of its answerable questions.
"""
from pathlib import Path

import pytest

from kg.config import FAQ_MIN_SCORE
from kg.text import has_han
from kg.tuning import observe, read_heldout

pytestmark = pytest.mark.services

TESTS = Path(__file__).parents[1]
# file -> (share of answerable questions that must get their FAQ, share of unanswerable ones that
# must get "not found"), per language
QUESTION_SETS = {
    "kg/faq_heldout.yaml": (0.9, 1.0),
    "kg/faq_validation.yaml": (0.7, 0.8),
    "kg/faq_tuning_long.yaml": (0.95, 0.7),
    "kg_faq_holdout.yml": (0.9, 0.8),
}
CASES = [(name, lang) for name in QUESTION_SETS for lang in ("zh", "en")]


async def observations_for(driver, name, lang):
    observations = await observe(driver, read_heldout(TESTS / name))
    return [o for o in observations if has_han(o.text) == (lang == "zh")], FAQ_MIN_SCORE[lang]


@pytest.mark.parametrize("name, lang", CASES)
async def test_unanswerable_questions_get_no_answer(driver, seeded, name, lang):
    observations, threshold = await observations_for(driver, name, lang)
    unanswerable = [o for o in observations if o.expect is None]
    answered = [(o.text, o.top_id) for o in unanswerable if o.top_score >= threshold]
    assert 1 - len(answered) / len(unanswerable) >= QUESTION_SETS[name][1], answered


@pytest.mark.parametrize("name, lang", CASES)
async def test_most_answerable_questions_find_their_faq(driver, seeded, name, lang):
    observations, threshold = await observations_for(driver, name, lang)
    answerable = [o for o in observations if o.expect]
    wrong = [(o.text, o.expect, o.top_id) for o in answerable
             if not (o.top_id == o.expect and o.top_score >= threshold)]
    assert 1 - len(wrong) / len(answerable) >= QUESTION_SETS[name][0], wrong
