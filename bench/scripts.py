"""The scripted conversations the simulated customers have, in Chinese and English.

Every conversation is the five turn types of the issue, in a customer's order: a greeting, an order's
status (our bot asks the order API), a product question (the knowledge graph), a shop policy question
(the graph's FAQ search) and a request for a person (the handoff service). Each turn picks one of a few
wordings, so the load is not one message repeated. Order ids are real ones from the order API's demo data.
"""
import random
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

from orders.seed import build_dataset

TURN_TYPES = ("greet", "order_status", "product_question", "faq", "request_human")

WORDINGS: Dict[str, Dict[str, Tuple[str, ...]]] = {
    "zh": {
        "greet": ("你好", "您好，在吗", "hi 你好呀", "在吗？"),
        "order_status": ("我的订单{order}到哪了", "帮我查下{order}的物流", "{order}这个单子发货了吗",
                         "订单{order}怎么还没到"),
        "product_question": ("X200有降噪吗", "P30能用哪些手机壳", "Bassline Pro音箱防水吗",
                             "65W充电头能给P30用吗"),
        "faq": ("运费怎么算", "支持哪些付款方式", "可以开发票吗", "会员有什么好处"),
        "request_human": ("转人工", "我要找人工客服", "帮我转接真人客服"),
    },
    "en": {
        "greet": ("hi", "hello there", "hey, anyone there?", "good morning"),
        "order_status": ("where is my order {order}?", "can you track {order} for me",
                         "has {order} shipped yet", "my order {order} hasn't arrived"),
        "product_question": ("does the X200 have noise cancelling?", "which cases fit the P30?",
                             "is the Bassline Pro speaker waterproof?", "does the 65W charger work with the P30?"),
        "faq": ("how much is shipping?", "which payment methods do you accept?", "can I get an invoice?",
                "what do members get?"),
        "request_human": ("I want to talk to a human", "can I speak to a real person please",
                          "get me an agent"),
    },
}


@dataclass(frozen=True)
class Turn:
    kind: str  # one of TURN_TYPES
    language: str  # zh or en: the language the answer must be in
    text: str


def demo_order_ids() -> List[str]:
    """Orders the order API knows (its deterministic demo data), in states that have a status to tell."""
    return [order["id"] for order in build_dataset().orders
            if order["status"] in ("paid", "shipped", "in_transit", "delivered")]


def conversation(language: str, order_ids: Sequence[str], rng: random.Random) -> List[Turn]:
    wordings = WORDINGS[language]
    order = rng.choice(order_ids)
    return [Turn(kind, language, rng.choice(wordings[kind]).format(order=order)) for kind in TURN_TYPES]
