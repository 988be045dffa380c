"""The workload of `python -m handoff.bench`: agents on WebSockets, customers through Kafka.

Customers are played the way Rasa's event broker publishes them (user events on the events topic,
keyed by conversation); agents are real WebSocket clients that accept every offer and answer.
Every bench message reads `<conversation> <seq>`, so each arrival is matched to its sending and
loss, duplicates and reordering are counted per conversation.
"""
import asyncio
import json
import random
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import aiohttp
from confluent_kafka import Producer

from handoff.bench_setup import Plan, open_agents, post_handoffs, wait_for_relay
from handoff.customer import RasaClient
from ops.measure import latency_stats

PROBE_INTERVAL = 0.2     # direct Rasa calls, to tell Rasa's share of an agent reply
DRAIN_SECONDS = 20.0     # how long late customer messages may still arrive after the load
Key = Tuple[str, int]    # (conversation, seq)


@dataclass
class Direction:
    """One direction's messages: when each was sent, and what arrived in which order."""

    sent: Dict[Key, float] = field(default_factory=dict)          # perf_counter at sending
    arrivals: Dict[str, List[int]] = field(default_factory=lambda: defaultdict(list))
    arrived_wall: Dict[Key, float] = field(default_factory=dict)  # epoch of the first arrival

    def send(self, conversation: str, seq: int) -> None:
        self.sent[(conversation, seq)] = time.perf_counter()

    def arrive(self, conversation: str, seq: int) -> Optional[float]:
        """Milliseconds since sending, on a sent message's first arrival; None otherwise."""
        key = (conversation, seq)
        self.arrivals[conversation].append(seq)
        if key in self.arrived_wall or key not in self.sent:
            return None
        self.arrived_wall[key] = time.time()
        return (time.perf_counter() - self.sent[key]) * 1000

    def complete(self) -> bool:
        return len(self.arrived_wall) >= len(self.sent)

    def check(self) -> Dict[str, int]:
        duplicated = out_of_order = 0
        for seqs in self.arrivals.values():
            seen, highest = set(), 0
            for seq in seqs:
                if seq in seen:
                    duplicated += 1
                elif seq < highest:
                    out_of_order += 1
                seen.add(seq)
                highest = max(highest, seq)
        return {"sent": len(self.sent), "arrived": len(self.arrived_wall),
                "lost": len(set(self.sent) - set(self.arrived_wall)),
                "duplicated": duplicated, "out_of_order": out_of_order}


def bench_message(plan: Plan, text: str) -> Optional[Key]:
    """(conversation, seq) of a bench text; None for anything else (notices, other traffic)."""
    conversation, _, seq = (text or "").rpartition(" ")
    if conversation.startswith(plan.prefix) and seq.isdigit():
        return conversation, int(seq)
    return None


