"""Simulated customers on the two channels the web widget and integrations use: Rasa's REST webhook and
its socket.io channel (what the widget speaks), each timing the bot's reply to one message.

A REST reply is complete when the HTTP response arrives: it carries every message of the turn. On
socket.io the messages of a turn arrive one by one with no end marker, so a reply is complete when no
further message has come for QUIET_SECONDS; its latency is that of its last message.
"""
import asyncio
import time
from dataclasses import dataclass
from typing import Any, List

import aiohttp
import socketio

REPLY_TIMEOUT_SECONDS = 10.0
QUIET_SECONDS = 0.5


class TurnFailed(Exception):
    """A turn that got no usable answer; `kind` names the failure for the report."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


@dataclass
class Reply:
    texts: List[str]
    sent_at: float  # wall clock (time.time()), comparable with the tracker's event timestamps
    first_ms: float  # until the first message of the reply
    complete_ms: float  # until the whole reply


class RestCustomer:
    channel = "rest"

    def __init__(self, http: aiohttp.ClientSession, rasa_url: str, sender_id: str):
        self.http = http
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender_id = sender_id

    async def start(self) -> None:
        pass

    async def say(self, text: str) -> Reply:
        sent_at, started = time.time(), time.perf_counter()
        try:
            async with self.http.post(self.url, json={"sender": self.sender_id, "message": text},
                                      timeout=aiohttp.ClientTimeout(total=REPLY_TIMEOUT_SECONDS)) as response:
                if response.status != 200:
                    raise TurnFailed(f"http {response.status}", (await response.text())[:200])
                messages = await response.json()
        except asyncio.TimeoutError:
            raise TurnFailed("timeout") from None
        except aiohttp.ClientError as problem:
            raise TurnFailed("connection", str(problem)) from None
        elapsed = (time.perf_counter() - started) * 1000
        texts = [message.get("text", "") for message in messages]
        if not texts:
            raise TurnFailed("no reply")
        return Reply(texts, sent_at, elapsed, elapsed)

    async def close(self) -> None:
        pass


def _text_of(message: Any) -> str:
    return message.get("text", "") if isinstance(message, dict) else str(message)


class SocketCustomer:
    """One widget session: connects, asks for its session, then talks in it."""

    channel = "socketio"

    def __init__(self, rasa_url: str, sender_id: str):
        self.url = rasa_url
        self.sender_id = sender_id
        self.client = socketio.AsyncClient(reconnection=False)
        self.inbox: "asyncio.Queue[Any]" = asyncio.Queue()
        self.confirmed = asyncio.Event()
        self.client.on("bot_uttered", self._received)
        self.client.on("session_confirm", lambda _: self.confirmed.set())

    async def _received(self, message: Any) -> None:
        await self.inbox.put((time.perf_counter(), message))

    async def start(self) -> None:
        try:
            await self.client.connect(self.url, transports=["websocket"], wait_timeout=REPLY_TIMEOUT_SECONDS)
            await self.client.emit("session_request", {"session_id": self.sender_id})
            await asyncio.wait_for(self.confirmed.wait(), REPLY_TIMEOUT_SECONDS)
        except (socketio.exceptions.ConnectionError, asyncio.TimeoutError) as problem:
            raise TurnFailed("socket connect", str(problem) or "no session_confirm") from None

    async def say(self, text: str) -> Reply:
        while not self.inbox.empty():  # a straggler of the last turn is not this turn's answer
            self.inbox.get_nowait()
        sent_at, started = time.time(), time.perf_counter()
        await self.client.emit("user_uttered", {"message": text, "session_id": self.sender_id})
        try:
            arrived, message = await asyncio.wait_for(self.inbox.get(), REPLY_TIMEOUT_SECONDS)
        except asyncio.TimeoutError:
            raise TurnFailed("no reply" if self.client.connected else "socket dropped") from None
        first = last = arrived
        texts = [_text_of(message)]
        while True:
            try:
                last, message = await asyncio.wait_for(self.inbox.get(), QUIET_SECONDS)
            except asyncio.TimeoutError:
                break
            texts.append(_text_of(message))
        return Reply(texts, sent_at, (first - started) * 1000, (last - started) * 1000)

    async def close(self) -> None:
        await self.client.disconnect()
