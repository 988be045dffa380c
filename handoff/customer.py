"""Speaking to the customer and steering their conversation, always through Rasa's HTTP API.

Agent replies and notices are bot events appended with `output_channel=latest` and
`execute_side_effects=true`: Rasa sends them out on the customer's own channel and the tracker keeps
the whole transcript. Pause, resume and the agent's slots are tracker events too.
"""
import asyncio
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

    async def _post(self, path: str, params: Dict[str, str], body: Any, timeout: float) -> int:
        """POSTs to Rasa's HTTP API; the status, or RasaUnavailable when Rasa cannot be reached."""
        url = f"{self.rasa_url}/{path}"
        params = {"token": self.token, "include_events": "NONE", **params}
        try:
            async with self.http.post(url, params=params, json=body,
                                      timeout=aiohttp.ClientTimeout(total=timeout)) as response:
                if response.status != 200:
                    log.warning("Rasa answered %s to %s: %s", response.status, path, await response.text())
                return response.status
        # On Python 3.10 aiohttp's timeout is asyncio.TimeoutError, not the builtin TimeoutError.
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise RasaUnavailable(f"Rasa at {self.rasa_url} unreachable: {error!r}") from error

    async def _post_events(self, conversation_id: str, events: List[Dict[str, Any]],
                           send: bool) -> None:
        params = {"output_channel": "latest", "execute_side_effects": "true"} if send else {}
        status = await self._post(f"conversations/{conversation_id}/tracker/events", params, events, timeout=15)
        if status != 200:
            raise RasaUnavailable(f"Rasa answered {status}")

    async def say(self, conversation_id: str, text: str, sender: Optional[Dict[str, Any]] = None,
                  buttons: Optional[List[Dict[str, str]]] = None) -> None:
        """A message on the customer's channel; `sender` (e.g. the agent) goes into the metadata."""
        event: Dict[str, Any] = {"event": "bot", "text": text,
                                 "metadata": {"handoff": sender or {"actor": "system"}}}
        if buttons:
            event["data"] = {"buttons": buttons}
        await self._post_events(conversation_id, [event], send=True)

    async def resume(self, conversation_id: str, slots: Dict[str, Any]) -> None:
        """The bot's turn again, with the agent's slot values. The trailing action_listen matters:
        while paused no action ran after the customer's messages, and Rasa's rules only match a
        message that follows action_listen, so without it the bot's next answer is a fallback."""
        events = [{"event": "slot", "name": name, "value": value} for name, value in slots.items()]
        events += [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
        await self._post_events(conversation_id, events, send=False)

    async def answer_as_bot(self, conversation_id: str, parse_data: Dict[str, Any]) -> None:
        """The bot answers a message the customer sent while the conversation was with people
        (a refusal by Rasa is only logged: the conversation is the bot's again either way)."""
        intent = (parse_data.get("intent") or {}).get("name")
        if not intent:
            return
        entities = {entity["entity"]: entity.get("value") for entity in parse_data.get("entities") or []
                    if isinstance(entity, dict) and "entity" in entity}
        await self._post(f"conversations/{conversation_id}/trigger_intent", {"output_channel": "latest"},
                         {"name": intent, "entities": entities}, timeout=30)

    async def show_typing(self, conversation_id: str, agent: str) -> None:
        """"<agent> is typing" in the web widget (bot/webchat.py); other channels have no such signal."""
        await self._post("webhooks/socketio/typing", {}, {"session_id": conversation_id, "agent": agent},
                         timeout=5)


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
