"""Rasa's event topic in, envelopes out: the consume, transform, produce, commit loop.

At least once: a batch of records is turned into envelopes and produced, the producer is flushed
until the broker has acknowledged every envelope (acks=all), and only then are the batch's offsets
committed. A crash anywhere before the commit means the batch is read and produced again, with the
same event ids, which consumers drop (stream.envelope.SeenIds). A failed delivery rewinds the batch.

Order: Rasa keys its events by sender id, so a conversation is on one input partition and read in
order; its envelopes are keyed by its pseudonym, so they land on one output partition, in the same
order (the idempotent producer keeps that order across its own retries).
"""
import asyncio
import json
import logging
import threading
from typing import Dict, List, Optional, Tuple

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

from ops.kafka_topics import ensure_topic
from stream.config import Settings
from stream.envelope import EnvelopeBuilder

log = logging.getLogger(__name__)


def consumer_for(settings: Settings) -> Consumer:
    return Consumer({
        "bootstrap.servers": settings.kafka_bootstrap,
        "group.id": settings.group,
        "client.id": "cs-stream",
        "enable.auto.commit": False,  # committed after the envelopes are delivered, see above
        "auto.offset.reset": "earliest",  # a new group starts from the retained history
        "session.timeout.ms": 10000,
        # A topic or partitions created after start are picked up in seconds, not minutes.
        "topic.metadata.refresh.interval.ms": 5000,
    })


def producer_for(settings: Settings) -> Producer:
    return Producer({
        "bootstrap.servers": settings.kafka_bootstrap,
        "client.id": "cs-stream",
        # No duplicates or reordering from the producer's own retries; acknowledged by all replicas.
        "enable.idempotence": True,
        "acks": "all",
        # Retry until delivered (the flush waits while the broker is away): an envelope given up
        # on, with later ones of its conversation delivered, could only be re-sent out of order.
        "message.timeout.ms": 0,
        "linger.ms": 5,
    })


class BatchFailed(Exception):
    pass


def _source(record: Message) -> str:
    """Where a record is, for logs and ids: never its content."""
    return f"{record.topic()}:{record.partition()}:{record.offset()}"


class StreamProcessor:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.builder = EnvelopeBuilder(settings.pseudonym_key, settings.conversations)
        self.consumer: Optional[Consumer] = None
        self.producer: Optional[Producer] = None
        self.consumed = 0   # records read (again after a rewind or restart)
        self.produced = 0   # envelopes the broker acknowledged
        self.partitions = 0  # owned now; set by the consumer's rebalance callbacks
        self._stopping = threading.Event()  # seen by the Kafka calls running in worker threads
        self._producer_failed = False

    async def run(self) -> None:
        for topic in (self.settings.events_topic, self.settings.topic):
            try:
                await asyncio.to_thread(ensure_topic, self.settings.kafka_bootstrap, topic)
            except KafkaException as error:
                log.warning("could not create topic %s (waiting for it): %s", topic, error)
        self.consumer = consumer_for(self.settings)
        self.producer = producer_for(self.settings)
        self.consumer.subscribe([self.settings.events_topic], on_assign=self._assigned,
                                on_revoke=self._revoked, on_lost=self._revoked)
        try:
            while not self._stopping.is_set():
                records = await asyncio.to_thread(self.consumer.consume, self.settings.batch_size, 0.5)
                if not records:
                    continue
                try:
                    await asyncio.to_thread(self.process, records)
                except (BatchFailed, KafkaException) as failure:
                    error = failure.args[0] if failure.args else None
                    if isinstance(error, KafkaError) and error.fatal():
                        self._producer_failed = True  # only the producer raises while processing
                    log.warning("%s; reading the batch again in 1 s", failure)
                    self._rewind(records)
                    await asyncio.sleep(1)
        finally:
            await asyncio.to_thread(self._close)

    def stop(self) -> None:
        """Ends run() after the current batch (or abandons its flush: it is read again on start)."""
        self._stopping.set()

    def process(self, records: List[Message]) -> bool:
        """Produces the envelopes of one batch and commits its offsets once they are delivered;
        False when stopped before that (nothing committed)."""
        failures: List[KafkaError] = []

        def delivered(error: Optional[KafkaError], _message: Message) -> None:
            if error is None:
                self.produced += 1
            else:
                failures.append(error)

        positions: Dict[Tuple[str, int], int] = {}
        if self._producer_failed:  # a fatal error: that producer cannot send any more
            self.producer, self._producer_failed = producer_for(self.settings), False
        for record in records:
            if record.error():
                if record.error().code() != KafkaError._PARTITION_EOF:
                    log.warning("kafka: %s", record.error())
                continue
            self.consumed += 1
            envelope = self._envelope(record)
            if envelope is not None:
                self._produce(envelope, delivered)
            positions[(record.topic(), record.partition())] = record.offset()
        while self.producer.flush(1.0) > 0:
            if self._stopping.is_set():
                return False
        if failures:
            self._producer_failed = any(error.fatal() for error in failures)
            raise BatchFailed(f"{len(failures)} envelope(s) not delivered: {failures[0]}")
        self._commit(positions)
        return True

    def _envelope(self, record: Message) -> Optional[dict]:
        if record.value() is None:
            return None
        try:
            return self.builder.build(json.loads(record.value()), source=_source(record))
        except ValueError:
            log.warning("skipped record %s: not JSON", _source(record))
        except Exception as error:  # an event shaped like no Rasa event: retrying cannot help
            log.warning("skipped record %s: %s", _source(record), type(error).__name__)
        return None

    def _produce(self, envelope: dict, on_delivery) -> None:
        value = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
        while True:
            try:
                return self.producer.produce(self.settings.topic, key=envelope["conversation"].encode(),
                                             value=value, on_delivery=on_delivery)
            except BufferError:  # the producer's queue is full: let it deliver some first
                self.producer.poll(0.5)

    def _commit(self, positions: Dict[Tuple[str, int], int]) -> None:
        if not positions:
            return
        offsets = [TopicPartition(topic, partition, offset + 1)
                   for (topic, partition), offset in positions.items()]
        try:
            self.consumer.commit(offsets=offsets, asynchronous=False)
        except KafkaException as error:
            # A rebalance took the partitions: their new owner reads the batch again (duplicates,
            # which consumers drop), nothing is lost.
            log.warning("kafka commit failed: %s", error)

    def _rewind(self, records: List[Message]) -> None:
        """Back to the first record of the batch on each partition, to read it again."""
        first: Dict[Tuple[str, int], int] = {}
        for record in records:
            if not record.error():
                first.setdefault((record.topic(), record.partition()), record.offset())
        for (topic, partition), offset in first.items():
            try:
                self.consumer.seek(TopicPartition(topic, partition, offset))
            except KafkaException as error:  # no longer ours: the new owner starts at the commit
                log.warning("kafka seek failed: %s", error)

    def _close(self) -> None:
        if self.producer is not None:
            self.producer.flush(5)
        if self.consumer is not None:
            self.consumer.close()

    def _assigned(self, consumer, partitions) -> None:
        self.partitions = len(partitions)
        log.info("assigned %d partition(s) of %s", len(partitions), self.settings.events_topic)

    def _revoked(self, consumer, partitions) -> None:
        self.partitions = 0
        log.info("partitions of %s revoked", self.settings.events_topic)
