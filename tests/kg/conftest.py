"""Knowledge-graph tests run against the real Neo4j from `make services`.

Every test that touches the graph first loads the real seed (idempotent, so suites running after
each other agree on the data). Tests that try bad data only ever check that the graph stayed
as it was, so they never leave anything behind for others.
"""
import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest

from kg.config import Neo4jSettings, create_driver
from kg.loader import load_seed
from kg.queries import KnowledgeGraph
from kg.stats import graph_counts

ROOT = Path(__file__).resolve().parents[2]
SEED_DIR = ROOT / "kg" / "seed"


def run_kg(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


async def _load_real_seed() -> Dict[str, int]:
    async with create_driver() as driver:
        try:
            await driver.verify_connectivity()
        except Exception as error:  # the driver raises several kinds; all mean "not up"
            pytest.fail(f"Neo4j at {Neo4jSettings.from_env().uri} is not answering ({error}). "
                        "Start it with `make services`.")
        return await load_seed(driver, SEED_DIR)


@pytest.fixture(scope="session")
def seeded() -> Dict[str, int]:
    """Loads kg/seed once per session; returns the counts the load reported."""
    return asyncio.run(_load_real_seed())


@pytest.fixture
async def driver(seeded):
    async with create_driver() as neo4j_driver:
        yield neo4j_driver


@pytest.fixture
async def kg(driver) -> KnowledgeGraph:
    return KnowledgeGraph(driver)


@pytest.fixture
async def counts(driver):
    """A function returning the graph's current counts."""
    return lambda: graph_counts(driver)
