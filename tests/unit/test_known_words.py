"""What UnknownWordsFallback counts as a known word (bot/known_words.py)."""
import pytest

from bot.known_words import KnownWords

VOCABULARY = ["hello", "hey", "thanks", "cancel", "order", "my", "film", "flag",
              "地址", "容量", "多大", "中", "码", "啊", "嗯", "好"]


@pytest.fixture(scope="module")
def known():
    return KnownWords(VOCABULARY)


@pytest.mark.parametrize("word", ["hello", "HELLO", "my", "地址"])
def test_training_words_are_known(known, word):
    assert known.knows(word)


@pytest.mark.parametrize("word", ["hellow", "thnks", "cancle", "cancek", "heyyy", "Heeeyyy"])
def test_typos_and_stretched_words_are_known(known, word):
    assert known.knows(word)


@pytest.mark.parametrize("word", ["大容量", "中码", "啊啊啊嗯嗯"])
def test_chinese_words_of_known_characters_are_known(known, word):
    assert known.knows(word)


@pytest.mark.parametrize("word", [
    "叽里咕噜", "嘤嘤嘤", "大容量的锅",        # characters never seen
    "flim", "flam", "ordr",                  # 4 letters stay exact, even one edit from "film"
    "zoodle", "asdfgh", "hellooowz",         # more than one edit from any word
    "x200", "a10023", "",                    # not words: digits are left to the entity extractors
])
def test_unseen_words_stay_unknown(known, word):
    assert not known.knows(word)


def test_an_empty_vocabulary_knows_nothing():
    assert not KnownWords([]).knows("hello")
