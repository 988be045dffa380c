"""Each kind of question the actions ask, against the real graph."""
import numpy as np
import pytest
from neo4j import AsyncGraphDatabase

from bot.sentence_vectors import encode
from kg import queries
from kg.catalog import Catalog
from kg.config import Neo4jSettings
from kg.loader import catalog_names
from kg.schema import FAQ_VECTOR_INDEX
from kg.text import without_names
from kg.validation import read_catalog
from tests.kg.conftest import SEED_DIR

pytestmark = pytest.mark.services


@pytest.mark.parametrize("text, sku", [
    ("AU-X200", "AU-X200"), ("au-x200", "AU-X200"), ("X200", "AU-X200"), ("x200", "AU-X200"),
    ("Sonique X200 earbuds", "AU-X200"), ("p30手机壳", "AC-P30-CASE"), ("P30 手机壳", "AC-P30-CASE"),
    ("空气炸锅", "KA-AIRFRYER-5L"), ("ＡＩＲ　ＦＲＹＥＲ", "KA-AIRFRYER-5L"), ("Nova P30手机", "PH-P30"),
])
async def test_exact_lookup_by_sku_name_or_alias(kg, text, sku):
    matches = await kg.find_products(text)
    assert [(m.product.sku, m.exact) for m in matches] == [(sku, True)]
    assert (await kg.resolve_product(text)).sku == sku


@pytest.mark.parametrize("mention, sku", [
    ("AU-X200", "AU-X200"), ("au-x200", "AU-X200"), ("X200", "AU-X200"), ("ＡＩＲ　ＦＲＹＥＲ", "KA-AIRFRYER-5L"),
    ("p30手机壳", "AC-P30-CASE"), ("耳机", None), ("X200耳机有降噪吗", None), ("iPhone 15", None), ("", None),
])
async def test_a_product_named_exactly_and_nothing_else(kg, mention, sku):
    product = await kg.named_product(mention)
    assert (product.sku if product else None) == sku
    if product:
        assert product == (await kg.find_products(mention))[0].product


async def test_full_text_lookup_when_nothing_matches_exactly(kg):
    matches = await kg.find_products("X200耳机有降噪吗")
    assert matches[0].product.sku == "AU-X200" and not matches[0].exact and matches[0].score > 0
    assert (await kg.resolve_product("air fryer paper")).sku == "KA-AIRFRYER-LINER"


async def test_ambiguous_or_unknown_names_resolve_to_nothing(kg):
    assert {m.product.sku for m in await kg.find_products("耳机")} >= {"AU-X100", "AU-H900"}
    assert await kg.resolve_product("耳机") is None          # three earphones score alike
    assert await kg.resolve_product("iPhone 15") is None
    assert await kg.find_products("   ") == []


async def test_product_details(kg):
    product = await kg.product("AU-X200")
    assert (product.category, product.brand, product.price) == ("audio", "Sonique", 899.0)
    assert product.name("zh") == "Sonique X200降噪耳机" and product.name("en") == "Sonique X200 earbuds"
    assert await kg.product("NO-SUCH") is None


@pytest.mark.parametrize("sku, attribute, lang, value, text", [
    ("AU-X200", "noise_cancelling", "en", True, "yes"),
    ("AU-X200", "降噪", "zh", True, "有"),
    ("AU-X100", "ANC", "en", False, "no"),
    ("AU-SPK-PRO", "waterproof", "zh", "ip67", "IP67 防尘防水"),
    ("MB-STROLLER-LITE", "suitable_age", "en", [0, 36], "0–36 months"),
    ("AC-CHG-65W", "功率", "zh", 65, "65W"),
    ("KA-KETTLE", "capacity_l", "zh", 1.7, "1.7升"),
    ("AP-TEE-BASIC", "material", "en", "cotton", "cotton"),
])
async def test_attribute_answers_from_the_graph(kg, sku, attribute, lang, value, text):
    answer = await kg.attribute(sku, attribute, lang)
    assert (answer.value, answer.text, answer.known) == (value, text, True)


