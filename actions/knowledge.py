"""Product and policy answers from the knowledge graph, in the customer's language.

Every fact comes from the graph. When the product is unknown, the attribute is not recorded, or
no FAQ matches well enough, the answer says so and offers a person: nothing is made up.
A VIP who asks the same kind of question twice in a row is handed to a person after the second
answer (actions/vip_repeat.py).
"""
import asyncio
import logging
import re
from typing import Any, Dict, List, Optional, Text

from neo4j.exceptions import Neo4jError, ServiceUnavailable
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import language_of, say
from actions.vip_repeat import hand_over_vip_repeat
from bot.sentence_vectors import warm_up
from kg import KnowledgeGraph, ProductInfo
from kg.vocabulary import POLICY_TYPES, mentioned_attributes

log = logging.getLogger(__name__)
_graph: Optional[KnowledgeGraph] = None
# The FAQ search turns each question into a sentence vector; the encoder loads as the action
# server imports this module, so the first customer's question does not wait a second for it.
warm_up()
# What the driver raises when Neo4j is down, refuses the query or the connection drops.
GRAPH_UNAVAILABLE = (ServiceUnavailable, Neo4jError, OSError)

# Words that make a product question about fit/compatibility or about a policy.
COMPATIBILITY_WORDS = re.compile(
    r"适配|兼容|适用于|能用|配[什哪]|哪款.*[壳膜]|[壳膜].*哪|fit|compatible|work with|case for|cases for",
    re.IGNORECASE)
POLICY_WORDS = {
    "return": re.compile(r"退货|退款|七天|7天|无理由|return|refund", re.IGNORECASE),
    "exchange": re.compile(r"换货|换码|调换|exchange|swap", re.IGNORECASE),
    "shipping": re.compile(r"运费|包邮|配送|发货|快递|shipping|delivery", re.IGNORECASE),
    "invoice": re.compile(r"发票|invoice|receipt", re.IGNORECASE),
    "payment": re.compile(r"付款|支付|分期|payment|pay with|installment", re.IGNORECASE),
    "membership": re.compile(r"会员|积分|member|points", re.IGNORECASE),
}
assert set(POLICY_WORDS) == set(POLICY_TYPES)
# Accessory kinds (the graph's accessory_type codes) as customers name them.
ACCESSORY_WORDS = {
    "case": re.compile(r"壳|保护套|cases?\b", re.IGNORECASE),
    "screen_protector": re.compile(r"膜|screen protector|glass", re.IGNORECASE),
    "charger": re.compile(r"充电器|充电头|charger", re.IGNORECASE),
    "cable": re.compile(r"数据线|cable", re.IGNORECASE),
    "power_bank": re.compile(r"充电宝|power ?bank", re.IGNORECASE),
    "ear_tips": re.compile(r"耳塞|耳帽|ear ?tips", re.IGNORECASE),
    "liner": re.compile(r"烘焙纸|油纸|liners?", re.IGNORECASE),
}


def knowledge_graph() -> KnowledgeGraph:
    global _graph
    if _graph is None:
        _graph = KnowledgeGraph.from_env()
    return _graph


def product_mentions(tracker: Tracker) -> List[str]:
    """Product values of the latest message (SKUs when a synonym matched, else the words)."""
    return [str(e["value"]).strip() for e in tracker.latest_message.get("entities", [])
            if e.get("entity") == "product" and str(e.get("value") or "").strip()]


async def products_meant(graph: KnowledgeGraph, mentions: List[str]) -> List[ProductInfo]:
    """Products the mentions name exactly. A fuzzy (full-text) match is accepted only for a lone
    mention: in "does the Zorblax Q9 have a glass jar?" the word "glass" must not stand in for
    the unknown product."""
    named = [product for product in await asyncio.gather(*map(graph.named_product, mentions)) if product]
    if not named and len(mentions) == 1:
        fuzzy = await graph.resolve_product(mentions[0])
        named = [fuzzy] if fuzzy else []
    return named


