"""Rasa's socket.io channel for our web widget: who is speaking, and an agent's typing.

Rasa's own socket.io output sends only the text, so the widget could not tell the bot from the
person who took over. Messages sent by the handoff service carry `metadata.handoff`
({"actor": "agent", "agent": NAME} or {"actor": "system"} for queue notices); this channel passes
it on as `sender` in each `bot_uttered` payload. It also adds `POST /webhooks/socketio/typing`,
with which the handoff service shows the customer that an agent is typing.
"""
import hmac
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

TYPING_EVENT = "agent_typing"


class WebChatOutput(SocketIOOutput):
    """SocketIOOutput whose payloads say who sent them (`sender`), when the message says."""

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

    def get_output_channel(self) -> Optional[OutputChannel]:
        channel = super().get_output_channel()
        return WebChatOutput(self.sio, self.bot_message_evt) if channel else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def with_our_output(message: UserMessage) -> Any:
            # Rasa builds a plain SocketIOOutput for each incoming message; ours names the sender.
            message.output_channel = WebChatOutput(self.sio, self.bot_message_evt)
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

        return blueprint


def _token_matches(given: Optional[str]) -> bool:
    expected = os.environ.get("RASA_TOKEN", "")
    return bool(expected) and hmac.compare_digest(given or "", expected)