async def test_attribute_is_unknown_rather_than_invented(kg):
    not_recorded = await kg.attribute("MB-STROLLER-LITE", "noise_cancelling", "zh")
    assert (not_recorded.known, not_recorded.text, not_recorded.label) == (False, "未知", "主动降噪")
    not_an_attribute = await kg.attribute("AU-X200", "colour", "en")
    assert (not_an_attribute.attribute, not_an_attribute.text) == (None, "unknown")
    # Property names that are not attributes are not leaked as answers.
    assert (await kg.attribute("AU-X200", "lookup_keys", "en")).known is False
    assert await kg.attribute("NO-SUCH", "noise_cancelling") is None


async def test_a_looked_up_product_carries_its_attributes(kg):
    """The product answers attribute questions itself, as the graph would (no second query)."""
    product = await kg.named_product("X200")
    for mention, lang in [("降噪", "zh"), ("ANC", "en"), ("waterproof", "en"), ("colour", "en")]:
        assert product.attribute(mention, lang) == await kg.attribute("AU-X200", mention, lang)
    assert product.attributes["noise_cancelling"] is True
    # Only vocabulary attributes, and only those recorded.
    assert not {"sku", "lookup_keys", "price"} & product.attributes.keys()
    assert None not in product.attributes.values()
    assert product == await kg.product("AU-X200")


async def test_compatibility_in_both_directions(kg):
    cases = await kg.accessories_for("PH-P30", "cases")
    assert [p.sku for p in cases] == ["AC-P30-CASE"]
    assert [p.sku for p in await kg.accessories_for("PH-P30", "手机壳")] == ["AC-P30-CASE"]
    assert {p.sku for p in await kg.accessories_for("PH-P30")} == {
        "AC-P30-CASE", "AC-P30-GLASS", "AC-CHG-65W", "AC-PB-10K", "AC-USBC-1M"}
    assert await kg.accessories_for("PH-P30", "umbrella") == []
    assert {p.sku for p in await kg.compatible_products("AC-CHG-65W")} == {"PH-P30", "PH-P40", "PH-M12", "AC-PB-10K"}
    assert await kg.is_compatible("AC-P30-CASE", "PH-P30")
    assert not await kg.is_compatible("AC-P30-CASE", "PH-P40")
    assert await kg.fit_together("AC-P30-CASE", "PH-P30") and await kg.fit_together("PH-P30", "AC-P30-CASE")
    assert not await kg.fit_together("PH-P40", "AC-P30-CASE")


async def test_related_products_either_direction(kg):
    related = {p.sku for p in await kg.related_products("AU-X200")}
    assert related == {"AU-X100", "AU-X200-TIPS", "AU-H900"}
    # AC-USBC-1M lists nothing itself; AC-PB-10K points at it.
    assert "AC-PB-10K" in {p.sku for p in await kg.related_products("AC-USBC-1M")}


@pytest.mark.parametrize("text, lang, faq_id, answer_lang", [
    ("运费多少钱", None, "ship-cost", "zh"),
    ("how much is delivery", None, "ship-cost", "en"),
    ("奶粉开封了能退吗", "zh", "ret-formula", "zh"),
    ("X200怎么开降噪", "en", "au-anc", "en"),            # Chinese text, English conversation
    ("Which payment methods do you accept?", "zh", "pay-methods", "zh"),
])
async def test_faq_search_is_language_aware(kg, text, lang, faq_id, answer_lang):
    best = await kg.best_faq(text, lang)
    assert (best.id, best.lang) == (faq_id, answer_lang)
    faq_text = best.answer + best.question
    assert any("\u4e00" <= ch <= "\u9fff" for ch in faq_text) == (answer_lang == "zh")


@pytest.mark.parametrize("text, lang, expected", [
    ("邮费怎么算", "zh", {"运费", "快递费", "包邮"}),
    ("Where is my PARCEL?", "en", {"tracking", "track"}),
    ("can I get a receipt", "en", {"invoice", "bill"}),
])
async def test_synonyms_of_the_customers_words(kg, text, lang, expected):
    words = await kg.synonyms_of(text, lang)
    assert expected <= set(words)
    assert not [w for w in words if w.lower() in text.lower()]   # only words the text lacks


@pytest.mark.parametrize("text, lang", [("please escalate this", "en"), ("密码忘了", "zh"), ("", "en")])
async def test_no_synonyms_for_words_inside_other_words_or_no_words(kg, text, lang):
    assert await kg.synonyms_of(text, lang) == []


