"""The validated seed, as plain records. The loader writes exactly these; nothing else reaches Neo4j."""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple


@dataclass(frozen=True)
class Category:
    id: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Brand:
    id: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Product:
    sku: str
    category: str
    brand: str
    name_zh: str
    name_en: str
    aliases: Tuple[str, ...]
    price: float
    attributes: Dict[str, Any] = field(default_factory=dict)
    compatible_with: Tuple[str, ...] = ()  # skus this accessory fits
    related: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Faq:
    id: str
    topic: str
    question_zh: str
    question_en: str
    answer_zh: str
    answer_en: str
    # Other ways customers ask the same thing; searched like the question, never shown.
    phrasings_zh: Tuple[str, ...] = ()
    phrasings_en: Tuple[str, ...] = ()
    products: Tuple[str, ...] = ()    # HAS_FAQ from these products
    categories: Tuple[str, ...] = ()  # HAS_FAQ from these categories


@dataclass(frozen=True)
class Policy:
    id: str
    type: str
    default: bool  # the variant quoted when a customer asks without naming a product
    title_zh: str
    title_en: str
    text_zh: str
    text_en: str
    applies_to: Tuple[str, ...]  # category ids


@dataclass(frozen=True)
class SynonymGroup:
    """Words customers use for one thing; an FAQ search naming one also looks for the others."""
    id: str
    zh: Tuple[str, ...]
    en: Tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    categories: List[Category]
    brands: List[Brand]
    products: List[Product]
    faqs: List[Faq]
    policies: List[Policy]
    synonyms: List[SynonymGroup]
