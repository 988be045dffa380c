"""Writes a validated catalog to Neo4j in one transaction, so the graph ends up mirroring the seed.

Nodes are MERGEd on their key and their properties replaced; nodes and relationships the seed no
longer has are removed. Running it twice gives the same graph. If anything fails, the transaction
rolls back and the graph stays as it was.

Each FAQ question and phrasing also becomes a FaqPhrasing node carrying its sentence vector,
computed here, so the vectors always match the texts they were made from.
"""
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from neo4j import AsyncDriver, AsyncManagedTransaction

from bot.sentence_vectors import encode
from kg.model import Catalog
from kg.schema import NODE_KEYS, ensure_schema
from kg.stats import graph_counts
from kg.text import lookup_keys, synonym_key, without_names
from kg.validation import DEFAULT_SEED_DIR, read_catalog


@dataclass(frozen=True)
class RelationSpec:
    type: str
    start_label: str
    start_key: str
    end_label: str
    end_key: str


IN_CATEGORY = RelationSpec("IN_CATEGORY", "Product", "sku", "Category", "id")
MADE_BY = RelationSpec("MADE_BY", "Product", "sku", "Brand", "id")
COMPATIBLE_WITH = RelationSpec("COMPATIBLE_WITH", "Product", "sku", "Product", "sku")  # accessory -> product
RELATED_TO = RelationSpec("RELATED_TO", "Product", "sku", "Product", "sku")
PRODUCT_FAQ = RelationSpec("HAS_FAQ", "Product", "sku", "FAQ", "id")
CATEGORY_FAQ = RelationSpec("HAS_FAQ", "Category", "id", "FAQ", "id")
APPLIES_TO = RelationSpec("APPLIES_TO", "Policy", "id", "Category", "id")
PHRASED_AS = RelationSpec("PHRASED_AS", "FAQ", "id", "FaqPhrasing", "id")

Pairs = List[Tuple[str, str]]


def faq_phrasings(catalog: Catalog) -> List[Dict[str, Any]]:
    """Every way the seed asks each FAQ, in both languages, as FaqPhrasing rows without vectors.

    The id numbers a FAQ's texts per language in seed order, so an unchanged seed keeps its ids."""
    rows = []
    for faq in catalog.faqs:
        for lang, texts in (("zh", (faq.question_zh, *faq.phrasings_zh)),
                            ("en", (faq.question_en, *faq.phrasings_en))):
            rows += [{"id": f"{faq.id}/{lang}/{n}", "faq": faq.id, "lang": lang, "text": text}
                     for n, text in enumerate(texts)]
    return rows


def catalog_names(catalog: Catalog) -> List[str]:
    """Every product and brand name the catalog knows (kg.queries reads the same from the graph)."""
    return [name for p in catalog.products for name in (p.sku, p.name_zh, p.name_en, *p.aliases)] + [
        name for b in catalog.brands for name in (b.name_zh, b.name_en)]


def with_vectors(phrasings: List[Dict[str, Any]], names: List[str]) -> List[Dict[str, Any]]:
    """The rows with the sentence vector of their text less product and brand names."""
    vectors = encode([without_names(row["text"], names) for row in phrasings])
    return [{**row, "embedding": vector.tolist()} for row, vector in zip(phrasings, vectors)]


def node_rows(catalog: Catalog) -> Dict[str, List[Dict[str, Any]]]:
    """Property maps per label, exactly as stored."""
    products = [
        {
            "sku": p.sku, "name_zh": p.name_zh, "name_en": p.name_en, "aliases": list(p.aliases),
            "price": float(p.price),
            # Normalised names for exact, case-insensitive lookup (see kg.text.normalize_key).
            "lookup_keys": lookup_keys((p.sku, p.name_zh, p.name_en, *p.aliases)),
            **p.attributes,
        }
        for p in catalog.products
    ]
    faqs = [
        {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(f).items()
         if k not in ("products", "categories")}
        for f in catalog.faqs
    ]
    policies = [
        {
            "id": p.id, "type": p.type, "is_default": p.default, "title_zh": p.title_zh,
            "title_en": p.title_en, "text_zh": p.text_zh, "text_en": p.text_en,
        }
        for p in catalog.policies
    ]
    synonyms = [
        {
            "id": g.id, "zh": list(g.zh), "en": list(g.en),
            # What a question is matched against (see kg.text.synonym_key).
            "match_zh": [synonym_key(term, "zh") for term in g.zh],
            "match_en": [synonym_key(term, "en") for term in g.en],
        }
        for g in catalog.synonyms
    ]
    return {
        "Category": [asdict(c) for c in catalog.categories],
        "Brand": [asdict(b) for b in catalog.brands],
        "Product": products,
        "FAQ": faqs,
        "Policy": policies,
        "SynonymGroup": synonyms,
        "FaqPhrasing": with_vectors(faq_phrasings(catalog), catalog_names(catalog)),
    }


