"""Loading into the real Neo4j: idempotent, all-or-nothing, and loud about bad records."""
import dataclasses
import os
import shutil
import subprocess
import sys

import pytest
import yaml
from neo4j.exceptions import Neo4jError

from kg.loader import load_seed, write_catalog
from kg.schema import FAQ_VECTOR_INDEX
from kg.validation import read_catalog
from tests.kg.conftest import ROOT, SEED_DIR, run_kg

pytestmark = pytest.mark.services


def expected_counts() -> dict:
    catalog = read_catalog(SEED_DIR)
    phrasings = sum(2 + len(f.phrasings_zh) + len(f.phrasings_en) for f in catalog.faqs)
    return {
        "Product": len(catalog.products), "Category": len(catalog.categories), "Brand": len(catalog.brands),
        "FAQ": len(catalog.faqs), "Policy": len(catalog.policies), "SynonymGroup": len(catalog.synonyms),
        "IN_CATEGORY": len(catalog.products), "MADE_BY": len(catalog.products),
        "COMPATIBLE_WITH": sum(len(p.compatible_with) for p in catalog.products),
        "HAS_FAQ": sum(len(f.products) + len(f.categories) for f in catalog.faqs),
        "APPLIES_TO": sum(len(p.applies_to) for p in catalog.policies),
        "RELATED_TO": sum(len(p.related) for p in catalog.products),
        # the question and every phrasing, in both languages
        "FaqPhrasing": phrasings, "PHRASED_AS": phrasings,
    }


async def test_graph_holds_exactly_the_seed(seeded, counts):
    assert seeded == expected_counts()
    assert await counts() == seeded


async def test_loading_twice_gives_the_same_graph(driver, seeded):
    assert await load_seed(driver, SEED_DIR) == seeded
    assert await load_seed(driver, SEED_DIR) == seeded


def printed_counts(stdout: str) -> dict:
    rows = (line.split() for line in stdout.splitlines() if line.startswith("  "))
    return {name: int(value) for name, value in rows}


def test_cli_load_prints_counts(seeded):
    result = run_kg("load")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Loaded kg/seed:")
    assert printed_counts(result.stdout) == seeded


async def test_cli_with_a_bad_record_names_it_and_loads_nothing(tmp_path, seeded, counts, kg):
    bad = tmp_path / "seed"
    shutil.copytree(SEED_DIR, bad)
    products_path = bad / "products.yaml"
    products = yaml.safe_load(products_path.read_text(encoding="utf-8"))
    products[0]["price"] = 1.0                     # a valid change that must not land...
    products[11]["price"] = "cheap"                # ...because another record is broken
    products_path.write_text(yaml.safe_dump(products, allow_unicode=True, sort_keys=False), encoding="utf-8")

    result = run_kg("load", "--seed-dir", str(bad))

    assert result.returncode == 1
    assert f"{products_path}: record 12 (sku {products[11]['sku']}): price must be a positive number" in result.stderr
    assert await counts() == seeded
    assert (await kg.product(products[0]["sku"])).price != 1.0


async def test_a_write_failing_midway_rolls_everything_back(driver, seeded, counts, kg):
    catalog = read_catalog(SEED_DIR)
    # Dropping products would delete nodes early in the transaction; the nested map on the last
    # product is refused by Neo4j later in the same transaction.
    broken_last = dataclasses.replace(catalog.products[-1], attributes={"material": {"nested": "map"}})
    broken = dataclasses.replace(catalog, products=catalog.products[5:-1] + [broken_last])
    before = await kg.product(catalog.products[0].sku)

    with pytest.raises(Neo4jError):
        await write_catalog(driver, broken)

    assert await counts() == seeded
    assert await kg.product(catalog.products[0].sku) == before


def test_cli_stats_and_validate(seeded):
    stats = run_kg("stats")
    assert stats.returncode == 0 and printed_counts(stats.stdout) == seeded
    validate = run_kg("validate")
    assert validate.returncode == 0 and "OK" in validate.stdout


def test_cli_without_password_says_what_to_do(tmp_path):
    # Copies of the packages (kg reads .run/dev.env through ops), so the launcher's dev.env beside
    # the real ones is not found either.
    for package in ("kg", "ops", "bot"):
        shutil.copytree(ROOT / package, tmp_path / package)
    env = {key: value for key, value in os.environ.items() if key != "NEO4J_PASSWORD"}
    result = subprocess.run([sys.executable, "-m", "kg", "stats"], cwd=tmp_path,
                            env={**env, "PYTHONPATH": str(tmp_path)}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "NEO4J_PASSWORD is not set" in result.stderr


async def test_load_if_empty_reloads_a_graph_an_older_version_loaded_without_faq_vectors(driver, seeded, counts):
    await driver.execute_query("MATCH (p:FaqPhrasing) DETACH DELETE p")
    result = run_kg("load", "--if-empty")
    assert result.returncode == 0, result.stderr
    assert "Loaded" in result.stdout
    assert await counts() == seeded
    again = run_kg("load", "--if-empty")
    assert "nothing loaded" in again.stdout


async def test_load_if_empty_replaces_an_index_an_older_version_defined_differently(driver, seeded, counts):
    # The vector index as it was first created: quantized, so its scores were approximate.
    await driver.execute_query(f"DROP INDEX {FAQ_VECTOR_INDEX.name}")
    await driver.execute_query(
        f"CREATE VECTOR INDEX {FAQ_VECTOR_INDEX.name} FOR (n:{FAQ_VECTOR_INDEX.label}) "
        f"ON (n.{FAQ_VECTOR_INDEX.property}) OPTIONS {{indexConfig: {{`vector.dimensions`: $dimensions, "
        "`vector.similarity_function`: 'cosine', `vector.quantization.enabled`: true}}",
        dimensions=FAQ_VECTOR_INDEX.dimensions)
    result = run_kg("load", "--if-empty")
    assert result.returncode == 0, result.stderr
    assert "nothing loaded" in result.stdout
    records, _, _ = await driver.execute_query(
        "SHOW VECTOR INDEXES YIELD name, state, options WHERE name = $name "
        "RETURN state, options.indexConfig['vector.quantization.enabled'] AS quantized",
        name=FAQ_VECTOR_INDEX.name)
    assert [(r["state"], r["quantized"]) for r in records] == [("ONLINE", False)]
    assert await counts() == seeded