async def test_a_word_no_faq_uses_finds_its_faq_through_a_synonym(kg):
    # "calcium" is in the limescale group and in no FAQ text, so only the synonyms can find the FAQ.
    catalog = read_catalog(SEED_DIR)
    assert not any("calcium" in " ".join([f.question_en, f.answer_en, *f.phrasings_en]).lower()
                   for f in catalog.faqs), "pick a word the FAQs do not use"
    best = await kg.best_faq("calcium build-up inside")
    assert best is not None and best.id == "ka-kettle-scale"


@pytest.mark.parametrize("text", ["今天天气怎么样", "tell me a joke", "你好", "thanks bye", "", "？？？"])
async def test_faq_search_below_threshold_is_not_found(kg, text):
    assert await kg.search_faq(text) == []
    assert await kg.best_faq(text) is None


async def test_faqs_attached_to_a_product_then_its_category(kg):
    faqs = [f.id for f in await kg.faqs_for_product("MB-FORMULA-1", "en")]
    assert set(faqs[:2]) == {"mb-formula-prepare", "ret-formula"}       # its own first
    assert "ret-formula" in faqs and faqs.count("ret-formula") == 1      # no duplicates via category
    assert await kg.faqs_for_product("NO-SUCH") == []


async def test_policy_through_the_category(kg):
    formula = await kg.policy_for_product("MB-FORMULA-1", "return", "zh")
    assert formula.id == "return-baby" and "奶粉" in formula.text and formula.categories == ("baby",)
    assert (await kg.policy_for_product("BE-SERUM-VC", "return", "en")).id == "return-beauty"
    assert (await kg.policy_for_product("AU-X200", "return", "en")).id == "return-standard"
    assert (await kg.policy_for_product("AP-HOODIE", "exchange", "en")).id == "exchange-apparel"
    assert (await kg.policy_for_product("KA-KETTLE", "shipping", "en")).id == "shipping-standard"
    assert await kg.policy_for_product("NO-SUCH", "return") is None


async def test_general_policy_questions_get_the_default_first(kg):
    returns = await kg.policies("return", "en")
    assert returns[0].id == "return-standard" and returns[0].is_default
    assert {p.id for p in returns} == {"return-standard", "return-baby", "return-beauty"}
    with pytest.raises(ValueError):
        await kg.policies("refund")


async def test_every_faq_phrasing_carries_the_vector_of_its_text_without_names(driver):
    records, _, _ = await driver.execute_query(
        "MATCH (f:FAQ)-[:PHRASED_AS]->(p:FaqPhrasing) RETURN f.id AS faq, p.text AS text, p.embedding AS vector "
        "ORDER BY p.id")
    catalog = read_catalog(SEED_DIR)
    assert len(records) == sum(2 + len(f.phrasings_zh) + len(f.phrasings_en) for f in catalog.faqs)
    sample = records[::50]
    expected = encode([without_names(r["text"], catalog_names(catalog)) for r in sample])
    assert np.allclose([r["vector"] for r in sample], expected, atol=1e-5)


async def test_a_faq_asked_exactly_as_one_of_its_phrasings_is_a_perfect_semantic_match(driver, kg):
    faq = read_catalog(SEED_DIR).faqs[0]
    phrasing = faq.phrasings_en[0]
    records, _, _ = await driver.execute_query(
        "CALL db.index.vector.queryNodes($index, 1, $vector) YIELD node, score "
        "MATCH (f:FAQ)-[:PHRASED_AS]->(node) RETURN f.id AS faq, score",
        index=FAQ_VECTOR_INDEX.name, vector=encode([phrasing])[0].tolist())
    assert records[0]["faq"] == faq.id and records[0]["score"] == pytest.approx(1.0, abs=1e-3)
    best = await kg.best_faq(phrasing)
    assert best.id == faq.id and best.score >= 1.0 - 1e-3


async def test_a_question_that_is_only_a_name_is_searched_by_its_words(kg):
    """Blanking the names leaves no meaning to compare (a zero vector, which Neo4j's vector index
    refused with an error): the full-text half still searches, and nothing scores enough."""
    assert (await kg.faq_vectors()).closest(encode([without_names("X200", ["X200"])])[0], 40) == []
    assert await kg.search_faq("X200") == [] and await kg.best_faq("Sonique", "zh") is None


