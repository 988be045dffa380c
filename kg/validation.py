"""Reads the seed YAML files and checks every record before anything is written.

All problems are collected, each naming its file and record, e.g.
``kg/seed/products.yaml: record 12 (sku AU-X200): price must be a positive number``,
so a trainer fixes them in one pass. Any problem means `read_catalog` raises `SeedError`.
"""
import math
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

import yaml

from kg.model import Brand, Catalog, Category, Faq, Policy, Product, SynonymGroup
from kg.text import has_han, normalize_key
from kg.vocabulary import ATTRIBUTES, FAQ_TOPICS, POLICY_TYPES, AttributeSpec

DEFAULT_SEED_DIR = Path(__file__).parent / "seed"
SEED_FILES = ("categories.yaml", "brands.yaml", "products.yaml", "faqs.yaml", "policies.yaml", "synonyms.yaml")

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SKU = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)*$")


class SeedError(Exception):
    def __init__(self, problems: List[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _Record:
    """One mapping from a seed file; field readers return clean values and report what is wrong."""

    def __init__(self, problems: List[str], file: str, number: int, data: Any, key_field: str):
        self._problems = problems
        self._data = data if isinstance(data, dict) else {}
        key = self._data.get(key_field)
        self.where = f"{file}: record {number}" + (f" ({key_field} {key})" if isinstance(key, str) else "")
        if not isinstance(data, dict):
            self.fail("must be a mapping of field: value")

    def fail(self, message: str) -> None:
        self._problems.append(f"{self.where}: {message}")

    def only(self, *fields: str) -> None:
        for name in sorted(set(self._data) - set(fields)):
            self.fail(f"unknown field '{name}' (allowed: {', '.join(fields)})")

    def text(self, name: str) -> str:
        value = self._data.get(name)
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{name} must be a non-empty text")
            return ""
        return value.strip()

    def ident(self, name: str, pattern: re.Pattern = _ID) -> str:
        value = self.text(name)
        if value and not pattern.match(value):
            self.fail(f"{name} '{value}' must look like {'AB-CD12' if pattern is _SKU else 'lower-case-words'}")
        return value

    def texts(self, name: str, required: bool = False) -> Tuple[str, ...]:
        value = self._data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(f"{name} must be a list of non-empty texts")
            return ()
        if required and not value:
            self.fail(f"{name} must not be empty")
        if len(set(value)) != len(value):
            self.fail(f"{name} lists an entry twice")
        return tuple(v.strip() for v in value)

    def positive_number(self, name: str) -> float:
        value = self._data.get(name)
        if not _is_number(value) or value <= 0:
            self.fail(f"{name} must be a positive number")
            return 0.0
        return value

    def flag(self, name: str) -> bool:
        value = self._data.get(name, False)
        if not isinstance(value, bool):
            self.fail(f"{name} must be true or false")
            return False
        return value

    def mapping(self, name: str) -> Dict[str, Any]:
        value = self._data.get(name, {})
        if not isinstance(value, dict):
            self.fail(f"{name} must be a mapping")
            return {}
        return value


def _is_number(value: Any) -> bool:
    # bool is an int in Python; "true" is not a price.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _attribute_problem(spec: AttributeSpec, value: Any) -> Optional[str]:
    """Why `value` is not a valid value of `spec`, or None."""
    if spec.kind == "bool" and not isinstance(value, bool):
        return "must be true or false"
    if spec.kind == "number" and not (_is_number(value) and value > 0):
        return "must be a positive number"
    if spec.kind == "range" and not (
        isinstance(value, list) and len(value) == 2 and all(_is_number(v) and v >= 0 for v in value)
        and value[0] <= value[1]
    ):
        return "must be [low, high] with 0 <= low <= high"
    if spec.kind == "code" and not (isinstance(value, str) and value.strip()):
        return "must be a non-empty text"
    if spec.kind == "enum" and value not in spec.values:
        return f"must be one of {', '.join(spec.values)}"
    return None


def _attributes(record: _Record) -> Dict[str, Any]:
    clean = {}
    for key, value in record.mapping("attributes").items():
        spec = ATTRIBUTES.get(key)
        if spec is None:
            record.fail(f"unknown attribute '{key}' (see kg/vocabulary.py)")
            continue
        problem = _attribute_problem(spec, value)
        if problem:
            record.fail(f"attribute {key} {problem}")
        else:
            clean[key] = value.strip() if isinstance(value, str) else value
    return clean


class _SeedReader:
    def __init__(self, seed_dir: Path):
        self.seed_dir = seed_dir
        self.problems: List[str] = []
        self.unreadable: Set[str] = set()  # files missing or not YAML: whole-file checks would only add noise

    def records(self, file_name: str, key_field: str) -> List[_Record]:
        path = self.seed_dir / file_name
        shown = display_path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return self._unreadable(file_name, f"{shown}: file is missing")
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            return self._unreadable(file_name, f"{shown}: not valid YAML: {error}")
        if not isinstance(data, list):
            return self._unreadable(file_name, f"{shown}: must be a list of records")
        return [_Record(self.problems, shown, n, item, key_field) for n, item in enumerate(data, start=1)]

    def _unreadable(self, file_name: str, problem: str) -> List[_Record]:
        self.problems.append(problem)
        self.unreadable.add(file_name)
        return []

    def unique(self, records: List[Tuple[_Record, str]], what: str) -> Set[str]:
        seen: Set[str] = set()
        for record, key in records:
            if not key:  # already reported as missing
                continue
            if key in seen:
                record.fail(f"{what} '{key}' is used by an earlier record")
            seen.add(key)
        return seen


def _read_named(reader: _SeedReader, file_name: str, cls):
    """Categories and brands share one shape: id, name_zh, name_en."""
    items, keyed = [], []
    for record in reader.records(file_name, "id"):
        record.only("id", "name_zh", "name_en")
        item = cls(id=record.ident("id"), name_zh=record.text("name_zh"), name_en=record.text("name_en"))
        items.append(item)
        keyed.append((record, item.id))
    return items, reader.unique(keyed, "id")


def _read_products(reader: _SeedReader, categories: Set[str], brands: Set[str]) -> List[Product]:
    records = reader.records("products.yaml", "sku")
    products, keyed = [], []
    for record in records:
        record.only("sku", "category", "brand", "name_zh", "name_en", "aliases", "price", "attributes",
                    "compatible_with", "related")
        product = Product(
            sku=record.ident("sku", _SKU), category=record.text("category"), brand=record.text("brand"),
            name_zh=record.text("name_zh"), name_en=record.text("name_en"),
            aliases=record.texts("aliases", required=True), price=record.positive_number("price"),
            attributes=_attributes(record), compatible_with=record.texts("compatible_with"),
            related=record.texts("related"),
        )
        if product.category and product.category not in categories:
            record.fail(f"category '{product.category}' is not in categories.yaml")
        if product.brand and product.brand not in brands:
            record.fail(f"brand '{product.brand}' is not in brands.yaml")
        if bool(product.compatible_with) != ("accessory_type" in product.attributes):
            record.fail("an accessory needs both compatible_with and attributes.accessory_type")
        products.append(product)
        keyed.append((record, product.sku))
    skus = reader.unique(keyed, "sku")
    owner_of_name: Dict[str, str] = {}
    for record, product in zip(records, products):
        for field, targets in (("compatible_with", product.compatible_with), ("related", product.related)):
            for sku in targets:
                if sku not in skus:
                    record.fail(f"{field} names unknown sku '{sku}'")
                elif sku == product.sku:
                    record.fail(f"{field} names the product itself")
        # A name must lead to one product only: Rasa maps it to a single SKU.
        for name in (product.sku, product.name_zh, product.name_en, *product.aliases):
            key = normalize_key(name)
            owner = owner_of_name.setdefault(key, product.sku)
            if owner != product.sku:
                record.fail(f"name or alias '{name}' is already used by {owner}")
    return products


def _read_faqs(reader: _SeedReader, skus: Set[str], categories: Set[str]) -> List[Faq]:
    faqs, keyed = [], []
    for record in reader.records("faqs.yaml", "id"):
        record.only("id", "topic", "question_zh", "question_en", "phrasings_zh", "phrasings_en",
                    "answer_zh", "answer_en", "products", "categories")
        faq = Faq(
            id=record.ident("id"), topic=record.text("topic"),
            question_zh=record.text("question_zh"), question_en=record.text("question_en"),
            answer_zh=record.text("answer_zh"), answer_en=record.text("answer_en"),
            phrasings_zh=record.texts("phrasings_zh"), phrasings_en=record.texts("phrasings_en"),
            products=record.texts("products"), categories=record.texts("categories"),
        )
        if faq.topic and faq.topic not in FAQ_TOPICS:
            record.fail(f"topic '{faq.topic}' must be one of {', '.join(FAQ_TOPICS)}")
        for sku in faq.products:
            if sku not in skus:
                record.fail(f"products names unknown sku '{sku}'")
        for category in faq.categories:
            if category not in categories:
                record.fail(f"categories names unknown category '{category}'")
        faqs.append(faq)
        keyed.append((record, faq.id))
    reader.unique(keyed, "id")
    return faqs


def _read_policies(reader: _SeedReader, categories: Set[str]) -> List[Policy]:
    policies, keyed = [], []
    covered: Dict[Tuple[str, str], str] = {}  # (type, category) -> policy id
    defaults: Dict[str, str] = {}
    for record in reader.records("policies.yaml", "id"):
        record.only("id", "type", "default", "title_zh", "title_en", "text_zh", "text_en", "applies_to")
        policy = Policy(
            id=record.ident("id"), type=record.text("type"), default=record.flag("default"),
            title_zh=record.text("title_zh"), title_en=record.text("title_en"),
            text_zh=record.text("text_zh"), text_en=record.text("text_en"),
            applies_to=record.texts("applies_to", required=True),
        )
        if policy.type and policy.type not in POLICY_TYPES:
            record.fail(f"type '{policy.type}' must be one of {', '.join(POLICY_TYPES)}")
        for category in policy.applies_to:
            if category not in categories:
                record.fail(f"applies_to names unknown category '{category}'")
            other = covered.setdefault((policy.type, category), policy.id)
            if other != policy.id:
                record.fail(f"category '{category}' already has a {policy.type} policy ({other})")
        if policy.default:
            other = defaults.setdefault(policy.type, policy.id)
            if other != policy.id:
                record.fail(f"{policy.type} already has a default policy ({other})")
        policies.append(policy)
        keyed.append((record, policy.id))
    reader.unique(keyed, "id")
    if reader.unreadable & {"policies.yaml", "categories.yaml"}:
        return policies
    shown = display_path(reader.seed_dir / "policies.yaml")
    for policy_type in POLICY_TYPES:
        if policy_type not in defaults:
            reader.problems.append(f"{shown}: no {policy_type} policy has default: true")
        for category in sorted(categories):
            if (policy_type, category) not in covered:
                reader.problems.append(f"{shown}: category '{category}' has no {policy_type} policy")
    return policies


def _read_synonyms(reader: _SeedReader) -> List[SynonymGroup]:
    groups, keyed = [], []
    for record in reader.records("synonyms.yaml", "id"):
        record.only("id", "zh", "en")
        group = SynonymGroup(id=record.ident("id"), zh=record.texts("zh"), en=record.texts("en"))
        for term in group.zh:
            # One character matches inside unrelated words (码 in 密码), so it would expand noise.
            if len(term) < 2 or not has_han(term):
                record.fail(f"zh word '{term}' must be Chinese and at least two characters")
        for term in group.en:
            if has_han(term) or not re.search("[A-Za-z]", term):
                record.fail(f"en word '{term}' must be written in Latin letters")
        if len(group.zh) + len(group.en) < 2:
            record.fail("a synonym group needs at least two words")
        groups.append(group)
        keyed.append((record, group.id))
    reader.unique(keyed, "id")
    return groups


def read_catalog(seed_dir: Path = DEFAULT_SEED_DIR) -> Catalog:
    """The whole seed, checked; raises SeedError listing every problem found."""
    reader = _SeedReader(Path(seed_dir))
    categories, category_ids = _read_named(reader, "categories.yaml", Category)
    brands, brand_ids = _read_named(reader, "brands.yaml", Brand)
    products = _read_products(reader, category_ids, brand_ids)
    faqs = _read_faqs(reader, {p.sku for p in products}, category_ids)
    policies = _read_policies(reader, category_ids)
    synonyms = _read_synonyms(reader)
    if reader.problems:
        raise SeedError(reader.problems)
    return Catalog(categories=categories, brands=brands, products=products, faqs=faqs, policies=policies,
                   synonyms=synonyms)
