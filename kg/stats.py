"""Counts of nodes per label and relationships per type, as `load` and `stats` print them."""
from typing import Dict, Optional

from neo4j import AsyncDriver

from kg.schema import NODE_LABELS, RELATION_TYPES


async def graph_counts(driver: AsyncDriver, database: Optional[str] = None) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    # Counting by a single label or type is answered from Neo4j's count store, without a scan.
    for label in NODE_LABELS:
        records, _, _ = await driver.execute_query(
            f"MATCH (n:{label}) RETURN count(n) AS n", database_=database, routing_="r")
        counts[label] = records[0]["n"]
    for rel_type in RELATION_TYPES:
        records, _, _ = await driver.execute_query(
            f"MATCH ()-[r:{rel_type}]->() RETURN count(r) AS n", database_=database, routing_="r")
        counts[rel_type] = records[0]["n"]
    return counts


def is_loaded(counts: Dict[str, int]) -> bool:
    """Whether the graph holds a seed loaded by this version (FAQ vectors came later)."""
    return bool(counts["Product"] and counts["FaqPhrasing"])


def format_counts(counts: Dict[str, int]) -> str:
    width = max(map(len, counts))
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in counts.items())
