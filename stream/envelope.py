"""The envelope: one message of a conversation (customer, bot, agent or system), as the stream's
consumers see it, built from one of Rasa's tracker events; and the consumers' side of it, dropping
envelopes they have seen (SeenIds, dedupe).

    {"v": 1, "event_id": "…32 hex…", "conversation": "…24 hex…", "channel": "rest",
     "direction": "in", "actor": "customer", "language": "zh", "text": "我的手机号是138****5678",
     "intent": "inform", "confidence": 0.93, "timestamp": 1718000000.123}

Nothing in it identifies the customer: the sender id becomes a keyed pseudonym, the text is masked.
"""
import hashlib
import hmac
import json
from collections import OrderedDict
from typing import Any, Dict, Iterable, Iterator, Optional

from stream.masking import mask_text

VERSION = 1
LANGUAGES = ("zh", "en")
LANGUAGE_ENTITY = "language"        # set by bot.components.LanguageDetector
LANGUAGE_EXTRACTOR = "LanguageDetector"
ACTORS_IN_METADATA = ("agent", "system")  # metadata.handoff.actor of messages the handoff service sends


def _hmac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def pseudonym(key: bytes, sender_id: str) -> str:
    """The conversation's stable pseudonym: the same sender id always gives the same one, and without
    the key it cannot be traced back (nor guessed from a list of likely ids)."""
    return _hmac(key, sender_id)[:24]


def event_id(key: bytes, event: Dict[str, Any], source: str) -> str:
    """The envelope's id, the same every time the same Rasa event is processed.

    It is derived from the event's content (conversation, type, Rasa's timestamp, message id, text)
    rather than from its Kafka offset: a record read again after a restart gets the same id either
    way, but Rasa's own producer is not idempotent, so a send it retried can be in the topic twice at
    two offsets, and only the content says they are one event. Rasa stamps each event with
    time.time(), so two events of one conversation with the same type, time and text do not occur.
    The hash is keyed: a plain hash of the text would let anyone who knows a sender id and the
    envelope's timestamp recover the masked digits by trying the 10,000 possibilities.
    `source` (topic:partition:offset) is only used for an event without a timestamp.
    """
    fields = [event.get("sender_id"), event.get("event"), event.get("timestamp"),
              event.get("message_id"), event.get("text")]
    if event.get("timestamp") is None:
        fields.append(source)
    return _hmac(key, json.dumps(fields, ensure_ascii=False, separators=(",", ":")))[:32]


def actor(event: Dict[str, Any]) -> str:
    if event.get("event") == "user":
        return "customer"
    metadata = event.get("metadata")
    handoff = metadata.get("handoff") if isinstance(metadata, dict) else None
    named = handoff.get("actor") if isinstance(handoff, dict) else None
    return named if named in ACTORS_IN_METADATA else "bot"


def detected_language(parse_data: Any) -> Optional[str]:
    """The language LanguageDetector found in a customer message, None when it found none."""
    entities = parse_data.get("entities") if isinstance(parse_data, dict) else None
    for entity in entities or []:
        if (isinstance(entity, dict) and entity.get("entity") == LANGUAGE_ENTITY
                and entity.get("extractor", LANGUAGE_EXTRACTOR) == LANGUAGE_EXTRACTOR
                and entity.get("value") in LANGUAGES):
            return entity["value"]
    return None


def _intent(parse_data: Any):
    intent = parse_data.get("intent") if isinstance(parse_data, dict) else None
    if not isinstance(intent, dict):
        return None, None
    name = intent.get("name") if isinstance(intent.get("name"), str) else None
    confidence = intent.get("confidence")
    valid = isinstance(confidence, (int, float)) and not isinstance(confidence, bool)
    return name, float(confidence) if valid else None


class Conversations:
    """The last channel and language of recently active conversations, by pseudonym (so no sender id
    is held), for the bot's messages, which carry neither. Bounded: the least recently active are
    forgotten first. After a restart it starts empty, so a bot message read before the customer's
    next one has channel and language null."""

    def __init__(self, capacity: int = 10_000):
        self.capacity = capacity
        self._known: "OrderedDict[str, Dict[str, Optional[str]]]" = OrderedDict()

    def get(self, conversation: str) -> Dict[str, Optional[str]]:
        known = self._known.pop(conversation, None) or {"channel": None, "language": None}
        self._known[conversation] = known  # most recently active last
        while len(self._known) > self.capacity:
            self._known.popitem(last=False)
        return known

    def __len__(self) -> int:
        return len(self._known)


class EnvelopeBuilder:
    def __init__(self, key: bytes, conversations: int = 10_000):
        self.key = key
        self.conversations = Conversations(conversations)

    def build(self, event: Any, source: str = "") -> Optional[Dict[str, Any]]:
        """The envelope of a Rasa `user` or `bot` event with text; None for every other event."""
        if not isinstance(event, dict) or event.get("event") not in ("user", "bot"):
            return None
        text, sender_id = event.get("text"), event.get("sender_id")
        if not isinstance(text, str) or not text or not isinstance(sender_id, str) or not sender_id:
            return None
        conversation = pseudonym(self.key, sender_id)
        known = self.conversations.get(conversation)
        intent = confidence = None
        if event["event"] == "user":
            parse_data = event.get("parse_data")
            intent, confidence = _intent(parse_data)
            channel = event.get("input_channel")
            known["channel"] = channel if isinstance(channel, str) and channel else known["channel"]
            known["language"] = detected_language(parse_data) or known["language"]
        return {
            "v": VERSION,
            "event_id": event_id(self.key, event, source),
            "conversation": conversation,
            "channel": known["channel"],
            "direction": "in" if event["event"] == "user" else "out",
            "actor": actor(event),
            "language": known["language"],
            "text": mask_text(text),
            "intent": intent,
            "confidence": confidence,
            "timestamp": event.get("timestamp"),
        }


class SeenIds:
    """For consumers of the stream, which is at least once: the event ids already handled, so an
    envelope delivered again (after the processor restarted) is recognised. Duplicates arrive close
    to the original (within the batch that was not yet committed), so the newest `capacity` ids are
    enough; a consumer that stores envelopes should also make event_id a unique key there."""

    def __init__(self, capacity: int = 100_000):
        self.capacity = capacity
        self._ids: "OrderedDict[str, None]" = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        """True the first time an id is seen (handle the envelope), False after (skip it)."""
        if event_id in self._ids:
            self._ids.move_to_end(event_id)
            return False
        self._ids[event_id] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True

    def __contains__(self, event_id: str) -> bool:
        return event_id in self._ids


def dedupe(envelopes: Iterable[Dict[str, Any]], seen: Optional[SeenIds] = None) -> Iterator[Dict[str, Any]]:
    """Each envelope once, the first time its event id comes, in the order they come."""
    seen = SeenIds() if seen is None else seen
    return (envelope for envelope in envelopes if seen.first_time(envelope["event_id"]))
