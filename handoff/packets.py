"""The context packet the action server posts: checked field by field, then turned into routing fields."""
from typing import Any, Dict, List, Tuple

LANGUAGES = ("zh", "en")
TIERS = ("regular", "vip")
# Which agents' skill a conversation needs, from the intent it was about.
SKILL_OF_TOPIC = {
    "order_status": "orders", "change_address": "orders", "cancel_order": "orders",
    "return_request": "returns",
    "product_question": "product", "faq": "product",
    "complain": "complaint",
}
SKILLS = ("orders", "returns", "product", "complaint", "general")
MAX_TURNS = 50


class BadPacket(ValueError):
    """The packet is unusable; the message names the field."""


def _require(packet: Dict[str, Any], name: str, kind: type) -> Any:
    value = packet.get(name)
    if not isinstance(value, kind):
        raise BadPacket(f"'{name}' must be a {kind.__name__}")
    return value


def priority_of(tier: str, reason: str, topic: str) -> str:
    if tier == "vip":
        return "vip"
    if reason == "complaint" or topic == "complain":
        return "complaint"
    return "normal"


def read_packet(packet: Any) -> Tuple[Dict[str, Any], List[str]]:
    """The handoff's routing fields and the Rasa message ids already in the packet's last turns."""
    if not isinstance(packet, dict):
        raise BadPacket("the body must be a JSON object")
    conversation_id = _require(packet, "conversation_id", str).strip()
    if not conversation_id or len(conversation_id) > 200:
        raise BadPacket("'conversation_id' must be 1-200 characters")
    language = packet.get("language")
    if language not in LANGUAGES:
        raise BadPacket(f"'language' must be one of {LANGUAGES}")
    customer = packet.get("customer") or {}
    if not isinstance(customer, dict):
        raise BadPacket("'customer' must be an object")
    tier = customer.get("tier") or "regular"
    if tier not in TIERS:
        raise BadPacket(f"'customer.tier' must be one of {TIERS}")
    topic = packet.get("topic") or "general"
    reason = packet.get("reason") or "request_human"
    if not isinstance(topic, str) or not isinstance(reason, str):
        raise BadPacket("'topic' and 'reason' must be strings")
    turns = packet.get("last_turns") or []
    if not isinstance(turns, list) or len(turns) > MAX_TURNS:
        raise BadPacket(f"'last_turns' must be a list of at most {MAX_TURNS} turns")
    for name in ("slots",):
        if not isinstance(packet.get(name) or {}, dict):
            raise BadPacket(f"'{name}' must be an object")
    for name in ("intent_ranking", "facts"):
        if not isinstance(packet.get(name) or [], list):
            raise BadPacket(f"'{name}' must be a list")
    fields = {
        "conversation_id": conversation_id,
        "channel": str(packet.get("channel") or "unknown"),
        "language": language,
        "tier": tier,
        "customer_id": str(customer.get("id") or ""),
        "topic": topic,
        "reason": reason,
        "skill": SKILL_OF_TOPIC.get(topic, "general"),
        "priority": priority_of(tier, reason, topic),
    }
    message_ids = [str(turn["message_id"]) for turn in turns
                   if isinstance(turn, dict) and turn.get("message_id")]
    return fields, message_ids
