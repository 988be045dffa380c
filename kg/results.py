"""What the query layer returns: small immutable records, texts already in the asked language."""
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Tuple

from kg.vocabulary import find_attribute, format_value

_UNKNOWN = {"zh": "未知", "en": "unknown"}


@dataclass(frozen=True)
class ProductInfo:
    sku: str
    name_zh: str
    name_en: str
    price: float
    category: Optional[str]
    brand: Optional[str]
    aliases: Tuple[str, ...] = ()
    # The attributes the graph records for it (vocabulary key -> stored value), read with the
    # product so that a question about one needs no second query. Not part of equality.
    attributes: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def attribute(self, attribute: str, lang: str = "zh") -> "AttributeAnswer":
        """What the product records for an attribute (a vocabulary key or a customer's word for
        one, "降噪"/"ANC"); value None / text "unknown" when it records nothing or the word is
        no attribute we know."""
        lang = "en" if lang == "en" else "zh"
        spec = find_attribute(attribute)
        value = self.attributes.get(spec.key) if spec else None
        if spec is None or value is None:
            label = spec.label.get(lang) if spec else attribute
            return AttributeAnswer(self.sku, spec.key if spec else None, label, None, _UNKNOWN[lang])
        return AttributeAnswer(self.sku, spec.key, spec.label.get(lang), value, format_value(spec, value, lang))


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
