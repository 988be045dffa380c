"""The shop's products, kept in memory and looked up by SKU or exact name here.

A product question names its product by SKU (Rasa's synonyms map names to SKUs) or by a name or
alias, and the catalog is small (tens of products) and changes only when the graph is loaded
again. So it is read once and kept for a while (kg/snapshot.py), like the lexicon: each lookup
would otherwise be a round trip to Neo4j, which under load costs the action several
milliseconds. Full-text lookups, relations and policies are still asked of the graph.
"""
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

from kg.results import ProductInfo


@dataclass(frozen=True)
class Catalog:
    by_sku: Mapping[str, ProductInfo]
    # Normalised name, alias or SKU (kg.text.normalize_key) -> the products it names, by SKU.
    by_key: Mapping[str, Tuple[ProductInfo, ...]]

    @classmethod
    def of(cls, products_and_keys: Iterable[Tuple[ProductInfo, Iterable[str]]]) -> "Catalog":
        by_sku: Dict[str, ProductInfo] = {}
        by_key: Dict[str, List[ProductInfo]] = {}
        for product, keys in sorted(products_and_keys, key=lambda pair: pair[0].sku):
            by_sku[product.sku] = product
            for key in set(keys):
                by_key.setdefault(key, []).append(product)
        return cls(by_sku=by_sku, by_key={key: tuple(products) for key, products in by_key.items()})

    def with_key(self, key: str) -> Tuple[ProductInfo, ...]:
        """The products a normalised name names, by SKU."""
        return self.by_key.get(key, ())

    def named(self, mention: str, key: str) -> Optional[ProductInfo]:
        """The product whose SKU is `mention`, else the one product `key` (the mention
        normalised) names; None when none or several do."""
        if mention in self.by_sku:
            return self.by_sku[mention]
        found = self.with_key(key)
        return found[0] if len(found) == 1 else None
