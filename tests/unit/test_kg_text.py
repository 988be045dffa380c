"""How questions are matched against synonym groups (kg.text.synonym_key), no database needed."""
import pytest

from kg.text import synonym_key, without_names


@pytest.mark.parametrize("term, question", [
    ("parcel", "Where are my PARCELS?"),       # case and plural
    ("shipping fee", "what is the shipping fee to Tibet"),
    ("7-day", "is there a 7 day return"),      # punctuation between words is a space
])
def test_an_english_term_matches_the_question(term, question):
    assert synonym_key(term, "en") in synonym_key(question, "en")


@pytest.mark.parametrize("term, question", [
    ("scale", "please escalate this"),          # inside a longer word
    ("fit", "what is the benefit"),
    ("shipping fee", "shipping is free, no fee"),  # words apart
])
def test_an_english_term_matches_whole_words_only(term, question):
    assert synonym_key(term, "en") not in synonym_key(question, "en")


def test_chinese_is_matched_as_written_after_width_folding():
    assert synonym_key("维C", "zh") in synonym_key("维Ｃ精华变黄了", "zh")
    assert synonym_key("邮费", "zh") in synonym_key("邮费多少", "zh")


def test_names_are_blanked_ignoring_case_and_width_longest_first():
    names = ["Sonique X200", "X200", "Cookwise", "A"]   # one-letter names would blank words
    assert without_names("我的ｓｏｎｉｑｕｅ x200耳机", names).split() == ["我的", "耳机"]
    assert without_names("when does my cookwise rice cooker ship", names).split() == [
        "when", "does", "my", "rice", "cooker", "ship"]
    assert without_names("a question", names) == "a question"
    assert without_names("no names here", []) == "no names here"
