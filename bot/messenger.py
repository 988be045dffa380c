"""Facebook Messenger as a channel: signed webhooks in, Graph API sends out (credentials.yml).

Why not Rasa's own `facebook` channel: it answers a forged signature with 200 "not validated",
handles only the first message of a batched webhook, sends with a blocking HTTP client to a fixed
graph.facebook.com, and cannot tag an agent's late reply. This one:
- checks `X-Hub-Signature-256` (or the older `X-Hub-Signature`) against the app secret: 403 if
  missing or wrong, nothing processed;
- answers malformed JSON with 400, ignores pages it does not serve, with a log line each;
- handles every message and postback of a batch, in order; echoes and receipts are skipped;
- sends through `graph_api_url` (configurable, so tests use a local server speaking the same
  protocol); an agent's reply goes with the HUMAN_AGENT tag, which Messenger allows for 7 days
  after the customer's last message instead of 24 hours.
"""
import hashlib
import hmac
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

log = logging.getLogger(__name__)
MAX_TEXT = 2000          # Messenger's limit for one text message
MAX_QUICK_REPLIES = 13   # ... for quick replies on one message
MAX_TITLE = 20           # ... for a quick reply's title


class GraphApi:
    """The Send API: POST {base}/{version}/me/messages?access_token=..."""

    def __init__(self, base_url: Text, version: Text, page_token: Text) -> None:
        self.url = f"{base_url.rstrip('/')}/{version}/me/messages"
        self.page_token = page_token
        self._http: Optional[aiohttp.ClientSession] = None

    async def send(self, recipient_id: Text, message: Dict[Text, Any], by_agent: bool) -> None:
        body: Dict[Text, Any] = {"recipient": {"id": recipient_id}, "message": message,
                                 "messaging_type": "RESPONSE"}
        if by_agent:
            body.update(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
        if self._http is None:  # made on first use, inside Sanic's event loop
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        async with self._http.post(self.url, params={"access_token": self.page_token}, json=body) as answer:
            if answer.status >= 300:
                # The Graph API explains itself in the body; the token is in the URL, not logged.
                log.error("Messenger refused a message (HTTP %s): %s", answer.status, await answer.text())


def _chunks(text: Text) -> List[Text]:
    parts = [part for part in text.strip().split("\n\n") if part.strip()] or [text]
    return [part[i:i + MAX_TEXT] for part in parts for i in range(0, len(part), MAX_TEXT)]


def _quick_replies(buttons: Iterable[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    return [{"content_type": "text", "title": str(button["title"])[:MAX_TITLE],
             "payload": str(button.get("payload") or button["title"])}
            for button in list(buttons)[:MAX_QUICK_REPLIES]]


def _by_agent(metadata: Dict[Text, Any]) -> bool:
    sender = metadata.get("handoff")
    return isinstance(sender, dict) and sender.get("actor") == "agent"


class MessengerOutput(OutputChannel):
    @classmethod
    def name(cls) -> Text:
        return "facebook"

    def __init__(self, graph: GraphApi) -> None:
        self.graph = graph

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in _chunks(text):
            await self.graph.send(recipient_id, {"text": part}, _by_agent(kwargs))

    async def _text_then_replies(self, recipient_id: Text, text: Text, replies: List[Dict[Text, Any]],
                                 kwargs: Dict[Text, Any]) -> None:
        parts = _chunks(text)
        for part in parts[:-1]:
            await self.graph.send(recipient_id, {"text": part}, _by_agent(kwargs))
        await self.graph.send(recipient_id, {"text": parts[-1], "quick_replies": replies}, _by_agent(kwargs))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self._text_then_replies(recipient_id, text, _quick_replies(buttons), kwargs)

    async def send_quick_replies(self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]],
                                 **kwargs: Any) -> None:
        await self._text_then_replies(recipient_id, text, _quick_replies(quick_replies), kwargs)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        attachment = {"type": "image", "payload": {"url": image, "is_reusable": True}}
        await self.graph.send(recipient_id, {"attachment": attachment}, _by_agent(kwargs))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self.graph.send(recipient_id, json_message, _by_agent(kwargs))


def signature_matches(secret: Text, body: bytes, headers) -> bool:
    """X-Hub-Signature-256 ("sha256=<hex>") or, from older apps, X-Hub-Signature ("sha1=<hex>")."""
    for header, algorithm in (("X-Hub-Signature-256", hashlib.sha256), ("X-Hub-Signature", hashlib.sha1)):
        given = headers.get(header)
        if given:
            expected = "sha256=" if algorithm is hashlib.sha256 else "sha1="
            expected += hmac.new(secret.encode(), body, algorithm).hexdigest()
            return hmac.compare_digest(given.encode(), expected.encode())
    return False


def _text_of(event: Dict[Text, Any]) -> Optional[Text]:
    """What the customer said: a quick reply's or postback's payload, else the text; None for
    echoes of our own messages, delivery and read receipts, and attachments without text."""
    message = event.get("message")
    if isinstance(message, dict):
        if message.get("is_echo"):
            return None
        quick_reply = message.get("quick_reply")
        if isinstance(quick_reply, dict) and quick_reply.get("payload"):
            return str(quick_reply["payload"])
        return message.get("text") if isinstance(message.get("text"), str) else None
    postback = event.get("postback")
    if isinstance(postback, dict):
        return str(postback.get("payload") or postback.get("title") or "") or None
    return None


class MessengerInput(InputChannel):
    """`bot.messenger.MessengerInput` in credentials.yml; its webhook is /webhooks/facebook/webhook."""

    @classmethod
    def name(cls) -> Text:
        return "facebook"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        missing = [key for key in ("verify", "secret", "page-access-token") if not credentials.get(key)]
        if missing:
            raise ValueError(f"credentials.yml, Messenger: {', '.join(missing)} must be set "
                             f"(from MESSENGER_* environment variables)")
        pages = {page.strip() for page in str(credentials.get("page-ids") or "").split(",") if page.strip()}
        graph = GraphApi(credentials.get("graph-api-url") or "https://graph.facebook.com",
                         str(credentials.get("graph-api-version") or "v19.0"), credentials["page-access-token"])
        return cls(credentials["verify"], credentials["secret"], pages, graph)

    def __init__(self, verify_token: Text, app_secret: Text, page_ids: set, graph: GraphApi) -> None:
        self.verify_token = verify_token
        self.app_secret = app_secret
        self.page_ids = page_ids
        self.graph = graph

    def get_output_channel(self) -> OutputChannel:
        return MessengerOutput(self.graph)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("messenger_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def subscription_handshake(request: Request) -> HTTPResponse:
            if request.args.get("hub.mode") == "subscribe" and \
                    hmac.compare_digest(request.args.get("hub.verify_token") or "", self.verify_token):
                return response.text(request.args.get("hub.challenge") or "")
            log.warning("Messenger: refused a subscription handshake with a wrong verify token")
            return response.text("wrong verify token", status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not signature_matches(self.app_secret, request.body or b"", request.headers):
                log.warning("Messenger: refused a webhook with a missing or wrong signature")
                return response.text("signature missing or wrong", status=403)
            try:
                payload = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                log.warning("Messenger: refused a signed webhook whose body is not JSON")
                return response.text("body is not JSON", status=400)
            if not isinstance(payload, dict) or payload.get("object") != "page" or \
                    not isinstance(payload.get("entry"), list):
                log.warning("Messenger: refused a webhook that is not a page event")
                return response.text("not a page event", status=400)
            for entry in payload["entry"]:
                await self._handle_entry(entry, on_new_message)
            return response.text("EVENT_RECEIVED")

        return webhook

    async def _handle_entry(self, entry: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        page_id = str(entry.get("id")) if isinstance(entry, dict) else None
        if page_id not in self.page_ids:
            log.warning("Messenger: ignored events for page %s, which this bot does not serve", page_id)
            return
        for event in entry.get("messaging") or []:
            sender = (event.get("sender") or {}).get("id") if isinstance(event, dict) else None
            text = _text_of(event) if sender else None
            if text is None:
                continue
            await on_new_message(UserMessage(text, self.get_output_channel(), str(sender),
                                             input_channel=self.name(), metadata={"page_id": page_id}))
