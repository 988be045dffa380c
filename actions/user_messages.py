"""The customer's messages among a tracker's events (`user` events), for actions that look back."""
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker


def user_events(tracker: Tracker) -> List[Dict[str, Any]]:
    return [event for event in tracker.events if event.get("event") == "user"]


def latest_user_event(tracker: Tracker) -> Dict[str, Any]:
    """The customer's latest message ({} before the first one)."""
    return next((e for e in reversed(tracker.events) if e.get("event") == "user"), {})


def intent_of(event: Dict[str, Any]) -> Optional[str]:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")
