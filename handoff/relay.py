"""Customer messages of conversations that are with people, from Rasa's Kafka event stream.

Rasa still parses, stores and publishes a paused conversation's messages; this consumer hands them to
the service. All instances share one consumer group, so each event is relayed by one of them. Offsets
are committed only after the message is in Redis (at least once), and the log skips Rasa message ids
it has seen (so never twice). Kafka partitions by conversation, so each one stays in order.
"""
import asyncio
import json
import logging
from typing import Any, Dict, Optional

from confluent_kafka import Consumer, KafkaError, KafkaException

from handoff.config import Settings
from handoff.service import HandoffService
from ops.kafka_topics import ensure_topic

log = logging.getLogger(__name__)


def consumer_for(settings: Settings) -> Consumer:
    return Consumer({
        "bootstrap.servers": settings.kafka_bootstrap,
        "group.id": settings.kafka_group,
        "client.id": "handoff-relay",
        "enable.auto.commit": False,
        # A new group reads the retained history: only messages of open handoffs, sent after the
        # handoff began, are relayed (service.customer_message), so old events are harmless.
        "auto.offset.reset": "earliest",
        "session.timeout.ms": 10000,
        # A topic or partitions created after start are picked up in seconds, not minutes.
        "topic.metadata.refresh.interval.ms": 5000,
    })


def customer_message(event: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The fields the service needs from a Rasa `user` event; None for every other event."""
    if event.get("event") != "user" or not event.get("sender_id"):
        return None
    return {"conversation_id": str(event["sender_id"]), "text": event.get("text") or "",
            "message_id": event.get("message_id"), "timestamp": event.get("timestamp"),
            "parse_data": event.get("parse_data") or {}}


class KafkaRelay:
    def __init__(self, service: HandoffService, settings: Settings):
        self.service = service
        self.settings = settings
        self.consumer: Optional[Consumer] = None
        self.partitions = 0  # owned now; set by the consumer's rebalance callbacks

    async def run(self) -> None:
        try:
            # Rasa creates its topic only when it first publishes; until then there is nothing to consume.
            await asyncio.to_thread(ensure_topic, self.settings.kafka_bootstrap, self.settings.kafka_events_topic)
        except KafkaException as error:
            log.warning("could not create topic %s (the relay waits for it): %s",
                        self.settings.kafka_events_topic, error)
        self.consumer = consumer_for(self.settings)
        self.consumer.subscribe([self.settings.kafka_events_topic], on_assign=self._assigned,
                                on_revoke=self._revoked)
        try:
            while True:
                record = await asyncio.to_thread(self.consumer.poll, 0.5)
                if record is None:
                    continue
                if record.error():
                    if record.error().code() != KafkaError._PARTITION_EOF:
                        log.warning("kafka: %s", record.error())
                    continue
                await self._handle_until_done(record.value())
                self._commit(record)
        finally:
            await asyncio.to_thread(self.consumer.close)

    def _commit(self, record) -> None:
        # Asynchronous: a commit lost in a crash only means the event comes again, and the log
        # skips message ids it has seen.
        try:
            self.consumer.commit(message=record, asynchronous=True)
        except KafkaException as error:
            log.warning("kafka commit failed: %s", error)

    async def _handle_until_done(self, raw: bytes) -> None:
        """Retries while Redis or Rasa is away: skipping the event would lose a message, and moving
        past it would break the conversation's order."""
        while True:
            try:
                return await self._handle(raw)
            except Exception:
                log.exception("relaying an event failed; retrying in 1 s")
                await asyncio.sleep(1)

    async def _handle(self, raw: bytes) -> None:
        try:
            event = json.loads(raw)
        except (ValueError, TypeError):
            log.warning("kafka: skipped an event that is not JSON")
            return
        message = customer_message(event) if isinstance(event, dict) else None
        if message:
            await self.service.customer_message(**message)

    def _assigned(self, consumer, partitions) -> None:
        self.partitions = len(partitions)

    def _revoked(self, consumer, partitions) -> None:
        self.partitions = 0

    def state(self) -> str:
        """For /health: "assigned" once this instance owns partitions of the event topic."""
        if self.consumer is None:
            return "starting"
        return "assigned" if self.partitions else "waiting for partitions"
