"""Speaking to the customer and steering their conversation, always through Rasa's HTTP API.

Agent replies and notices are bot events appended with `output_channel=latest` and
`execute_side_effects=true`: Rasa sends them out on the customer's own channel and the tracker keeps
the whole transcript. Pause, resume and the agent's slots are tracker events too.
"""
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import aiohttp
import yaml

log = logging.getLogger(__name__)
TEXTS_FILE = Path(__file__).with_name("customer_texts.yml")
RATING_SCALE = ("1", "2", "3", "4", "5")


class RasaUnavailable(Exception):
    pass


@lru_cache(maxsize=1)
def _texts() -> Dict[str, Dict[str, str]]:
    return yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))


def customer_text(key: str, language: str, **values: Any) -> str:
    variants = _texts()[key]
    return variants.get(language, variants["en"]).format(**values)


class RasaClient:
    def __init__(self, http: aiohttp.ClientSession, rasa_url: str, token: str):
        self.http = http
        self.rasa_url = rasa_url
        self.token = token

    async def _post_events(self, conversation_id: str, events: List[Dict[str, Any]],
                           send: bool) -> None:
        params = {"token": self.token, "include_events": "NONE"}
        if send:
            params.update(output_channel="latest", execute_side_effects="true")
        url = f"{self.rasa_url}/conversations/{conversation_id}/tracker/events"
        try:
            async with self.http.post(url, params=params, json=events,
                                      timeout=aiohttp.ClientTimeout(total=15)) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered {response.status}: {await response.text()}")
        except (aiohttp.ClientError, TimeoutError) as error:
            raise RasaUnavailable(f"Rasa at {self.rasa_url} unreachable: {error}") from error

    async def say(self, conversation_id: str, text: str, sender: Optional[Dict[str, Any]] = None,
                  buttons: Optional[List[Dict[str, str]]] = None) -> None:
        """A message on the customer's channel; `sender` (e.g. the agent) goes into the metadata."""
        event: Dict[str, Any] = {"event": "bot", "text": text,
                                 "metadata": {"handoff": sender or {"actor": "system"}}}
        if buttons:
            event["data"] = {"buttons": buttons}
        await self._post_events(conversation_id, [event], send=True)

    async def pause(self, conversation_id: str) -> None:
        await self._post_events(conversation_id, [{"event": "pause"}], send=False)

    async def resume(self, conversation_id: str, slots: Dict[str, Any]) -> None:
        events = [{"event": "slot", "name": name, "value": value} for name, value in slots.items()]
        await self._post_events(conversation_id, events + [{"event": "resume"}], send=False)

    async def answer_as_bot(self, conversation_id: str, parse_data: Dict[str, Any]) -> None:
        """The bot answers a message the customer sent while the conversation was with people."""
        intent = (parse_data.get("intent") or {}).get("name")
        if not intent:
            return
        entities = {entity["entity"]: entity.get("value") for entity in parse_data.get("entities") or []
                    if isinstance(entity, dict) and "entity" in entity}
        url = f"{self.rasa_url}/conversations/{conversation_id}/trigger_intent"
        params = {"token": self.token, "output_channel": "latest", "include_events": "NONE"}
        try:
            async with self.http.post(url, params=params, json={"name": intent, "entities": entities},
                                      timeout=aiohttp.ClientTimeout(total=30)) as response:
                if response.status != 200:
                    log.warning("trigger_intent %s for %s: %s", intent, conversation_id, response.status)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise RasaUnavailable(str(error)) from error


def read_rating(text: str) -> Optional[int]:
    """1-5 from "5", "4分", "★★★", "5 stars"; None when the message is not a rating."""
    stripped = (text or "").strip().lower()
    stars = stripped.count("★")
    if stars and stars == len(stripped):
        return min(stars, 5)
    for suffix in ("分", "星", " stars", " star", "stars", "star", "/5"):
        stripped = stripped.removesuffix(suffix).strip()
    digits = stripped.translate(str.maketrans("１２３４５", "12345"))
    return int(digits) if digits in RATING_SCALE else None
