"""Chooses the FAQ full-text score thresholds from a held-out set of customer questions.

For each search language, every candidate cut-off is scored by accuracy: an answerable question
counts when its top hit is the expected FAQ and scores at least the cut-off; an unanswerable one
counts when its top hit (if any) scores below. Among equally accurate cut-offs the middle of the
widest gap wins, so the threshold sits as far from both sides as the data allows.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

import yaml
from neo4j import AsyncDriver

from kg.queries import KnowledgeGraph
from kg.text import has_han


@dataclass(frozen=True)
class Observation:
    text: str
    expect: Optional[str]
    top_id: Optional[str]
    top_score: float


def read_heldout(path: Path) -> List[Tuple[str, Optional[str]]]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(item["text"], item.get("expect")) for item in items]


def _correct(obs: Observation, threshold: float) -> bool:
    if obs.expect is None:
        return obs.top_score < threshold
    return obs.top_id == obs.expect and obs.top_score >= threshold


def best_threshold(observations: List[Observation]) -> Tuple[float, int]:
    """(threshold, number correct) maximising accuracy, centred in the widest winning gap."""
    scores = sorted({0.0, *(o.top_score for o in observations)})
    gaps = [(low, high) for low, high in zip(scores, scores[1:])] + [(scores[-1], scores[-1] + 1.0)]
    # A cut-off strictly inside (low, high] behaves the same anywhere in that interval.
    ranked = [(sum(_correct(o, high) for o in observations), high - low, (low + high) / 2)
              for low, high in gaps]
    correct, _, threshold = max(ranked)
    return round(threshold, 2), correct


async def observe(driver: AsyncDriver, heldout: List[Tuple[str, Optional[str]]],
                  database: Optional[str] = None) -> List[Observation]:
    kg = KnowledgeGraph(driver, database, faq_min_score={"zh": 0.0, "en": 0.0})
    observations = []
    for text, expect in heldout:
        hit = await kg.best_faq(text)
        observations.append(Observation(text, expect, hit.id if hit else None, hit.score if hit else 0.0))
    return observations


def report(observations: List[Observation]) -> str:
    lines = []
    for lang in ("zh", "en"):
        subset = [o for o in observations if ("zh" if has_han(o.text) else "en") == lang]
        if not subset:
            continue
        threshold, correct = best_threshold(subset)
        lines.append(f"{lang}: threshold {threshold}  accuracy {correct}/{len(subset)}")
        lines += [f"    wrong: {o.text!r} expected {o.expect} got {o.top_id} ({o.top_score:.2f})"
                  for o in subset if not _correct(o, threshold)]
    return "\n".join(lines)


async def tune_faq_thresholds(driver: AsyncDriver, paths: List[Path], database: Optional[str] = None) -> str:
    return report(await observe(driver, [item for path in paths for item in read_heldout(path)], database))
