"""Rasa's socket.io channel for our web widget: who is speaking, and typing both ways.

Rasa's own socket.io output sends only the text, so the widget could not tell the bot from the
person who took over. Messages sent by the handoff service carry `metadata.handoff`
({"actor": "agent", "agent": NAME} or {"actor": "system", "notice": KEY}); this channel passes it
on as `sender` in each `bot_uttered` payload. Typing: `POST /webhooks/socketio/typing` (with
RASA_TOKEN) shows the customer that an agent is typing, and the widget's `user_typing` event is
passed to the handoff service (HANDOFF_URL, HANDOFF_SERVICE_TOKEN) for the agent to see.
"""
import asyncio
import hmac
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text
from urllib.parse import quote

import aiohttp

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.redis_env import redis_from_env
from bot.webchat_log import SessionLog

log = logging.getLogger(__name__)
TYPING_EVENT = "agent_typing"
CUSTOMER_TYPING_EVENT = "user_typing"
MISSED_MESSAGES_EVENT = "missed_messages_request"


class WebChatOutput(SocketIOOutput):
    """SocketIOOutput whose payloads say who sent them (`sender`), when the message says, and carry
    their number in the session (`seq`, see bot/webchat_log.py)."""

    def __init__(self, sio, bot_message_evt: Text, session_log: SessionLog) -> None:
        super().__init__(sio, bot_message_evt)
        self.session_log = session_log

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        await super()._send_message(socket_id, await self.session_log.append(socket_id, response))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            await self._send_message(recipient_id, _with_sender({"text": part}, kwargs))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        parts = text.strip().split("\n\n") or [text]
        replies = [{"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons]
        for index, part in enumerate(parts):
            message = {"text": part, "quick_replies": replies if index == len(parts) - 1 else []}
            await self._send_message(recipient_id, _with_sender(message, kwargs))


def _with_sender(message: Dict[Text, Any], metadata: Dict[Text, Any]) -> Dict[Text, Any]:
    sender = metadata.get("handoff")
    return {**message, "sender": sender} if isinstance(sender, dict) else message


class WebChatInput(SocketIOInput):
    """`socketio` in credentials.yml terms: the same events and session handling as Rasa's."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session_log = SessionLog(redis_from_env())
        self._http: Optional[aiohttp.ClientSession] = None  # for typing hints; made on first use

    def _output(self) -> WebChatOutput:
        return WebChatOutput(self.sio, self.bot_message_evt, self.session_log)

    def get_output_channel(self) -> Optional[OutputChannel]:
        return self._output() if super().get_output_channel() else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def with_our_output(message: UserMessage) -> Any:
            # Rasa builds a plain SocketIOOutput for each incoming message; ours names the sender.
            message.output_channel = self._output()
            return await on_new_message(message)

        blueprint = super().blueprint(with_our_output)

        @blueprint.route("/typing", methods=["POST"])
        async def agent_typing(request: Request) -> HTTPResponse:
            if not _token_matches(request.args.get("token")):
                return response.json({"error": "a valid ?token= (RASA_TOKEN) is required"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            session_id, agent = body.get("session_id"), body.get("agent")
            if not isinstance(session_id, str) or not isinstance(agent, str):
                return response.json({"error": "'session_id' and 'agent' are required strings"}, status=400)
            await self.sio.emit(TYPING_EVENT, {"agent": agent}, room=session_id)
            return response.json({"status": "sent"})

        @self.sio.on(MISSED_MESSAGES_EVENT, namespace=self.namespace)
        async def missed_messages(sid: Text, data: Any) -> None:
            """{session_id, after}: the session's messages numbered above `after`, to this socket."""
            session_id = data.get("session_id") if isinstance(data, dict) else None
            after = data.get("after") if isinstance(data, dict) else None
            if not isinstance(session_id, str) or not isinstance(after, int):
                return
            for missed in await self.session_log.after(session_id, after):
                await self.sio.emit(self.bot_message_evt, missed, room=sid)

        @self.sio.on(CUSTOMER_TYPING_EVENT, namespace=self.namespace)
        async def customer_typing(sid: Text, data: Any) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if isinstance(session_id, str) and session_id:
                await self._tell_handoff_service_customer_is_typing(session_id)

        return blueprint

    async def _tell_handoff_service_customer_is_typing(self, session_id: Text) -> None:
        """A hint for the agent, if a person has the conversation; losing one is harmless."""
        token = os.environ.get("HANDOFF_SERVICE_TOKEN")
        if not token:
            return
        if self._http is None:  # made inside Sanic's event loop, which does not exist yet in __init__
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3))
        base = os.environ.get("HANDOFF_URL", "http://127.0.0.1:8090").rstrip("/")
        url = f"{base}/api/conversations/{quote(session_id, safe='')}/typing"
        try:
            async with self._http.post(url, headers={"Authorization": f"Bearer {token}"}) as answer:
                if answer.status >= 500:
                    log.warning("the handoff service answered %s to a typing hint", answer.status)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            log.debug("typing hint not delivered: %r", error)


def _token_matches(given: Optional[str]) -> bool:
    expected = os.environ.get("RASA_TOKEN", "")
    return bool(expected) and hmac.compare_digest(given or "", expected)
