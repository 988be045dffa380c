"""The multilingual sentence vectors (bot.sentence_vectors)."""
import numpy as np

from bot.sentence_vectors import DIMENSIONS, encode


def test_vectors_are_unit_length_and_empty_text_is_zero():
    vectors = encode(["运费怎么算", "", "   ", "where is my order"])
    assert vectors.shape == (4, DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[[0, 3]], axis=1), 1.0, atol=1e-3)
    assert not vectors[1].any() and not vectors[2].any()
    assert encode([]).shape == (0, DIMENSIONS)


def test_the_same_question_is_close_across_languages_and_far_from_another():
    shipping_zh, shipping_en, tracking_en, weather = encode(
        ["运费怎么算", "how much is shipping", "where is my parcel", "明天会下雨吗"])
    assert shipping_zh @ shipping_en > shipping_zh @ tracking_en
    assert shipping_zh @ shipping_en > 0.5 > shipping_zh @ weather
