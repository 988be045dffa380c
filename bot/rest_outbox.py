"""The REST channel, plus an outbox for messages that arrive outside a request.

Rasa's REST channel can only answer inside the HTTP response to the customer's own message, so a
person's reply during a handoff (sent with `output_channel=latest`) had nowhere to go. This channel
keeps the webhook's requests and answers as they are (it answers sooner: bot/early_reply.py) and
gives Rasa an output channel that stores such messages in Redis; the client collects them with
`GET /webhooks/rest/outbox?sender=<id>` (each message once).
"""
import json
from typing import Any, Dict, Optional, Text

import redis.asyncio as aioredis
from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.early_reply import answer_when_replies_complete
from bot.redis_env import redis_from_env

OUTBOX_TTL_SECONDS = 24 * 3600


def outbox_key(sender_id: Text) -> Text:
    return f"cs:outbox:{sender_id}"


class OutboxOutputChannel(CollectingOutputChannel):
    """Stores each message for the customer to collect, in order, for a day."""

    def __init__(self, redis: aioredis.Redis) -> None:
        super().__init__()
        self.redis = redis

    @classmethod
    def name(cls) -> Text:
        return "rest_outbox"

    async def _persist_message(self, message: Dict[Text, Any]) -> None:
        key = outbox_key(message["recipient_id"])
        pipe = self.redis.pipeline(transaction=True)
        pipe.rpush(key, json.dumps(message, ensure_ascii=False))
        pipe.expire(key, OUTBOX_TTL_SECONDS)
        await pipe.execute()


class RestWithOutbox(RestInput):
    """`rest` in credentials.yml terms: same webhook, same name, plus GET /outbox."""

    def __init__(self, redis: Optional[aioredis.Redis] = None) -> None:
        self.redis = redis or redis_from_env()

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RestWithOutbox":
        return cls()

    def get_output_channel(self) -> OutputChannel:
        return OutboxOutputChannel(self.redis)

    def blueprint(self, on_new_message) -> Blueprint:
        # The webhook answers once the turn's messages are complete, before its save.
        blueprint = super().blueprint(answer_when_replies_complete(on_new_message))

        @blueprint.route("/outbox", methods=["GET"])
        async def collect(request: Request) -> response.HTTPResponse:
            sender_id = request.args.get("sender")
            if not sender_id:
                return response.json({"error": "give ?sender=<the sender id of your messages>"}, status=400)
            key = outbox_key(sender_id)
            pipe = self.redis.pipeline(transaction=True)
            pipe.lrange(key, 0, -1)
            pipe.delete(key)
            stored, _ = await pipe.execute()
            return response.json([json.loads(message) for message in stored])

        return blueprint