class ActionAnswerProduct(Action):
    def name(self) -> Text:
        return "action_answer_product"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        try:
            events = await self._answer(dispatcher, tracker)
        except GRAPH_UNAVAILABLE as error:
            log.error("knowledge graph unavailable: %s", type(error).__name__)
            say(dispatcher, tracker, "knowledge_down")
            events = []
        return events + await hand_over_vip_repeat(tracker)

    async def _answer(self, dispatcher: CollectingDispatcher,
                      tracker: Tracker) -> List[Dict[Text, Any]]:
        graph, lang = knowledge_graph(), language_of(tracker)
        question = tracker.latest_message.get("text") or ""
        mentions = product_mentions(tracker)
        if not mentions and tracker.get_slot("product"):
            mentions = [tracker.get_slot("product")]  # "does it have ANC?" about the last product
        if not mentions:
            say(dispatcher, tracker, "product_which")
            return []
        # NLU may tag a word like "cases" beside the real product ("which cases fit the P30?"):
        # the first mention the graph knows is the product.
        resolved = await products_meant(graph, mentions)
        if not resolved:
            say(dispatcher, tracker, "product_unknown", product=max(mentions, key=len).strip()[:60])
            return [SlotSet("product", None)]
        product, others = resolved[0], resolved[1:]
        name = product.name(lang)
        events = [SlotSet("product", product.sku)]

        if COMPATIBILITY_WORDS.search(question):
            await self._compatibility(dispatcher, tracker, graph, product, others, question)
            return events
        policy_type = next((kind for kind, words in POLICY_WORDS.items() if words.search(question)), None)
        attributes = mentioned_attributes(question)
        if attributes:
            answer = product.attribute(attributes[0].key, lang)  # read with the product
            key = "product_attribute" if answer.known else "product_attribute_unknown"
            say(dispatcher, tracker, key, product=name, attribute=answer.label, value=answer.text)
        elif policy_type:
            policy = await graph.policy_for_product(product.sku, policy_type, lang)
            if policy is None:
                say(dispatcher, tracker, "product_attribute_unknown", product=name, attribute=policy_type)
            else:
                say(dispatcher, tracker, "product_policy", product=name, title=policy.title, text=policy.text)
        else:
            say(dispatcher, tracker, "product_overview", product=name, price=f"{product.price:g}")
        return events

    async def _compatibility(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             graph: KnowledgeGraph, product: ProductInfo, others: List[ProductInfo],
                             question: str) -> None:
        lang = language_of(tracker)
        other = next((o for o in others if o.sku != product.sku), None)
        if other is not None:
            fits = await graph.fit_together(product.sku, other.sku)
            say(dispatcher, tracker, "compatible_yes" if fits else "compatible_no",
                first=product.name(lang), second=other.name(lang))
            return
        kind = next((code for code, words in ACCESSORY_WORDS.items() if words.search(question)), None)
        # The product is a device ("which cases fit the P30?") or an accessory ("what does it fit?").
        fitting = (await graph.accessories_for(product.sku, kind)
                   or await graph.compatible_products(product.sku))
        if fitting:
            say(dispatcher, tracker, "compatible_list", product=product.name(lang),
                items="、".join(p.name(lang) for p in fitting) if lang == "zh"
                else ", ".join(p.name(lang) for p in fitting))
        else:
            say(dispatcher, tracker, "compatible_none", product=product.name(lang))


class ActionNoteReturnPolicy(Action):
    """Runs before the return form. When the customer names a product whose category has its own
    return rules (opened formula, used cosmetics), those rules come first: nobody should fill in a
    return that the rules refuse, and "can Milkway formula be returned?" read as a return request
    still gets its answer."""

    def name(self) -> Text:
        return "action_note_return_policy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        mentions = product_mentions(tracker)
        if not mentions:
            return []
        lang = language_of(tracker)
        try:
            graph = knowledge_graph()
            products = await products_meant(graph, mentions)
            policy = await graph.policy_for_product(products[0].sku, "return", lang) if products else None
        except GRAPH_UNAVAILABLE as error:
            # The note is a courtesy: the return itself goes on through the order API.
            log.error("knowledge graph unavailable for the return note: %s", type(error).__name__)
            return []
        if policy is None or policy.is_default:
            return []
        say(dispatcher, tracker, "product_policy", product=products[0].name(lang),
            title=policy.title, text=policy.text)
        return [SlotSet("product", products[0].sku)]


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        question = tracker.latest_message.get("text") or ""
        try:
            hit = await knowledge_graph().best_faq(question, language_of(tracker))
        except GRAPH_UNAVAILABLE as error:
            log.error("knowledge graph unavailable: %s", type(error).__name__)
            say(dispatcher, tracker, "knowledge_down")
        else:
            if hit is None:
                say(dispatcher, tracker, "faq_not_found")
            else:
                dispatcher.utter_message(text=hit.answer)
        return await hand_over_vip_repeat(tracker)