def relation_pairs(catalog: Catalog) -> List[Tuple[RelationSpec, Pairs]]:
    products = catalog.products
    return [
        (IN_CATEGORY, [(p.sku, p.category) for p in products]),
        (MADE_BY, [(p.sku, p.brand) for p in products]),
        (COMPATIBLE_WITH, [(p.sku, target) for p in products for target in p.compatible_with]),
        (RELATED_TO, [(p.sku, target) for p in products for target in p.related]),
        (PRODUCT_FAQ, [(sku, f.id) for f in catalog.faqs for sku in f.products]),
        (CATEGORY_FAQ, [(category, f.id) for f in catalog.faqs for category in f.categories]),
        (APPLIES_TO, [(p.id, category) for p in catalog.policies for category in p.applies_to]),
        (PHRASED_AS, [(row["faq"], row["id"]) for row in faq_phrasings(catalog)]),
    ]


async def _run(tx: AsyncManagedTransaction, query: str, **params: Any) -> None:
    result = await tx.run(query, **params)
    await result.consume()


async def _sync_nodes(tx: AsyncManagedTransaction, label: str, key: str, rows: List[Dict[str, Any]]) -> None:
    # Label and key come from kg.schema constants; all values travel as parameters.
    await _run(tx, f"MATCH (n:{label}) WHERE NOT n.{key} IN $keys DETACH DELETE n",
               keys=[row[key] for row in rows])
    await _run(tx, f"UNWIND $rows AS row MERGE (n:{label} {{{key}: row.{key}}}) SET n = row", rows=rows)


async def _sync_relations(tx: AsyncManagedTransaction, spec: RelationSpec, pairs: Pairs) -> None:
    ends = f"(a:{spec.start_label})-[r:{spec.type}]->(b:{spec.end_label})"
    await _run(tx, f"MATCH {ends} WHERE NOT [a.{spec.start_key}, b.{spec.end_key}] IN $pairs DELETE r",
               pairs=[list(pair) for pair in pairs])
    await _run(
        tx,
        f"UNWIND $pairs AS pair "
        f"MATCH (a:{spec.start_label} {{{spec.start_key}: pair[0]}}) "
        f"MATCH (b:{spec.end_label} {{{spec.end_key}: pair[1]}}) "
        f"MERGE (a)-[:{spec.type}]->(b)",
        pairs=[list(pair) for pair in pairs],
    )


async def write_catalog(driver: AsyncDriver, catalog: Catalog, database: Optional[str] = None) -> None:
    """Replaces the graph's seed data with `catalog`, all in one transaction."""
    rows = node_rows(catalog)
    relations = relation_pairs(catalog)

    async def work(tx: AsyncManagedTransaction) -> None:
        for _, label, key in NODE_KEYS:
            await _sync_nodes(tx, label, key, rows[label])
        for spec, pairs in relations:
            await _sync_relations(tx, spec, pairs)

    async with driver.session(database=database) as session:
        await session.execute_write(work)


async def load_seed(
    driver: AsyncDriver, seed_dir: Path = DEFAULT_SEED_DIR, database: Optional[str] = None
) -> Dict[str, int]:
    """Validates the seed (raising SeedError before touching the graph), loads it, returns counts."""
    catalog = read_catalog(seed_dir)
    await ensure_schema(driver, database)
    await write_catalog(driver, catalog, database)
    return await graph_counts(driver, database)
