"""rasa_sdk trackers built from event dicts shaped like the ones Rasa sends the action server."""
from itertools import count
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

_clock = count(1_700_000_000)


def user(text: str, intent: str, confidence: float = 0.9, message_id: Optional[str] = None,
         ranking: Optional[List[Dict[str, Any]]] = None, channel: str = "rest",
         metadata: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    intent_info = {"name": intent, "confidence": confidence}
    return {"event": "user", "timestamp": float(next(_clock)), "text": text,
            "message_id": message_id or f"msg-{text}", "input_channel": channel,
            "metadata": metadata or {},
            "parse_data": {"text": text, "intent": intent_info, "entities": [],
                           "intent_ranking": ranking if ranking is not None else [intent_info]}}


def bot(text: Optional[str], utter_action: Optional[str] = None) -> Dict[str, Any]:
    metadata = {"utter_action": utter_action} if utter_action else {}
    return {"event": "bot", "timestamp": float(next(_clock)), "text": text, "data": {},
            "metadata": metadata}


def action(name: str) -> Dict[str, Any]:
    return {"event": "action", "timestamp": float(next(_clock)), "name": name, "policy": None,
            "confidence": 1.0}


def followup(name: str) -> Dict[str, Any]:
    return {"event": "followup", "timestamp": float(next(_clock)), "name": name}


def slot(name: str, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "timestamp": float(next(_clock)), "name": name, "value": value}


def tracker(events: List[Dict[str, Any]], slots: Optional[Dict[str, Any]] = None,
            sender_id: str = "conv-1", paused: bool = False) -> Tracker:
    latest = next((e["parse_data"] for e in reversed(events) if e["event"] == "user"), {})
    latest_action = next((e["name"] for e in reversed(events) if e["event"] == "action"), None)
    return Tracker(sender_id, dict(slots or {}), latest, events, paused, None, {}, latest_action)
