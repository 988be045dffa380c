"""The in-memory FAQ vector search (kg/faq_vectors.py) against a plain reading of its contract."""
import numpy as np
import pytest

from bot.sentence_vectors import DIMENSIONS
from kg.faq_vectors import FaqVectors


def brute_force(vectors, faq_ids, question, candidates):
    """Cosine of every phrasing, the `candidates` best kept, each FAQ scored by its best."""
    cosines = [float(v @ question / (np.linalg.norm(v) * np.linalg.norm(question))) for v in vectors]
    nearest = sorted(range(len(cosines)), key=lambda i: -cosines[i])[:candidates]
    best = {}
    for i in nearest:
        best[faq_ids[i]] = max(best.get(faq_ids[i], -2.0), cosines[i])
    return best


@pytest.mark.parametrize("seed", range(5))
def test_the_closest_faqs_are_those_of_the_closest_phrasings(seed):
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(300, DIMENSIONS)) * rng.uniform(0.5, 2.0, size=(300, 1))  # not unit length
    faq_ids = [f"faq-{i % 37}" for i in range(300)]
    question = rng.normal(size=DIMENSIONS).astype(np.float32)
    found = FaqVectors.of(zip(faq_ids, vectors.tolist())).closest(question, 40)
    expected = brute_force(vectors, faq_ids, question, 40)
    assert [hit["id"] for hit in found] == sorted(expected, key=lambda faq: -expected[faq])
    assert [hit["score"] for hit in found] == pytest.approx([expected[hit["id"]] for hit in found], abs=1e-5)


def test_fewer_phrasings_than_candidates_are_all_compared():
    vectors = FaqVectors.of([("a", [1.0] + [0.0] * (DIMENSIONS - 1)), ("b", [0.0, 1.0] + [0.0] * (DIMENSIONS - 2))])
    question = np.array([3.0, 4.0] + [0.0] * (DIMENSIONS - 2), dtype=np.float32)
    assert vectors.closest(question, 40) == [{"id": "b", "score": pytest.approx(0.8)},
                                              {"id": "a", "score": pytest.approx(0.6)}]


def test_no_meaning_no_hits_and_no_nan():
    zero = [0.0] * DIMENSIONS
    vectors = FaqVectors.of([("only-names", zero), ("a", [1.0] + [0.0] * (DIMENSIONS - 1))])
    assert vectors.closest(np.zeros(DIMENSIONS, dtype=np.float32), 40) == []  # the question was only names
    hits = vectors.closest(np.ones(DIMENSIONS, dtype=np.float32), 40)
    assert [hit["id"] for hit in hits] == ["a", "only-names"] and hits[1]["score"] == 0.0
    assert FaqVectors.of([]).closest(np.ones(DIMENSIONS, dtype=np.float32), 40) == []
