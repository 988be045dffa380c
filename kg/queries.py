"""The async query layer the actions call: one small class around an AsyncDriver.

Every query is parametrised; the only text spliced into Cypher is module constants. Text that
reaches a Lucene full-text index goes through kg.text.lucene_terms first, so input such as
`"}) MATCH (n) DETACH DELETE n //` or `AND OR *` is searched for as plain words.
"""
import asyncio
from typing import Any, Dict, List, Mapping, Optional

from neo4j import AsyncDriver
from neo4j.exceptions import DriverError, Neo4jError

from bot.sentence_vectors import encode
from kg.catalog import Catalog
from kg.config import Neo4jSettings, create_driver, faq_min_scores
from kg.faq_vectors import FAQ_VECTORS_QUERY, FaqVectors
from kg.lexicon import LEXICON_QUERY, Lexicon
from kg.results import AttributeAnswer, FaqHit, PolicyInfo, ProductInfo, ProductMatch
from kg.schema import FAQ_INDEXES, PRODUCT_NAME_INDEX
from kg.snapshot import Snapshot
from kg.text import MAX_QUERY_CHARS, has_han, lucene_terms, normalize_key, strip_question_fillers, without_names
from kg.vocabulary import ATTRIBUTES, POLICY_TYPES, find_enum_value

# The vocabulary's attributes of a product bound to `p`, as a map (those not recorded are null).
_ATTRIBUTES = "p {" + ", ".join(f".{key}" for key in ATTRIBUTES) + "}"
# Projection of a product bound to `p` (pattern comprehensions avoid multiplying rows).
_PRODUCT = (
    "p {.sku, .name_zh, .name_en, .price, .aliases, "
    "category: head([(p)-[:IN_CATEGORY]->(c:Category) | c.id]), "
    "brand: head([(p)-[:MADE_BY]->(b:Brand) | b.name_en]), "
    "attributes: " + _ATTRIBUTES + "}"
)
# Matches in the question or its phrasings weigh double: they say what an FAQ is about, while
# answers mention many things in passing.
_FAQ_FIELD_BOOSTS = (("question", 2), ("phrasings", 2), ("answer", 1))
# Synonyms of the customer's words count less than the words themselves: "postage for a return"
# must still prefer the return FAQ over the shipping-fee one that "postage" expands towards.
# Chosen on tests/kg/faq_heldout.yaml and faq_validation.yaml (0.2-0.3 best, 1.0 clearly worse).
_SYNONYM_WEIGHT = 0.3
# FAQ search ranks by meaning first: cosine similarity of sentence vectors (bot.sentence_vectors).
# A full-text match adds _LEXICAL_WEIGHT per _LEXICAL_SCALE of Lucene score (the scale is the
# score of a typical right answer's weakest match, per index), so shared rare words such as a
# product name or "专票" break ties without outvoting meaning. Chosen on the three tuning sets
# (tests/kg/faq_*.yaml, 304 questions): 0.05-0.1 get 285-286 right, meaning alone 263, 0.15 283.
_LEXICAL_WEIGHT = 0.05
_LEXICAL_SCALE = {"zh": 7.1, "en": 9.7}
# Closest phrasings taken per search (about 20 per FAQ), and full-text candidates.
_SEMANTIC_CANDIDATES = 40
_LEXICAL_CANDIDATES = 10
# The full-text search and the ranking. $semantic holds the FAQs of the closest phrasings, each
# with the cosine of its closest (kg/faq_vectors.py, searched in memory); an FAQ only the
# full-text index found scores 0 there. Its full-text score adds a bonus. An empty $query skips
# the full-text search.
_FAQ_SEARCH = (
    "CALL () { "
    "  UNWIND $semantic AS hit MATCH (f:FAQ {id: hit.id}) "
    "  RETURN f, hit.score AS semantic, 0.0 AS lexical "
    "  UNION ALL "
    "  WITH $query AS query WHERE query <> '' "
    "  CALL db.index.fulltext.queryNodes($text_index, query, {limit: $lexical_candidates}) YIELD node, score "
    "  RETURN node AS f, null AS semantic, score AS lexical } "
    "WITH f, coalesce(max(semantic), 0.0) + $weight * sum(lexical) / $scale AS score "
    "WHERE score >= $threshold "
    "RETURN f.id AS id, f.topic AS topic, f[$q] AS question, f[$a] AS answer, score "
    "ORDER BY score DESC, id LIMIT $limit"
)
# Every product, with the normalised names it is looked up by (kg/catalog.py).
_CATALOG = f"MATCH (p:Product) RETURN {_PRODUCT} AS product, p.lookup_keys AS keys"
# How old the kept catalog, lexicon and FAQ vectors may get before they are read again (in the
# background, kg/snapshot.py): a graph loaded meanwhile is seen within about this time.
SNAPSHOT_MAX_AGE_SECONDS = 60.0
# Full-text product matches below this score are noise (a shared bigram such as "机有").
PRODUCT_MIN_SCORE = 0.5
# The best full-text match must beat the runner-up by this factor to be taken as "the" product.
PRODUCT_LEAD = 1.2


