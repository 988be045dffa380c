"""What the query layer returns: small immutable records, texts already in the asked language."""
from dataclasses import dataclass
from typing import Any, Optional, Tuple


@dataclass(frozen=True)
class ProductInfo:
    sku: str
    name_zh: str
    name_en: str
    price: float
    category: Optional[str]
    brand: Optional[str]
    aliases: Tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class ProductMatch:
    product: ProductInfo
    exact: bool                   # matched a name, alias or SKU exactly (case-insensitive)
    score: Optional[float] = None  # full-text score when not exact


@dataclass(frozen=True)
class AttributeAnswer:
    sku: str
    attribute: Optional[str]  # vocabulary key, None when the mention is not an attribute we know
    label: str                # attribute label in the asked language (or the mention itself)
    value: Any                # stored value; None means unknown
    text: str                 # value as a phrase in the asked language, or "未知"/"unknown"

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class FaqHit:
    id: str
    topic: str
    question: str
    answer: str
    lang: str
    score: Optional[float] = None  # None for FAQs listed by relation, not found by search


@dataclass(frozen=True)
class PolicyInfo:
    id: str
    type: str
    title: str
    text: str
    lang: str
    is_default: bool
    categories: Tuple[str, ...]
