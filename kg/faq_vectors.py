"""The sentence vectors of every FAQ question and phrasing, kept in memory and searched here.

Every FAQ search compares the question's vector with those of all FAQ questions and phrasings
(about 1,500 vectors of 512 numbers: 3 MB). In Neo4j's vector index that took about 4.5 ms of each
search; numpy makes the same comparison, exactly, in well under a millisecond. The vectors change
only when the graph is loaded again, so they are read once and again when old (kg/snapshot.py).
Neo4j keeps the full-text half of the search and the ranking (kg/queries.py).
"""
from dataclasses import dataclass
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy as np
from threadpoolctl import ThreadpoolController

from bot.sentence_vectors import DIMENSIONS

# The comparison runs on one BLAS thread. With OpenBLAS's default (a thread per core) the product
# is no faster at this size, and its threads spin after each call: the action server used 15.5% of
# a core under the load bench instead of 2.5%, on a machine whose other core serves Rasa.
_BLAS = ThreadpoolController()

# Every phrasing's vector, with the FAQ it phrases.
FAQ_VECTORS_QUERY = "MATCH (f:FAQ)-[:PHRASED_AS]->(n:FaqPhrasing) RETURN f.id AS faq, n.embedding AS embedding"


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1; a zero row (a phrasing that was only names) stays zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


@dataclass(frozen=True, eq=False)
class FaqVectors:
    faq_ids: Tuple[str, ...]  # the FAQ of each row
    unit_rows: np.ndarray     # float32, one row of length 1 per phrasing

    @classmethod
    def of(cls, rows: Iterable[Tuple[str, Sequence[float]]]) -> "FaqVectors":
        rows = list(rows)
        vectors = np.array([vector for _, vector in rows], dtype=np.float32).reshape(len(rows), DIMENSIONS)
        return cls(faq_ids=tuple(faq for faq, _ in rows), unit_rows=_unit_rows(vectors))

    def closest(self, vector: np.ndarray, candidates: int) -> List[Dict[str, object]]:
        """The FAQs of the `candidates` phrasings most like `vector`, each scored with the cosine
        similarity of its closest phrasing, best first. Nothing for a zero vector (a question
        that was only names): no meaning to compare."""
        norm = float(np.linalg.norm(vector))
        if norm == 0.0 or not self.faq_ids:
            return []
        with _BLAS.limit(limits=1, user_api="blas"):
            cosines = self.unit_rows @ (np.asarray(vector, dtype=np.float32) / norm)
        nearest = (np.argpartition(-cosines, candidates - 1)[:candidates]
                   if len(cosines) > candidates else np.arange(len(cosines)))
        best: Dict[str, float] = {}
        for row in nearest:
            faq, cosine = self.faq_ids[row], float(cosines[row])
            best[faq] = max(cosine, best.get(faq, cosine))
        return [{"id": faq, "score": score} for faq, score in sorted(best.items(), key=lambda item: -item[1])]
