"""`python -m kg warm`: the actions' queries, over and over, until Neo4j answers them at its
steady speed.

A Neo4j that has just started is slow for its first several thousand queries: its JVM compiles
the Cypher runtime, Bolt and index code only once they run hot. Measured on the 2-core machine
with the seed graph, one query at a time: 14 ms mean in the first 10 s, 4.5 ms after 20 s, about
3 ms from 50 s on. Under the bench's load (about ten graph queries a second) that took minutes,
and the first customers after a restart paid for it. Run this after Neo4j starts and before
customers arrive; `make bench` does.

The queries are the ones the actions make, on the graph's own products and FAQ questions, so any
catalog works. It stops when a pass over them has not become faster for a while, or at the time
limit.
"""
import itertools
import statistics
import time
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from neo4j import AsyncDriver

from kg.queries import KnowledgeGraph
from kg.vocabulary import POLICY_TYPES

# Passes are timed in windows of this length; a window's median pass time is its speed.
WINDOW_SECONDS = 2.0
# Warm when the windows of the last HORIZON_SECONDS were not MIN_GAIN faster than those of the
# HORIZON_SECONDS before. While the JVM compiled, each 10 s brought a 10-30% gain.
HORIZON_SECONDS = 10.0
MIN_GAIN = 0.05
DEFAULT_MAX_SECONDS = 120.0
# Products and FAQs the passes cycle through.
SAMPLE_SIZE = 25


class EmptyGraph(Exception):
    """The graph has nothing to query: warming it would exercise none of the actions' paths."""


@dataclass(frozen=True)
class Sample:
    products: Tuple[Tuple[str, str, str], ...]  # (sku, name_zh, name_en)
    questions: Tuple[Tuple[str, str], ...]  # (text, lang): FAQ questions in both languages


@dataclass(frozen=True)
class WarmUp:
    seconds: float
    first_pass_ms: float  # loads the sentence encoder; on a new Neo4j, also plans each query text
    passes: int  # each pass makes every kind of query the actions make, once
    window_medians_ms: Tuple[float, ...]
    steady: bool  # False: stopped by the time limit

    def describe(self) -> str:
        first, last = self.window_medians_ms[0], self.window_medians_ms[-1]
        how = "steady" if self.steady else "stopped at the time limit before passes settled"
        return (f"Neo4j warm-up: {how} after {self.seconds:.0f} s and {self.passes} passes. The first "
                f"pass took {self.first_pass_ms:.0f} ms; then a pass took {first:.1f} ms (median of "
                f"the first window), {last:.1f} ms at the end.")


async def read_sample(driver: AsyncDriver, database: Optional[str] = None,
                      size: int = SAMPLE_SIZE) -> Sample:
    products, _, _ = await driver.execute_query(
        "MATCH (p:Product) RETURN p.sku AS sku, p.name_zh AS zh, p.name_en AS en ORDER BY p.sku LIMIT $size",
        size=size, database_=database)
    faqs, _, _ = await driver.execute_query(
        "MATCH (f:FAQ) RETURN f.question_zh AS zh, f.question_en AS en ORDER BY f.id LIMIT $size",
        size=size, database_=database)
    if not products or not faqs:
        raise EmptyGraph("the graph has no products or no FAQs to warm up on: load it first "
                         "(python -m kg load)")
    return Sample(tuple((r["sku"], r["zh"] or r["sku"], r["en"] or r["sku"]) for r in products),
                  tuple((r[lang], lang) for r in faqs for lang in ("zh", "en") if r[lang]))


async def one_pass(graph: KnowledgeGraph, sample: Sample, number: int) -> None:
    """Each kind of query the actions make, once, on the number-th product and question."""
    sku, name_zh, name_en = sample.products[number % len(sample.products)]
    other_sku = sample.products[(number + 1) % len(sample.products)][0]
    question, lang = sample.questions[number % len(sample.questions)]
    await graph.named_product(name_en)  # answered from the kept catalog: read once, then no query
    await graph.resolve_product(f"{name_zh} {name_en}")  # no exact name: the full-text index
    await graph.accessories_for(sku)
    await graph.compatible_products(sku)
    await graph.fit_together(sku, other_sku)
    await graph.related_products(sku)
    await graph.policy_for_product(sku, POLICY_TYPES[number % len(POLICY_TYPES)], lang)
    await graph.best_faq(question, lang)


def settled(window_medians: Sequence[float], horizon_windows: int, min_gain: float = MIN_GAIN) -> bool:
    """Whether the last `horizon_windows` windows were, as a median, less than min_gain faster than
    the `horizon_windows` before them. Medians of several windows, so that one lucky or unlucky
    window neither ends the warm-up early nor keeps it going."""
    if len(window_medians) < 2 * horizon_windows:
        return False
    recent = window_medians[-horizon_windows:]
    before = window_medians[-2 * horizon_windows:-horizon_windows]
    return statistics.median(recent) > (1 - min_gain) * statistics.median(before)


async def warm_up(driver: AsyncDriver, database: Optional[str] = None,
                  max_seconds: float = DEFAULT_MAX_SECONDS, window_seconds: float = WINDOW_SECONDS,
                  horizon_seconds: float = HORIZON_SECONDS) -> WarmUp:
    sample = await read_sample(driver, database)
    graph = KnowledgeGraph(driver, database)
    horizon_windows = max(1, round(horizon_seconds / window_seconds))
    numbers = itertools.count()
    started = time.perf_counter()
    await one_pass(graph, sample, next(numbers))
    first_pass_ms = (time.perf_counter() - started) * 1000
    medians: List[float] = []
    passes = 1
    while True:  # at least one window, so there is a speed to report
        window_end = time.perf_counter() + window_seconds
        pass_ms = []
        while not pass_ms or time.perf_counter() < window_end:
            pass_started = time.perf_counter()
            await one_pass(graph, sample, next(numbers))
            pass_ms.append((time.perf_counter() - pass_started) * 1000)
        passes += len(pass_ms)
        medians.append(statistics.median(pass_ms))
        steady = settled(medians, horizon_windows)
        if steady or time.perf_counter() - started >= max_seconds:
            break
    return WarmUp(seconds=time.perf_counter() - started, first_pass_ms=first_pass_ms, passes=passes,
                  window_medians_ms=tuple(medians), steady=steady)