def _product(row: Mapping[str, Any]) -> ProductInfo:
    return ProductInfo(
        sku=row["sku"], name_zh=row["name_zh"], name_en=row["name_en"], price=row["price"],
        category=row["category"], brand=row["brand"], aliases=tuple(row["aliases"] or ()),
        attributes={key: value for key, value in row["attributes"].items() if value is not None},
    )


def _lang(lang: Optional[str]) -> str:
    return "en" if lang == "en" else "zh"


def _lexical_query(text: str, synonyms: List[str], lang: str) -> str:
    """The Lucene query for the FAQ full-text index: the question's words (fillers left out) and,
    weighing less, their synonyms, in every field; empty when no word is left."""
    terms = lucene_terms(strip_question_fillers(text))
    if not terms:
        return ""
    synonym_terms = lucene_terms(" ".join(synonyms))
    if synonym_terms:
        terms = f"{terms} ({synonym_terms})^{_SYNONYM_WEIGHT}"
    return " ".join(f"{field}_{lang}:({terms})^{boost}" for field, boost in _FAQ_FIELD_BOOSTS)


class KnowledgeGraph:
    """Answers product, FAQ and policy questions from Neo4j. Languages are "zh" or "en"."""

    def __init__(
        self,
        driver: AsyncDriver,
        database: Optional[str] = None,
        faq_min_score: Optional[Mapping[str, float]] = None,
        owns_driver: bool = False,
    ):
        self._driver = driver
        self._database = database
        self._faq_min_score = dict(faq_min_score or faq_min_scores())
        self._owns_driver = owns_driver
        self._lexicon = Snapshot("lexicon", self._read_lexicon)
        self._catalog = Snapshot("catalog", self._read_catalog)
        self._faq_vectors = Snapshot("FAQ vectors", self._read_faq_vectors)

    @classmethod
    def from_env(cls) -> "KnowledgeGraph":
        settings = Neo4jSettings.from_env()
        return cls(create_driver(settings), settings.database, owns_driver=True)

    async def close(self) -> None:
        if self._owns_driver:
            await self._driver.close()

    async def __aenter__(self) -> "KnowledgeGraph":
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()

    async def _read(self, cypher: str, /, **params: Any) -> List[Dict[str, Any]]:
        """The rows of a read query, as dicts."""
        return await self._read_rows(cypher, params, as_values=False)

    async def _read_rows(self, cypher: str, params: Dict[str, Any], as_values: bool) -> List[Any]:
        """Runs a read query in an auto-commit transaction: one round trip, where the driver's
        execute_query spends a second one on COMMIT (about 0.5 ms of every query here). Reads are
        idempotent, so a failure the driver calls retryable (such as a pooled connection the
        server has closed) is retried once, on a fresh connection."""
        try:
            return await self._run_read(cypher, params, as_values)
        except (DriverError, Neo4jError) as error:
            if not error.is_retryable():
                raise
            return await self._run_read(cypher, params, as_values)

    async def _run_read(self, cypher: str, params: Dict[str, Any], as_values: bool) -> List[Any]:
        async with self._driver.session(database=self._database, default_access_mode="READ") as session:
            result = await session.run(cypher, params)
            # values() gives each row as a list; data() also copies every value, which for the
            # FAQ vectors (1,500 lists of 512 numbers) took seconds instead of a fifth of one.
            return await (result.values() if as_values else result.data())

    async def _products(self, cypher: str, /, **params: Any) -> List[ProductInfo]:
        return [_product(row["product"]) for row in await self._read(cypher, **params)]

    # ---- products -----------------------------------------------------------------------

    async def catalog(self) -> Catalog:
        """Every product; read again in the background when older than SNAPSHOT_MAX_AGE_SECONDS."""
        return await self._catalog.get(SNAPSHOT_MAX_AGE_SECONDS)

    async def _read_catalog(self) -> Catalog:
        return Catalog.of((_product(row["product"]), row["keys"] or ()) for row in await self._read(_CATALOG))

    async def product(self, sku: str) -> Optional[ProductInfo]:
        return (await self.catalog()).by_sku.get(sku)

    async def named_product(self, mention: str) -> Optional[ProductInfo]:
        """The product whose SKU is `mention`, else the one product whose SKU, name or alias is
        `mention` ignoring case; None when none or several are. From the kept catalog."""
        return (await self.catalog()).named(mention, normalize_key(mention))

    async def find_products(self, text: str, limit: int = 5) -> List[ProductMatch]:
        """Products named by `text`: exact SKU/name/alias matches (case-insensitive) if any,
        else full-text matches on names and aliases, best first."""
        key = normalize_key(text)
        if not key:
            return []
        exact = (await self.catalog()).with_key(key)
        if exact:
            return [ProductMatch(product, exact=True) for product in exact]
        terms = lucene_terms(text)
        if not terms:
            return []
        rows = await self._read(
            "CALL db.index.fulltext.queryNodes($index, $query, {limit: $limit}) YIELD node AS p, score "
            f"WHERE score >= $min_score RETURN {_PRODUCT} AS product, score ORDER BY score DESC, p.sku",
            index=PRODUCT_NAME_INDEX.name, query=terms, limit=limit, min_score=PRODUCT_MIN_SCORE,
        )
        return [ProductMatch(_product(row["product"]), exact=False, score=row["score"]) for row in rows]

    async def resolve_product(self, text: str) -> Optional[ProductInfo]:
        """The one product `text` names, or None when there is none or it is ambiguous
        (then `find_products` gives the candidates to ask about)."""
        matches = await self.find_products(text, limit=2)
        if len(matches) == 1:
            return matches[0].product
        if len(matches) == 2 and not matches[0].exact and matches[0].score >= PRODUCT_LEAD * matches[1].score:
            return matches[0].product
        return None

    async def attribute(self, sku: str, attribute: str, lang: str = "zh") -> Optional[AttributeAnswer]:
        """The stored value of an attribute ("noise_cancelling", or a mention like "降噪"/"ANC");
        value None / text "unknown" when the graph does not say. None if the product does not exist.
        For a product already looked up, `ProductInfo.attribute` answers without a query."""
        product = await self.product(sku)
        return product.attribute(attribute, lang) if product else None

    async def accessories_for(self, sku: str, accessory_type: Optional[str] = None) -> List[ProductInfo]:
        """Accessories that fit product `sku` ("which cases fit the P30?"). `accessory_type` is a
        code or a word for one ("case", "cases", "手机壳"); an unknown word matches nothing."""
        code = None
        if accessory_type:
            code = find_enum_value(ATTRIBUTES["accessory_type"], accessory_type)
            if code is None:
                return []
        return await self._products(
            "MATCH (p:Product)-[:COMPATIBLE_WITH]->(:Product {sku: $sku}) "
            f"WHERE $type IS NULL OR p.accessory_type = $type RETURN {_PRODUCT} AS product ORDER BY p.sku",
            sku=sku, type=code,
        )

    async def compatible_products(self, accessory_sku: str) -> List[ProductInfo]:
        """Products an accessory fits ("what does the 65W charger work with?")."""
        return await self._products(
            "MATCH (:Product {sku: $sku})-[:COMPATIBLE_WITH]->(p:Product) "
            f"RETURN {_PRODUCT} AS product ORDER BY p.sku",
            sku=accessory_sku,
        )

    async def fit_together(self, first_sku: str, second_sku: str) -> bool:
        """Whether either product is compatible with the other (the question rarely says which
        one is the accessory)."""
        rows = await self._read(
            "RETURN EXISTS { (:Product {sku: $a})-[:COMPATIBLE_WITH]-(:Product {sku: $b}) } AS fits",
            a=first_sku, b=second_sku,
        )
        return rows[0]["fits"]

    async def is_compatible(self, accessory_sku: str, product_sku: str) -> bool:
        rows = await self._read(
            "RETURN EXISTS { (:Product {sku: $a})-[:COMPATIBLE_WITH]->(:Product {sku: $p}) } AS fits",
            a=accessory_sku, p=product_sku,
        )
        return rows[0]["fits"]

    async def related_products(self, sku: str, limit: int = 5) -> List[ProductInfo]:
        """Products linked by RELATED_TO in either direction."""
        return await self._products(
            "MATCH (:Product {sku: $sku})-[:RELATED_TO]-(p:Product) "
            f"WITH DISTINCT p RETURN {_PRODUCT} AS product ORDER BY p.sku LIMIT $limit",
            sku=sku, limit=limit,
        )

    # ---- FAQs ---------------------------------------------------------------------------

    async def search_faq(self, text: str, lang: Optional[str] = None, limit: int = 3) -> List[FaqHit]:
        """FAQs matching `text`, best first; empty means "not found" (all below the score threshold).

        The score is the question's cosine similarity to the closest way the FAQ is asked (its
        question or a phrasing, in either language), plus a small bonus for full-text matches
        (see _LEXICAL_WEIGHT). The full-text index follows the script of the text (Han characters
        -> the Chinese index), and so does the threshold; the answer comes in `lang` (default:
        the text's language), so a Chinese question still finds answers in an English conversation.

        One round trip (the names and synonyms the question contains come from the kept lexicon):
        both searches and the ranking in one query, which returns the answer texts of the winners only."""
        if not text.strip():
            return []
        search_lang = "zh" if has_han(text) else "en"
        answer_lang = _lang(lang) if lang else search_lang
        lexicon = await self.lexicon()
        names, synonyms = lexicon.names_in(text), lexicon.synonyms_of(text, search_lang)
        # Names are blanked as in the stored phrasings: a name says which product, not what about it.
        vector = encode([without_names(text[:MAX_QUERY_CHARS], names)])[0]
        semantic = (await self.faq_vectors()).closest(vector, _SEMANTIC_CANDIDATES)
        rows = await self._read(
            _FAQ_SEARCH,
            semantic=semantic,
            text_index=FAQ_INDEXES[search_lang].name, query=_lexical_query(text, synonyms, search_lang),
            lexical_candidates=_LEXICAL_CANDIDATES, weight=_LEXICAL_WEIGHT, scale=_LEXICAL_SCALE[search_lang],
            threshold=self._faq_min_score[search_lang], limit=limit,
            q=f"question_{answer_lang}", a=f"answer_{answer_lang}",
        )
        return [FaqHit(lang=answer_lang, **row) for row in rows]

    async def lexicon(self) -> Lexicon:
        """The graph's names and synonym groups; read again in the background when older than
        SNAPSHOT_MAX_AGE_SECONDS."""
        return await self._lexicon.get(SNAPSHOT_MAX_AGE_SECONDS)

    async def _read_lexicon(self) -> Lexicon:
        row = (await self._read(LEXICON_QUERY))[0]
        return Lexicon(names=tuple(row["names"]), synonym_groups=tuple(row["synonym_groups"]))

    async def faq_vectors(self) -> FaqVectors:
        """Every FAQ phrasing's sentence vector; read again in the background when older than
        SNAPSHOT_MAX_AGE_SECONDS."""
        return await self._faq_vectors.get(SNAPSHOT_MAX_AGE_SECONDS)

    async def _read_faq_vectors(self) -> FaqVectors:
        rows = await self._read_rows(FAQ_VECTORS_QUERY, {}, as_values=True)
        # Making the matrix from 1,500 lists takes 15-35 ms: on a thread, the event loop gets the
        # interpreter back every few milliseconds instead of waiting for all of it.
        return await asyncio.to_thread(FaqVectors.of, rows)

    async def snapshots_refreshed(self) -> None:
        """Returns once the reads of the kept catalog, lexicon and FAQ vectors under way have ended."""
        for snapshot in (self._catalog, self._lexicon, self._faq_vectors):
            await snapshot.refreshed()

    async def names_in(self, text: str) -> List[str]:
        """The product and brand names (SKUs, names, aliases) that `text` contains, ignoring case."""
        return (await self.lexicon()).names_in(text)

    async def synonyms_of(self, text: str, lang: str) -> List[str]:
        """Words of the synonym groups that `text` names, other than those it already contains."""
        return (await self.lexicon()).synonyms_of(text, lang)

    async def best_faq(self, text: str, lang: Optional[str] = None) -> Optional[FaqHit]:
        hits = await self.search_faq(text, lang, limit=1)
        return hits[0] if hits else None

    async def faqs_for_product(self, sku: str, lang: str = "zh") -> List[FaqHit]:
        """FAQs attached to the product, then those of its category."""
        lang = _lang(lang)
        rows = await self._read(
            "MATCH (p:Product {sku: $sku}) "
            "WITH [(p)-[:HAS_FAQ]->(f:FAQ) | f] AS own, "
            "     [(p)-[:IN_CATEGORY]->(:Category)-[:HAS_FAQ]->(f:FAQ) | f] AS shared "
            "UNWIND own + [f IN shared WHERE NOT f IN own] AS f "
            "RETURN f.id AS id, f.topic AS topic, f[$q] AS question, f[$a] AS answer",
            sku=sku, q=f"question_{lang}", a=f"answer_{lang}",
        )
        return [FaqHit(lang=lang, **row) for row in rows]

    # ---- policies -----------------------------------------------------------------------

    async def _policies(self, match: str, policy_type: str, lang: str, **params: Any) -> List[PolicyInfo]:
        if policy_type not in POLICY_TYPES:
            raise ValueError(f"policy_type must be one of {', '.join(POLICY_TYPES)}, not {policy_type!r}")
        lang = _lang(lang)
        rows = await self._read(
            f"{match} "
            "RETURN pol.id AS id, pol.type AS type, pol[$title] AS title, pol[$text] AS text, "
            "pol.is_default AS is_default, [(pol)-[:APPLIES_TO]->(c:Category) | c.id] AS categories "
            "ORDER BY pol.is_default DESC, pol.id",
            type=policy_type, title=f"title_{lang}", text=f"text_{lang}", **params,
        )
        return [PolicyInfo(lang=lang, **{**row, "categories": tuple(sorted(row["categories"]))}) for row in rows]

    async def policy_for_product(self, sku: str, policy_type: str, lang: str = "zh") -> Optional[PolicyInfo]:
        """The policy of `policy_type` that covers the product, through its category."""
        found = await self._policies(
            "MATCH (:Product {sku: $sku})-[:IN_CATEGORY]->(:Category)<-[:APPLIES_TO]-(pol:Policy {type: $type})",
            policy_type, lang, sku=sku,
        )
        return found[0] if found else None

    async def policies(self, policy_type: str, lang: str = "zh") -> List[PolicyInfo]:
        """All variants of a policy type, the default one first (for questions without a product)."""
        return await self._policies("MATCH (pol:Policy {type: $type})", policy_type, lang)
