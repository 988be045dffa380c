"""Bilingual texts of the custom actions, from actions/messages.yml, in the customer's language.

They live here rather than as domain responses because `rasa data validate --fail-on-warnings`
flags every response that no story names, and action texts never appear in stories.
"""
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
CATALOG_FILE = Path(__file__).with_name("messages.yml")


class _KeepMissing(dict):
    """Leaves an unknown {placeholder} visible instead of failing the whole reply."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@lru_cache(maxsize=1)
def catalog() -> Dict[str, Dict[str, Any]]:
    entries = yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))
    for key, variants in entries.items():
        missing = [lang for lang in LANGUAGES if lang not in variants]
        if missing:
            raise ValueError(f"{CATALOG_FILE.name}: message {key!r} has no {missing} text")
    return entries


def language_of(tracker: Tracker) -> str:
    language = tracker.get_slot("language")
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def render(key: str, language: str, /, **values: Any) -> Dict[str, Any]:
    """The message `key` in `language` as {"text", "buttons"?}, with {placeholders} filled.
    Positional-only, so slot values (which include `language`) can be passed as placeholders."""
    variant = catalog()[key][language]
    if isinstance(variant, str):
        variant = {"text": variant}
    filled = _KeepMissing({name: value for name, value in values.items() if value is not None})
    message: Dict[str, Any] = {"text": variant["text"].format_map(filled)}
    if variant.get("buttons"):
        message["buttons"] = [
            {"title": button["title"].format_map(filled), "payload": button["payload"]}
            for button in variant["buttons"]
        ]
    return message


def say(dispatcher: CollectingDispatcher, tracker: Tracker, key: str, /, **values: Any) -> None:
    message = render(key, language_of(tracker), **values)
    dispatcher.utter_message(text=message["text"], buttons=message.get("buttons"))


def text(tracker: Tracker, key: str, /, **values: Any) -> str:
    return render(key, language_of(tracker), **values)["text"]

