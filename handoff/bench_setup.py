"""Setting up a `python -m handoff.bench` run: agents logged in on WebSockets, conversations handed off.

Agents go straight into Redis (one argon2 hash for all: hashing is deliberately slow); each
conversation first gets a Rasa tracker with the customer's "转人工" on the REST channel, as a real
one would have, so the service's replies (`output_channel=latest`) land in that customer's outbox.
"""
import asyncio
import math
import time
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List

import aiohttp
import redis.asyncio as aioredis

from handoff.auth import hash_password
from handoff.packets import LANGUAGES, SKILL_OF_TOPIC, SKILLS
from handoff.store import Agent, Store

PASSWORD = "bench-password"  # agents of a throw-away key prefix
PARALLEL = 10                # concurrent setup requests (logins, trackers, handoffs)
ASSIGN_TIMEOUT = 120.0


@dataclass(frozen=True)
class Plan:
    service_url: str
    rasa_url: str
    rasa_token: str
    service_token: str
    redis_url: str
    kafka_bootstrap: str
    topic: str
    prefix: str   # the service's Redis key prefix; also starts every conversation id of the run
    customers: int
    agents: int
    seconds: float
    interval: float = 1.5  # mean seconds between two customer messages of a conversation
    agent_interval: float = 5.0  # mean seconds between two agent replies in a conversation
    only: str = ""         # "customer-to-agent" or "agent-to-customer": one direction alone
    probe_count: int = 4

    @property
    def capacity(self) -> int:
        return max(4, math.ceil(self.customers / self.agents))

    def conversations(self) -> List[str]:
        return [f"{self.prefix}-c{index:04d}" for index in range(self.customers)]

    def probes(self) -> List[str]:
        return [f"{self.prefix}-probe{index}" for index in range(self.probe_count)]

    def agent_names(self) -> List[str]:
        return [f"bench-agent-{index:03d}" for index in range(self.agents)]


async def wait_for_relay(http: aiohttp.ClientSession, plan: Plan, timeout: float = 60.0) -> None:
    """Until the service's Kafka consumer owns partitions: messages produced before could wait."""
    deadline = time.monotonic() + timeout
    while True:
        async with http.get(f"{plan.service_url}/health") as response:
            if (await response.json()).get("relay") == "assigned":
                return
        if time.monotonic() > deadline:
            raise RuntimeError("the handoff service's Kafka relay got no partitions in time")
        await asyncio.sleep(0.3)


async def limited(calls, parallel: int = PARALLEL) -> List[Any]:
    gate = asyncio.Semaphore(parallel)

    async def one(call):
        async with gate:
            return await call

    return await asyncio.gather(*(one(call) for call in calls))


async def timed(call) -> float:
    started = time.perf_counter()
    await call
    return (time.perf_counter() - started) * 1000


class AgentLink:
    """One agent's WebSocket: answers requests by `ref`, accepts every offer, reports customer messages."""

    def __init__(self, plan: Plan, name: str, load):
        self.plan = plan
        self.name = name
        self.load = load  # a bench_load.Load: told about customer messages, errors, assignments
        self.pending: Dict[str, asyncio.Future] = {}
        self.hello = asyncio.Event()
        self.socket = None
        self.reader = None

    async def login(self, http: aiohttp.ClientSession) -> str:
        async with http.post(f"{self.plan.service_url}/api/login",
                             json={"username": self.name, "password": PASSWORD}) as response:
            body = await response.json()
            if response.status != 200:
                raise RuntimeError(f"login of {self.name}: {response.status} {body}")
            return body["token"]

    async def connect(self, http: aiohttp.ClientSession, token: str) -> None:
        self.socket = await http.ws_connect(f"{self.plan.service_url}/ws?token={token}")
        self.reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self.hello.wait(), 30)
        reply = await self.request({"type": "presence", "status": "online"})
        if reply.get("type") != "ok":
            raise RuntimeError(f"{self.name} could not go online: {reply}")

    async def request(self, frame: Dict[str, Any]) -> Dict[str, Any]:
        """Sends a frame and waits for the `ok` or `error` frame echoing its ref."""
        ref = uuid.uuid4().hex
        self.pending[ref] = asyncio.get_running_loop().create_future()
        await self.socket.send_json({"v": 1, "ref": ref, **frame})
        try:
            reply = await asyncio.wait_for(self.pending[ref], 30)
        except asyncio.TimeoutError:
            reply = {"type": "error", "status": "timeout", "error": "no reply within 30 s"}
        finally:
            self.pending.pop(ref, None)
        if reply.get("type") != "ok":
            self.load.error(f"{frame['type']}: {reply.get('status')} {reply.get('error')}")
        return reply

    async def _read(self) -> None:
        async for message in self.socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            frame = message.json()
            kind = frame.get("type")
            if kind in ("ok", "error") and frame.get("ref") in self.pending:
                self.pending[frame["ref"]].set_result(frame)
            elif kind == "message" and frame["message"].get("actor") == "customer":
                self.load.customer_message_arrived(frame["message"].get("text"))
            elif kind == "offer":
                asyncio.create_task(self._accept(frame["handoff"]))
            elif kind == "hello":
                self.hello.set()

    async def _accept(self, handoff: Dict[str, Any]) -> None:
        reply = await self.request({"type": "accept", "handoff_id": handoff["id"]})
        if reply.get("type") == "ok":
            self.load.assigned[handoff["conversation_id"]] = (self, handoff["id"])

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self.reader is not None:
            self.reader.cancel()


