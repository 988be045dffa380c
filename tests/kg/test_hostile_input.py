"""Text that looks like Cypher or Lucene syntax is searched for as words, never executed."""
import pytest

from kg.text import lucene_terms

pytestmark = pytest.mark.services

HOSTILE = [
    '"}) MATCH (n) DETACH DELETE n //',
    "'}) MATCH (n) DETACH DELETE n //",
    "AND OR *",
    "NOT",
    "*:*",
    "question_en:* OR answer_zh:*",
    "x200) OR (name_en:*",
    'a" OR "b',
    "[* TO *]",
    "{! }~^2 \\",
    "\\",
    "'; CALL db.clearQueryCaches(); //",
    "\u0000\u202e",
    "退货" * 600,  # longer than Lucene's clause limit would allow in bigrams
    # a word of every synonym group: the expansion adds hundreds of words to the search
    "运费邮费发货物流快递公司海外签收付款分期货到付款扣款降价发票抬头会员积分抵扣过期生日退货" * 4,
    "postage dispatch tracking courier abroad lost payment instalment cod declined cheaper receipt " * 4,
]


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_text_is_harmless_everywhere(kg, counts, seeded, text):
    assert isinstance(await kg.find_products(text), list)
    await kg.resolve_product(text)
    for lang in (None, "zh", "en"):
        hits = await kg.search_faq(text, lang)
        # "*:*" or "[* TO *]" would list every FAQ if they reached Lucene as syntax.
        assert len(hits) <= 3 and all(hit.score >= 0 for hit in hits)
    await kg.attribute("AU-X200", text)
    await kg.accessories_for(text, text)
    await kg.compatible_products(text)
    await kg.is_compatible(text, text)
    await kg.related_products(text)
    await kg.faqs_for_product(text)
    await kg.policy_for_product(text, "return")
    assert await counts() == seeded


@pytest.mark.parametrize("text", ["*:*", "[* TO *]", "AND OR *", '"}) MATCH (n) DETACH DELETE n //'])
async def test_syntax_alone_finds_nothing(kg, text):
    assert await kg.find_products(text) == []
    assert await kg.search_faq(text) == []


def test_escaping_leaves_no_live_syntax():
    escaped = lucene_terms('a" OR (b:c) AND *d~ [e TO f] {g} ^h !i /j/ \\k +l -m &&n ||o ?p')
    live = escaped.replace("\\\\", "")
    for special in '"():*~[]{}^!/+-&|?':
        assert all(live[i - 1] == "\\" for i, ch in enumerate(live) if ch == special), special
    assert " OR " not in escaped and " AND " not in escaped and " TO " not in escaped
