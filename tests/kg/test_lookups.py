"""`python -m kg export-lookups` writes exactly what the graph holds, in Rasa's format."""
import pytest
import yaml

from kg.lookups import DEFAULT_JIEBA_FILE, DEFAULT_LOOKUP_FILE, product_names, render_jieba, render_nlu
from tests.kg.conftest import run_kg

pytestmark = pytest.mark.services


def examples(block: str) -> list:
    return [line[2:] for line in block.splitlines()]


async def test_export_equals_the_graph(tmp_path, driver, seeded):
    out = tmp_path / "products.yml"
    result = run_kg("export-lookups", "--out", str(out))
    assert result.returncode == 0, result.stderr

    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    records, _, _ = await driver.execute_query(
        "MATCH (p:Product) RETURN p.sku AS sku, p.name_zh AS zh, p.name_en AS en, p.aliases AS aliases")
    graph = {r["sku"]: {r["zh"], r["en"], *r["aliases"]} for r in records}

    assert data["version"] == "3.1"
    lookup = [entry for entry in data["nlu"] if "lookup" in entry]
    assert [entry["lookup"] for entry in lookup] == ["product"]
    assert set(examples(lookup[0]["examples"])) == set().union(*graph.values())
    synonyms = {entry["synonym"]: set(examples(entry["examples"])) for entry in data["nlu"] if "synonym" in entry}
    assert synonyms == graph


async def test_export_is_deterministic_and_the_committed_file_is_current(tmp_path, driver, seeded):
    first, second = tmp_path / "a.yml", tmp_path / "b.yml"
    for out in (first, second):
        assert run_kg("export-lookups", "--out", str(out), "--jieba-out", str(out.with_suffix(".txt"))).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    assert first.with_suffix(".txt").read_bytes() == second.with_suffix(".txt").read_bytes()
    # data/nlu/products.yml and data/jieba/products.txt are generated; stale copies would teach
    # Rasa old names.
    products = await product_names(driver)
    assert DEFAULT_LOOKUP_FILE.read_text(encoding="utf-8") == render_nlu(products), \
        "data/nlu/products.yml is stale: run `python -m kg export-lookups`"
    assert DEFAULT_JIEBA_FILE.read_text(encoding="utf-8") == render_jieba(products), \
        "data/jieba/products.txt is stale: run `python -m kg export-lookups`"


async def test_rasa_reads_the_export(driver, seeded):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    data = RasaYAMLReader().reads(render_nlu(await product_names(driver)))
    assert data.entity_synonyms["X200"] == "AU-X200"
    assert data.entity_synonyms["P30手机壳"] == "AC-P30-CASE"
    assert "空气炸锅" in data.lookup_tables[0]["elements"]
