"""`python -m kg.bench [--rounds N]`: latency of each query kind on the running Neo4j.

Runs every kind N times after a warm-up and prints p50/p95/max in milliseconds, as JSON too
(.run/results/kg_bench.json). A benchmark, not a test: the numbers go into notes, not asserts.
"""
import argparse
import asyncio
import json
import statistics
import sys
import time
from typing import Awaitable, Callable, Dict, List

from kg.config import load_dev_env
from kg.queries import KnowledgeGraph
from ops.paths import RUN_DIR

QUERIES: Dict[str, Callable[[KnowledgeGraph], Awaitable]] = {
    "product by alias": lambda kg: kg.resolve_product("X200"),
    "attribute": lambda kg: kg.attribute("AU-X200", "noise_cancelling", "en"),
    "compatibility": lambda kg: kg.accessories_for("PH-P30", "case"),
    "faq search zh": lambda kg: kg.best_faq("运费怎么算，多少钱包邮", "zh"),
    "faq search en": lambda kg: kg.best_faq("how much is shipping", "en"),
    "faq search, product named": lambda kg: kg.best_faq("when will my Cookwise rice cooker ship", "en"),
    "policy via category": lambda kg: kg.policy_for_product("MB-FORMULA-1", "return", "zh"),
    "related products": lambda kg: kg.related_products("KA-AIRFRYER-5L"),
}


def percentile(samples: List[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(rounds: int) -> Dict[str, Dict[str, float]]:
    results = {}
    async with KnowledgeGraph.from_env() as kg:
        for name, query in QUERIES.items():
            for _ in range(10):  # warm-up: connection pool, query plans
                await query(kg)
            samples = []
            for _ in range(rounds):
                started = time.perf_counter()
                await query(kg)
                samples.append((time.perf_counter() - started) * 1000)
            results[name] = {"p50_ms": round(statistics.median(samples), 2),
                             "p95_ms": round(percentile(samples, 0.95), 2),
                             "max_ms": round(max(samples), 2), "rounds": rounds}
    return results


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.bench")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args(argv)
    load_dev_env()
    results = asyncio.run(measure(args.rounds))
    for name, numbers in results.items():
        print(f"{name:26} p50 {numbers['p50_ms']:7.2f} ms   p95 {numbers['p95_ms']:7.2f} ms   "
              f"max {numbers['max_ms']:7.2f} ms")
    out = RUN_DIR / "results" / "kg_bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
