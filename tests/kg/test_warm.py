"""kg.warm: the Neo4j warm-up `make bench` runs before loading our system."""
import pytest

from kg.loader import load_seed
from kg.warm import SAMPLE_SIZE, read_sample, settled, warm_up
from tests.kg.conftest import SEED_DIR, run_kg


@pytest.mark.parametrize("medians, expected", [
    # While the JVM compiles, every window is faster than those before it.
    ([100, 80, 64, 51, 41, 33, 26], False),
    # Levelled off for one horizon only: compared with windows that were still warming.
    ([100, 60, 40, 30, 31, 29.5, 30.5], False),
    # Levelled off for two horizons; the windows vary by a few per cent.
    ([100, 60, 40, 30, 31, 29.5, 30.5, 30, 31], True),
    # A gain of more than 5% from one horizon to the next means it is still warming,
    ([100, 60, 30, 31, 30, 28, 27, 28], False),
    # a gain of less than 5% does not.
    ([100, 60, 30, 31, 30, 29, 29.5, 29], True),
    # One lucky window does not end the warm-up.
    ([100, 80, 64, 51, 20, 41, 33], False),
    # Not enough windows to compare yet.
    ([30, 30, 30, 30, 30], False),
])
def test_passes_have_settled_when_the_last_windows_are_no_faster_than_those_before(medians, expected):
    assert settled(medians, horizon_windows=3) is expected


async def test_the_sample_is_the_graphs_own_products_and_faq_questions_in_both_languages(driver, seeded):
    sample = await read_sample(driver)
    records, _, _ = await driver.execute_query("MATCH (p:Product) RETURN p.sku AS sku")
    assert len(sample.products) == min(SAMPLE_SIZE, len(records))
    assert {sku for sku, _, _ in sample.products} <= {record["sku"] for record in records}
    assert {lang for _, lang in sample.questions} == {"zh", "en"}
    assert all(text.strip() for text, _ in sample.questions)


async def test_warm_up_stops_once_passes_stop_getting_faster(driver, seeded):
    # Short windows, so the test takes seconds; the graph is warm from the tests before.
    result = await warm_up(driver, max_seconds=60, window_seconds=0.2, horizon_seconds=0.6)
    assert result.steady
    assert result.seconds < 60
    assert len(result.window_medians_ms) >= 6  # two horizons of three windows
    assert result.passes > len(result.window_medians_ms)


async def test_warm_up_stops_at_the_time_limit(driver, seeded):
    # A horizon longer than the limit cannot settle.
    result = await warm_up(driver, max_seconds=1, window_seconds=0.25, horizon_seconds=30)
    assert not result.steady
    assert 1 <= result.seconds < 5
    assert "stopped at the time limit" in result.describe()


def test_cli_warm_reports_how_long_and_how_fast(seeded):
    result = run_kg("warm", "--max-seconds", "3")
    assert result.returncode == 0, result.stderr
    assert "Neo4j warm-up:" in result.stdout
    assert "The first pass took" in result.stdout


async def test_cli_warm_on_a_graph_without_faqs_says_to_load_it_and_changes_nothing(driver, seeded, counts):
    await driver.execute_query("MATCH (f:FAQ) DETACH DELETE f")
    try:
        result = run_kg("warm", "--max-seconds", "3")
        assert result.returncode == 2
        assert "load it first (python -m kg load)" in result.stderr
    finally:
        await load_seed(driver, SEED_DIR)
    assert await counts() == seeded
