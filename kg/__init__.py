"""Neo4j knowledge graph of the shop: products, categories, brands, FAQs and policies.

Public interface: `KnowledgeGraph` (async queries), `create_driver` / `Neo4jSettings` (connection
from the environment), `load_seed` (loader) and the result records in `kg.results`.
"""
from kg.config import ConfigError, Neo4jSettings, create_driver
from kg.loader import load_seed
from kg.queries import KnowledgeGraph
from kg.results import AttributeAnswer, FaqHit, PolicyInfo, ProductInfo, ProductMatch
from kg.validation import SeedError

__all__ = [
    "AttributeAnswer", "ConfigError", "FaqHit", "KnowledgeGraph", "Neo4jSettings", "PolicyInfo",
    "ProductInfo", "ProductMatch", "SeedError", "create_driver", "load_seed",
]
