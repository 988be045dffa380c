"""Constraints and indexes of the graph, created idempotently before a load.

Schema statements cannot share a transaction with data writes, so `ensure_schema` runs them on
their own; they never change data, so a load that fails afterwards still leaves the data as it was.
"""
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Tuple

from neo4j import AsyncDriver
from neo4j.exceptions import ClientError

from bot.sentence_vectors import DIMENSIONS

# (constraint name, label, key property): every node kind has one identifying key.
NODE_KEYS = (
    ("product_sku", "Product", "sku"),
    ("category_id", "Category", "id"),
    ("brand_id", "Brand", "id"),
    ("faq_id", "FAQ", "id"),
    ("policy_id", "Policy", "id"),
    ("synonym_group_id", "SynonymGroup", "id"),
    # One per FAQ question or phrasing, in either language, with its sentence vector.
    ("faq_phrasing_id", "FaqPhrasing", "id"),
)

# Every relationship type the seed defines (see kg/loader.py for their ends).
RELATION_TYPES = ("IN_CATEGORY", "MADE_BY", "COMPATIBLE_WITH", "HAS_FAQ", "APPLIES_TO", "RELATED_TO",
                  "PHRASED_AS")
NODE_LABELS = tuple(label for _, label, _ in NODE_KEYS)

# Plain range indexes for the filters the query layer uses besides the keys.
RANGE_INDEXES = (
    ("policy_type", "Policy", "type"),
    ("faq_topic", "FAQ", "topic"),
)


@dataclass(frozen=True)
class FulltextIndex:
    name: str
    label: str
    properties: Tuple[str, ...]
    analyzer: str


# 'cjk' splits Han text into overlapping bigrams (Chinese has no spaces between words) and still
# tokenises Latin words, so it also suits mixed product names such as "Sonique X200降噪耳机".
FAQ_ZH_INDEX = FulltextIndex("faq_zh", "FAQ", ("question_zh", "phrasings_zh", "answer_zh"), "cjk")
FAQ_EN_INDEX = FulltextIndex("faq_en", "FAQ", ("question_en", "phrasings_en", "answer_en"), "english")
PRODUCT_NAME_INDEX = FulltextIndex("product_names", "Product", ("name_zh", "name_en", "aliases"), "cjk")
FULLTEXT_INDEXES = (FAQ_ZH_INDEX, FAQ_EN_INDEX, PRODUCT_NAME_INDEX)
FAQ_INDEXES = {"zh": FAQ_ZH_INDEX, "en": FAQ_EN_INDEX}


@dataclass(frozen=True)
class VectorIndex:
    name: str
    label: str
    property: str
    dimensions: int


# Sentence vectors of FAQ questions and phrasings (bot.sentence_vectors), searched by cosine.
FAQ_VECTOR_INDEX = VectorIndex("faq_phrasing_vectors", "FaqPhrasing", "embedding", DIMENSIONS)


# Two loaders starting together can both pass IF NOT EXISTS; the loser's error means "done".
_ALREADY_THERE = {
    "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
    "Neo.ClientError.Schema.IndexAlreadyExists",
    "Neo.ClientError.Schema.ConstraintAlreadyExists",
}


async def _create(driver: AsyncDriver, statement: str, database: Optional[str], **params) -> None:
    try:
        await driver.execute_query(statement, parameters_=params, database_=database)
    except ClientError as error:
        if error.code not in _ALREADY_THERE:
            raise


async def _ensure_index(driver: AsyncDriver, name: str, label: str, properties: Tuple[str, ...],
                        index_config: Mapping[str, Any], create: str, database: Optional[str],
                        **params: Any) -> None:
    """Creates index `name` with `create`, first dropping an index of that name whose label,
    properties or any setting in `index_config` differ: IF NOT EXISTS would silently keep it."""
    records, _, _ = await driver.execute_query(
        "SHOW INDEXES YIELD name, labelsOrTypes, properties, options WHERE name = $name "
        "RETURN labelsOrTypes, properties, options.indexConfig AS config",
        name=name, database_=database,
    )
    if records:
        current = records[0]
        if (current["labelsOrTypes"] == [label] and current["properties"] == list(properties)
                and all(current["config"].get(key) == value for key, value in index_config.items())):
            return
        await driver.execute_query(f"DROP INDEX {name}", database_=database)
    await _create(driver, create, database, **params)


async def _ensure_fulltext(driver: AsyncDriver, index: FulltextIndex, database: Optional[str]) -> None:
    fields = ", ".join(f"n.{prop}" for prop in index.properties)
    await _ensure_index(
        driver, index.name, index.label, index.properties, {"fulltext.analyzer": index.analyzer},
        f"CREATE FULLTEXT INDEX {index.name} IF NOT EXISTS FOR (n:{index.label}) ON EACH [{fields}] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: $analyzer}}",
        database, analyzer=index.analyzer,
    )


async def _ensure_vector(driver: AsyncDriver, index: VectorIndex, database: Optional[str]) -> None:
    # Quantization off: a few thousand phrasings need no compression, and quantized scores
    # depend on how Lucene happened to segment the index, so they moved by up to 0.002 between
    # two loads of the same seed; a score now is the exact cosine of the stored vectors.
    config = {"vector.dimensions": index.dimensions, "vector.similarity_function": "COSINE",
              "vector.quantization.enabled": False}
    await _ensure_index(
        driver, index.name, index.label, (index.property,), config,
        f"CREATE VECTOR INDEX {index.name} IF NOT EXISTS FOR (n:{index.label}) ON (n.{index.property}) "
        "OPTIONS {indexConfig: $config}",
        database, config=config,
    )


async def ensure_schema(driver: AsyncDriver, database: Optional[str] = None) -> None:
    """Creates what is missing, replaces indexes defined differently, waits until all are online."""
    # Names and labels below are constants of this module, never user input.
    for name, label, key in NODE_KEYS:
        await _create(
            driver, f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{key} IS UNIQUE", database,
        )
    for name, label, prop in RANGE_INDEXES:
        await _create(driver, f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})", database)
    for index in FULLTEXT_INDEXES:
        await _ensure_fulltext(driver, index, database)
    await _ensure_vector(driver, FAQ_VECTOR_INDEX, database)
    await driver.execute_query("CALL db.awaitIndexes(300)", database_=database)
