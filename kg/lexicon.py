"""The graph's names and synonym groups, kept in memory and matched against a question here.

Every FAQ search needs the product and brand names a question contains (blanked before the
sentence vector is made) and the synonyms of its words (added to the full-text query). Both are
small (a few hundred strings) and change only when the graph is loaded again, so they are read
once and matched in Python, not asked of Neo4j for every question: a round trip through the
driver costs about a millisecond of the action server's CPU.
"""
import unicodedata
from dataclasses import dataclass
from typing import Dict, List, Tuple

from kg.text import synonym_key

# Every product's and brand's names (SKUs, names, aliases), and every synonym group with its words
# and the keys they are matched by (kg.text.synonym_key), per language.
LEXICON_QUERY = (
    "RETURN COLLECT { "
    "  CALL () { MATCH (p:Product) RETURN [p.sku, p.name_zh, p.name_en] + p.aliases AS names "
    "            UNION ALL MATCH (b:Brand) RETURN [b.name_zh, b.name_en] AS names } "
    "  UNWIND names AS name WITH DISTINCT name WHERE name IS NOT NULL RETURN name } AS names, "
    "COLLECT { MATCH (s:SynonymGroup) RETURN s {.zh, .en, .match_zh, .match_en} } AS synonym_groups"
)


@dataclass(frozen=True)
class Lexicon:
    names: Tuple[str, ...]
    # Each group: {"zh": words, "match_zh": their keys, "en": ..., "match_en": ...}, index-aligned.
    synonym_groups: Tuple[Dict[str, List[str]], ...]

    def names_in(self, text: str) -> List[str]:
        """The names `text` contains, ignoring case."""
        folded = unicodedata.normalize("NFKC", text).lower()
        return [name for name in self.names if name.lower() in folded]

    def synonyms_of(self, text: str, lang: str) -> List[str]:
        """Words of the synonym groups that `text` names (in `lang`), other than those it already
        contains, sorted."""
        key = synonym_key(text, lang)
        found = set()
        for group in self.synonym_groups:
            words, keys = group.get(lang) or [], group.get(f"match_{lang}") or []
            if any(k in key for k in keys):
                found.update(word for word, k in zip(words, keys) if k not in key)
        return sorted(found)