async def test_a_query_survives_the_server_closing_the_pooled_connection(kg):
    async def return_policy_id():  # a query every time: products come from the kept catalog
        return (await kg.policy_for_product("AU-X200", "return", "en")).id

    assert await return_policy_id() == "return-standard"  # leaves a connection in the pool
    settings = Neo4jSettings.from_env()
    # The admin's own connection is told apart by its user agent, so it does not close itself.
    async with AsyncGraphDatabase.driver(settings.uri, auth=(settings.user, settings.password),
                                         user_agent="kg-test-admin") as admin:
        records, _, _ = await admin.execute_query(
            "CALL dbms.listConnections() YIELD connectionId, connector, userAgent "
            "WHERE connector = 'bolt' AND userAgent <> 'kg-test-admin' "
            "CALL dbms.killConnection(connectionId) YIELD message RETURN message")
    assert records, "no pooled connection was found to close"
    assert await return_policy_id() == "return-standard"


async def test_names_and_synonyms_are_kept_and_read_again_once_old(kg, driver, monkeypatch):
    question = "does the Qwxzvplk Q9 fit?"
    assert await kg.names_in(question) == []
    await driver.execute_query("CREATE (:Brand {name_zh: '测试品牌', name_en: 'Qwxzvplk', test_only: true})")
    try:
        assert await kg.names_in(question) == []            # the lexicon read before is used
        monkeypatch.setattr(queries, "SNAPSHOT_MAX_AGE_SECONDS", 0.0)
        assert await kg.names_in(question) == []            # too old: read again, meanwhile kept
        await kg.snapshots_refreshed()
        assert await kg.names_in(question) == ["Qwxzvplk"]
    finally:
        await driver.execute_query("MATCH (b:Brand {test_only: true}) DETACH DELETE b")


async def test_products_are_kept_and_read_again_once_old(kg, driver, monkeypatch):
    assert (await kg.product("AU-X200")).price == 899.0
    assert await kg.named_product("Qwxzvplk Q9") is None
    records, _, _ = await driver.execute_query(
        "MATCH (p:Product {sku: 'AU-X200'}) WITH p, p {.price, .lookup_keys} AS before "
        "SET p.price = 1.5, p.lookup_keys = before.lookup_keys + 'qwxzvplkq9' RETURN before")
    try:
        assert (await kg.product("AU-X200")).price == 899.0      # the catalog read before is used
        assert await kg.named_product("Qwxzvplk Q9") is None
        monkeypatch.setattr(queries, "SNAPSHOT_MAX_AGE_SECONDS", 0.0)
        assert (await kg.product("AU-X200")).price == 899.0      # too old: read again, meanwhile kept
        await kg.snapshots_refreshed()
        assert (await kg.product("AU-X200")).price == 1.5
        assert (await kg.named_product("Qwxzvplk Q9")).sku == "AU-X200"
        assert [m.product.sku for m in await kg.find_products("qwxzvplk  q9")] == ["AU-X200"]
    finally:
        await driver.execute_query("MATCH (p:Product {sku: 'AU-X200'}) SET p += $before",
                                   before=records[0]["before"])


async def test_a_name_two_products_share_names_neither(kg):
    """The key shared is added to a copy of the catalog, not the graph: no seed product shares one."""
    catalog = await kg.catalog()
    shared = Catalog.of([(p, ("sharedname",)) for p in (catalog.by_sku["AU-X200"], catalog.by_sku["AU-X100"])])
    assert [p.sku for p in shared.with_key("sharedname")] == ["AU-X100", "AU-X200"]
    assert shared.named("shared name", "sharedname") is None
    assert shared.named("AU-X100", "au-x100").sku == "AU-X100"      # a SKU still names its product


async def test_product_names_in_a_question_do_not_decide_its_faq(kg):
    assert set(await kg.names_in("When will my COOKWISE rice cooker ship?")) == {"Cookwise", "rice cooker"}
    assert (await kg.best_faq("When will my Cookwise rice cooker ship?")).id == "ship-time"
    assert await kg.names_in("when will it ship") == []
