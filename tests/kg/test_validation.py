"""The seed validator, on the real seed and on broken copies (no database needed)."""
import shutil
from pathlib import Path

import pytest
import yaml

from kg.validation import SeedError, read_catalog
from orders.catalog import SEED_PRODUCTS
from tests.kg.conftest import SEED_DIR


@pytest.fixture
def seed_copy(tmp_path) -> Path:
    target = tmp_path / "seed"
    shutil.copytree(SEED_DIR, target)
    return target


def edit_record(seed_dir: Path, file_name: str, index: int, **changes) -> None:
    """Changes fields of record `index` (0-based); a value of None removes the field."""
    path = seed_dir / file_name
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            records[index].pop(key, None)
        else:
            records[index][key] = value
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(seed_dir: Path) -> list:
    with pytest.raises(SeedError) as failure:
        read_catalog(seed_dir)
    return failure.value.problems


def test_real_seed_is_valid_and_complete():
    catalog = read_catalog(SEED_DIR)
    assert len(catalog.products) == 43
    assert len(catalog.categories) == 6
    assert len(catalog.faqs) >= 60
    assert {p.type for p in catalog.policies} == {"return", "exchange", "shipping", "payment", "invoice",
                                                   "membership"}
    for product in catalog.products:
        assert product.name_zh and product.name_en and product.aliases


def test_seed_sells_exactly_what_the_order_api_sells_at_the_same_prices():
    catalog = read_catalog(SEED_DIR)
    assert {p.sku: round(p.price * 100) for p in catalog.products} == SEED_PRODUCTS


def test_stricter_return_rules_for_formula_and_beauty():
    policies = {p.id: p for p in read_catalog(SEED_DIR).policies}
    assert "baby" in policies["return-baby"].applies_to and "奶粉" in policies["return-baby"].text_zh
    assert "beauty" in policies["return-beauty"].applies_to
    assert "beauty" not in policies["return-standard"].applies_to


def test_bad_price_names_file_record_and_sku(seed_copy):
    records = yaml.safe_load((seed_copy / "products.yaml").read_text(encoding="utf-8"))
    index = next(i for i, r in enumerate(records) if r["sku"] == "AU-X200")
    edit_record(seed_copy, "products.yaml", index, price=-5)
    found = problems(seed_copy)
    assert found == [f"{seed_copy / 'products.yaml'}: record {index + 1} (sku AU-X200): "
                     "price must be a positive number"]


@pytest.mark.parametrize("file_name, index, changes, expected", [
    ("products.yaml", 0, {"attributes": {"noise_cancelling": "yes"}},
     "record 1 (sku PH-P30): attribute noise_cancelling must be true or false"),
    ("products.yaml", 0, {"attributes": {"colour": "red"}}, "record 1 (sku PH-P30): unknown attribute 'colour'"),
    ("products.yaml", 1, {"aliases": ["P30"]}, "record 2 (sku PH-P40): name or alias 'P30' is already used by PH-P30"),
    ("products.yaml", 0, {"category": "toys"}, "record 1 (sku PH-P30): category 'toys' is not in categories.yaml"),
    ("products.yaml", 0, {"related": ["PH-NOPE"]}, "record 1 (sku PH-P30): related names unknown sku 'PH-NOPE'"),
    ("products.yaml", 0, {"name_en": None}, "record 1 (sku PH-P30): name_en must be a non-empty text"),
    ("products.yaml", 0, {"colour": "red"}, "record 1 (sku PH-P30): unknown field 'colour'"),
    ("products.yaml", 1, {"sku": "PH-P30"}, "record 2 (sku PH-P30): sku 'PH-P30' is used by an earlier record"),
    ("faqs.yaml", 0, {"answer_en": ""}, "record 1 (id ship-cost): answer_en must be a non-empty text"),
    ("faqs.yaml", 0, {"topic": "weather"}, "record 1 (id ship-cost): topic 'weather' must be one of"),
    ("policies.yaml", 1, {"applies_to": ["baby", "phones"]},
     "record 2 (id return-baby): category 'phones' already has a return policy (return-standard)"),
    ("synonyms.yaml", 0, {"zh": ["码", "运费"]},
     "record 1 (id shipping-fee): zh word '码' must be Chinese and at least two characters"),
    ("synonyms.yaml", 0, {"en": ["邮费"]}, "record 1 (id shipping-fee): en word '邮费' must be written in Latin"),
    ("synonyms.yaml", 0, {"zh": [], "en": ["postage"]},
     "record 1 (id shipping-fee): a synonym group needs at least two words"),
    ("synonyms.yaml", 1, {"id": "shipping-fee"},
     "record 2 (id shipping-fee): id 'shipping-fee' is used by an earlier record"),
])
def test_each_bad_record_is_named(seed_copy, file_name, index, changes, expected):
    edit_record(seed_copy, file_name, index, **changes)
    assert any(problem.startswith(f"{seed_copy / file_name}: ") and expected in problem
               for problem in problems(seed_copy)), problems(seed_copy)


def test_category_without_a_policy_is_reported(seed_copy):
    edit_record(seed_copy, "policies.yaml", 2, applies_to=["apparel"])  # return-beauty loses beauty
    found = problems(seed_copy)
    assert f"{seed_copy / 'policies.yaml'}: category 'beauty' has no return policy" in found


def test_broken_yaml_and_missing_file_are_reported(seed_copy):
    (seed_copy / "brands.yaml").write_text("- {id: nova, name_zh: [\n", encoding="utf-8")
    (seed_copy / "faqs.yaml").unlink()
    found = problems(seed_copy)
    assert any(p.startswith(f"{seed_copy / 'brands.yaml'}: not valid YAML") for p in found)
    assert f"{seed_copy / 'faqs.yaml'}: file is missing" in found