async def open_agents(http: aiohttp.ClientSession, plan: Plan, load) -> List[float]:
    """Agents saved in Redis, logged in and online (in load.links); returns each login's milliseconds."""
    store = Store(aioredis.Redis.from_url(plan.redis_url, decode_responses=True), plan.prefix)
    password_hash = hash_password(PASSWORD)
    try:
        for name in plan.agent_names():
            await store.save_agent(Agent(name, "agent", list(LANGUAGES), list(SKILLS), plan.capacity,
                                         password_hash=password_hash))
    finally:
        await store.redis.close()
    load.links = [AgentLink(plan, name, load) for name in plan.agent_names()]  # closed by the caller
    logins_ms = []

    async def log_in(link: AgentLink) -> None:
        started = time.perf_counter()
        token = await link.login(http)
        logins_ms.append((time.perf_counter() - started) * 1000)
        await link.connect(http, token)

    await limited(log_in(link) for link in load.links)
    return logins_ms


def seeded_events(conversation: str) -> List[Dict[str, Any]]:
    """A session with one customer message on the REST channel, then the pause of the handoff."""
    now = time.time()
    return [{"event": "action", "name": "action_session_start", "timestamp": now},
            {"event": "session_started", "timestamp": now},
            {"event": "action", "name": "action_listen", "timestamp": now},
            {"event": "user", "text": "转人工", "timestamp": now, "message_id": f"{conversation}-m0",
             "input_channel": "rest",
             "parse_data": {"intent": {"name": "request_human", "confidence": 0.97}, "entities": []}},
            {"event": "pause", "timestamp": now}]


async def seed_tracker(http: aiohttp.ClientSession, plan: Plan, conversation: str) -> None:
    # PUT replaces the tracker without running action_session_start (a custom action: no action
    # server runs in the bench).
    url = f"{plan.rasa_url}/conversations/{conversation}/tracker/events"
    async with http.put(url, params={"token": plan.rasa_token}, json=seeded_events(conversation)) as response:
        if response.status != 200:
            raise RuntimeError(f"seeding Rasa tracker {conversation}: {response.status} {await response.text()}")


def packet(conversation: str, index: int) -> Dict[str, Any]:
    """What the action server posts (shape of tests/handoff/conftest.py packet())."""
    topic = list(SKILL_OF_TOPIC)[index % len(SKILL_OF_TOPIC)]
    return {"conversation_id": conversation, "channel": "rest", "language": LANGUAGES[index % len(LANGUAGES)],
            "customer": {"id": None, "tier": "regular"}, "topic": topic, "reason": "request_human",
            "intent_ranking": [{"name": "request_human", "confidence": 0.97}], "slots": {},
            "last_turns": [{"actor": "customer", "text": "转人工", "message_id": f"{conversation}-m0"}],
            "facts": []}


async def post_handoff(http: aiohttp.ClientSession, plan: Plan, conversation: str, index: int) -> None:
    headers = {"Authorization": f"Bearer {plan.service_token}"}
    async with http.post(f"{plan.service_url}/api/handoffs", json=packet(conversation, index),
                         headers=headers) as response:
        if response.status != 201:
            raise RuntimeError(f"POST /api/handoffs {conversation}: {response.status} {await response.text()}")


async def post_handoffs(http: aiohttp.ClientSession, plan: Plan, load) -> List[float]:
    """Every conversation handed off and accepted; returns each POST's milliseconds."""
    await limited(seed_tracker(http, plan, conversation)
                  for conversation in plan.conversations() + plan.probes())
    posts_ms = await limited(timed(post_handoff(http, plan, conversation, index))
                             for index, conversation in enumerate(plan.conversations()))
    deadline = time.monotonic() + ASSIGN_TIMEOUT
    while len(load.assigned) < plan.customers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(load.assigned)} of {plan.customers} conversations were "
                               f"accepted within {ASSIGN_TIMEOUT:.0f}s")
        await asyncio.sleep(0.2)
    return posts_ms