class Load:
    """Drives one run: agents answer on their sockets while customers write through Kafka."""

    def __init__(self, plan: Plan, http: aiohttp.ClientSession):
        self.plan = plan
        self.http = http
        self.customers = Direction()
        self.agents = Direction()
        self.customer_ms: List[float] = []          # Kafka produce -> agent's socket
        self.agent_ms: List[float] = []             # agent's message frame -> its ok frame
        self.agent_service_ms: List[float] = []     # the same minus the service's call to Rasa
        self.kafka_appended: Dict[Key, float] = {}  # broker's LogAppendTime, epoch seconds
        self.rasa_direct_ms: List[float] = []
        self.loop_lag_ms: List[float] = []
        self.errors: Counter = Counter()
        self.links: List[Any] = []                      # bench_setup.AgentLink, one per agent
        self.assigned: Dict[str, Tuple[Any, str]] = {}  # conversation -> (AgentLink, handoff id)
        # Same settings as Rasa's KafkaEventBroker (librdkafka defaults, so linger.ms=5).
        self.producer = Producer({"bootstrap.servers": plan.kafka_bootstrap, "client.id": "handoff-bench"})

    # --- frames from agents' sockets (called by AgentLink) --------------------------------------
    def customer_message_arrived(self, text: str) -> None:
        key = bench_message(self.plan, text)
        latency = self.customers.arrive(*key) if key else None
        if latency is not None:
            self.customer_ms.append(latency)

    def error(self, what: str) -> None:
        self.errors[what[:160]] += 1

    # --- the measured phase ---------------------------------------------------------------------
    @staticmethod
    def pause(mean: float) -> float:
        """Seconds until a conversation's next message: `mean` on average, with jitter."""
        return random.uniform(mean * 2 / 3, mean * 4 / 3)

    async def customer(self, conversation: str, until: float) -> None:
        seq = 0
        await asyncio.sleep(random.uniform(0, self.plan.interval))  # spread the first messages
        while time.monotonic() < until:
            seq += 1
            self._produce(conversation, seq)
            await asyncio.sleep(self.pause(self.plan.interval))

    def _produce(self, conversation: str, seq: int) -> None:
        event = {"event": "user", "sender_id": conversation, "text": f"{conversation} {seq}",
                 "message_id": uuid.uuid4().hex, "timestamp": time.time(), "input_channel": "rest",
                 "parse_data": {"intent": {"name": "inform", "confidence": 0.9}, "entities": []}}

        def delivered(error, record) -> None:
            if error:
                self.error(f"kafka delivery: {error}")
            else:  # the topic stamps LogAppendTime: when the broker had it, in ms
                self.kafka_appended[(conversation, seq)] = record.timestamp()[1] / 1000

        self.customers.send(conversation, seq)
        self.producer.produce(self.plan.topic, key=conversation, value=json.dumps(event), on_delivery=delivered)

    async def agent(self, conversation: str, until: float) -> None:
        """Closed loop like a person: the next reply only after the last one was confirmed."""
        link, handoff_id = self.assigned[conversation]
        seq = 0
        await asyncio.sleep(random.uniform(0, self.plan.agent_interval))
        while time.monotonic() < until:
            seq += 1
            self.agents.send(conversation, seq)
            started = time.perf_counter()
            reply = await link.request({"type": "message", "handoff_id": handoff_id,
                                        "text": f"{conversation} {seq}"})
            if reply.get("type") == "ok":
                total_ms = (time.perf_counter() - started) * 1000
                self.agent_ms.append(total_ms)
                # The service reports how long Rasa took; the rest is the service's own time.
                self.agent_service_ms.append(max(0.0, total_ms - reply["result"]["rasa_ms"]))
            await asyncio.sleep(self.pause(self.plan.agent_interval))

    async def rasa_probe(self, conversations: List[str], until: float) -> None:
        """The same Rasa call the service makes for a reply, timed from here on spare conversations."""
        rasa = RasaClient(self.http, self.plan.rasa_url, self.plan.rasa_token)
        seq = 0
        while time.monotonic() < until:
            seq += 1
            started = time.perf_counter()
            try:
                await rasa.say(conversations[seq % len(conversations)], f"probe {seq}",
                               sender={"actor": "bench"})
                self.rasa_direct_ms.append((time.perf_counter() - started) * 1000)
            except Exception as failure:  # noqa: BLE001 - counted and reported, the run goes on
                self.error(f"rasa probe: {failure}")
            await asyncio.sleep(PROBE_INTERVAL)

    async def watch_loop_lag(self, until: float, every: float = 0.01) -> None:
        """This process's own event-loop delay: a late timer here inflates every latency measured."""
        while time.monotonic() < until:
            started = time.perf_counter()
            await asyncio.sleep(every)
            self.loop_lag_ms.append(max(0.0, (time.perf_counter() - started - every) * 1000))

    async def poll_producer(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.producer.poll(0)  # runs delivery callbacks; never blocks
            await asyncio.sleep(0.02)

    async def measure(self, conversations: List[str], probes: List[str], seconds: float) -> float:
        until = time.monotonic() + seconds
        stop = asyncio.Event()
        poller = asyncio.create_task(self.poll_producer(stop))
        started = time.perf_counter()
        tasks = [self.watch_loop_lag(until)]
        if self.plan.only != "agent-to-customer":
            tasks += [self.customer(c, until) for c in conversations]
        if self.plan.only != "customer-to-agent":
            tasks += [self.agent(c, until) for c in conversations] + [self.rasa_probe(probes, until)]
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
        await asyncio.to_thread(self.producer.flush, 30)
        deadline = time.monotonic() + DRAIN_SECONDS
        while not self.customers.complete() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        stop.set()
        await poller
        self.producer.poll(0)
        return elapsed

    async def collect_outboxes(self, conversations: List[str]) -> None:
        """What the customers got from Rasa's outbox, in order: agent replies lost or reordered?"""
        for conversation in conversations:
            url = f"{self.plan.rasa_url}/webhooks/rest/outbox"
            async with self.http.get(url, params={"sender": conversation}) as response:
                for message in await response.json():
                    key = bench_message(self.plan, message.get("text"))
                    if key:
                        self.agents.arrive(*key)  # only counted: the latency is the ok frame's

    def after_kafka_ms(self) -> List[float]:
        """Broker append to agent socket: the handoff service's part of a customer message's way."""
        return [max(0.0, (self.customers.arrived_wall[key] - appended) * 1000)
                for key, appended in self.kafka_appended.items() if key in self.customers.arrived_wall]


async def run(plan: Plan, usage: Callable[[], Dict[str, Any]]) -> Dict[str, Any]:
    """Sets up agents and handoffs, measures for plan.seconds, and returns the raw results."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        load = Load(plan, http)
        try:
            await wait_for_relay(http, plan)
            setup_started = time.perf_counter()
            logins_ms = await open_agents(http, plan, load)
            posts_ms = await post_handoffs(http, plan, load)
            setup = {"seconds": round(time.perf_counter() - setup_started, 1),
                     "login_ms": latency_stats(logins_ms), "post_handoff_ms": latency_stats(posts_ms)}
            before = usage()
            elapsed = await load.measure(plan.conversations(), plan.probes(), plan.seconds)
            after = usage()
            await load.collect_outboxes(plan.conversations())
        finally:
            await asyncio.gather(*(link.close() for link in load.links), return_exceptions=True)
    return {"elapsed": elapsed, "setup": setup, "usage_before": before, "usage_after": after,
            "customer_to_agent": {**load.customers.check(), "latency_ms": load.customer_ms,
                                  "after_kafka_ms": load.after_kafka_ms()},
            "agent_to_customer": {**load.agents.check(), "latency_ms": load.agent_ms,
                                  "service_ms": load.agent_service_ms, "rasa_direct_ms": load.rasa_direct_ms},
            "loop_lag_ms": load.loop_lag_ms, "errors": dict(load.errors)}
