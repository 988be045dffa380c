"""The handoff service against the real Redis (and Kafka/Rasa where a test asks for them).

Each test gets its own Redis key prefix, so tests never see each other's agents or queues.
"""
import asyncio
import os
import uuid
from dataclasses import replace
from typing import Any, Callable, Dict, List, Optional

import time

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp import web

from handoff.app import COMPONENTS, create_app
from handoff.auth import hash_password
from handoff.config import Settings
from handoff.store import Agent, Store
from ops.settings import backends
from tests.conftest import free_port

PASSWORD = "correct horse battery"


def service_settings(**overrides: Any) -> Settings:
    base = Settings.from_env({**os.environ, "HANDOFF_RELAY": "off"})
    return replace(base, port=free_port(), key_prefix=f"hotest{uuid.uuid4().hex[:10]}", **overrides)


async def add_agent(store, name: str, role: str = "agent", languages=("zh", "en"),
                    skills=("general",), capacity: int = 3, translation: bool = False) -> None:
    """An agent straight into Redis, with the test password."""
    await store.save_agent(Agent(name, role, list(languages), list(skills), capacity,
                                 translation=translation, password_hash=hash_password(PASSWORD)))


def redis_store(prefix: str) -> Store:
    return Store(aioredis.Redis.from_url(backends().redis_url, decode_responses=True), prefix)


async def close_every_open_handoff(store: Store) -> None:
    """Customers of earlier tests (the browser ones too) may still be queued or with an agent; an
    end-to-end test that cares about queue order starts from an empty queue."""
    ids = set(await store.waiting_ids())
    for agent in await store.agents():
        ids.update(await store.assigned_ids(agent.name))
        await store.redis.delete(store.key("assigned", agent.name))
    for handoff_id in ids:
        handoff = await store.handoff(handoff_id)
        await store.finish(handoff_id, handoff["conversation_id"], status="closed")


async def wait_for_relay(service_url: str, timeout: float = 60.0) -> None:
    """Until the service's Kafka consumer owns partitions (messages sent before could be missed)."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            async with http.get(f"{service_url}/health") as response:
                if (await response.json()).get("relay") == "assigned":
                    return
            assert time.monotonic() < deadline, "the handoff relay never got Kafka partitions"
            await asyncio.sleep(0.3)


class RunningService:
    """One handoff service instance in this process, on a free port."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.app = create_app(settings)
        self.runner = web.AppRunner(self.app, shutdown_timeout=5)
        self.url = f"http://127.0.0.1:{settings.port}"

    async def start(self) -> "RunningService":
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.settings.port).start()
        return self

    async def stop(self) -> None:
        await self.runner.cleanup()

    @property
    def store(self):
        return self.app[COMPONENTS]["store"]

    async def add_agent(self, name: str, **fields: Any) -> None:
        await add_agent(self.store, name, **fields)

    async def delete_keys(self) -> None:
        keys = [key async for key in self.store.redis.scan_iter(match=f"{self.settings.key_prefix}:*")]
        if keys:
            await self.store.redis.delete(*keys)


class AgentClient:
    """An agent: logs in over REST, listens on the WebSocket, keeps every frame it got."""

    def __init__(self, service_url: str, name: str):
        self.url = service_url
        self.name = name
        self.http = aiohttp.ClientSession()
        self.token: Optional[str] = None
        self.socket: Optional[aiohttp.ClientWebSocketResponse] = None
        self.frames: List[Dict[str, Any]] = []
        self.hello: Dict[str, Any] = {}
        self._reader: Optional[asyncio.Task] = None
        self._arrived = asyncio.Condition()

    async def login(self, password: str = PASSWORD) -> "AgentClient":
        async with self.http.post(f"{self.url}/api/login",
                                  json={"username": self.name, "password": password}) as response:
            assert response.status == 200, await response.text()
            self.token = (await response.json())["token"]
        return self

    @property
    def headers(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        async with self.http.request(method, f"{self.url}{path}", json=body, headers=self.headers) as response:
            payload = await response.json()
            assert response.status == expect, f"{method} {path}: {response.status} {payload}"
            return payload

    async def connect(self, presence: str = "online") -> "AgentClient":
        self.socket = await self.http.ws_connect(f"{self.url}/ws?token={self.token}")
        self._reader = asyncio.create_task(self._read())
        self.hello = await self.next_frame("hello")
        if presence:
            await self.call("PUT", "/api/presence", {"status": presence})
        return self

    async def _read(self) -> None:
        async for message in self.socket:
            if message.type == aiohttp.WSMsgType.TEXT:
                async with self._arrived:
                    self.frames.append(message.json())
                    self._arrived.notify_all()

    async def next_frame(self, kind: str, where: Callable[[Dict[str, Any]], bool] = lambda f: True,
                         timeout: float = 10.0) -> Dict[str, Any]:
        """The first frame of `kind` ("" for any) matching `where`, waiting for it; it is consumed."""
        async def found():
            async with self._arrived:
                while True:
                    for frame in self.frames:
                        if (not kind or frame["type"] == kind) and where(frame):
                            self.frames.remove(frame)
                            return frame
                    await self._arrived.wait()
        try:
            return await asyncio.wait_for(found(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"{self.name}: no {kind!r} frame in {timeout}s; got {self.frames}") from None

    async def send(self, frame: Dict[str, Any]) -> Dict[str, Any]:
        ref = uuid.uuid4().hex
        await self.socket.send_json({"v": 1, "ref": ref, **frame})
        reply = await self.next_frame("", lambda f: f.get("ref") == ref)
        return reply

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self.socket is not None:
            await self.socket.close()
        await self.http.close()


def packet(conversation_id: Optional[str] = None, language: str = "zh", topic: str = "order_status",
           tier: str = "regular", reason: str = "request_human", **extra: Any) -> Dict[str, Any]:
    return {"conversation_id": conversation_id or f"c-{uuid.uuid4().hex[:10]}", "channel": "rest",
            "language": language, "customer": {"id": None, "tier": tier}, "topic": topic, "reason": reason,
            "intent_ranking": [{"name": "request_human", "confidence": 0.97}], "slots": {"order_id": "A1"},
            "last_turns": [{"actor": "customer", "text": "转人工", "message_id": "m-1"}], "facts": [],
            **extra}


async def post_handoff(service_url: str, token: str, body: Any, expect: int = 201) -> Dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{service_url}/api/handoffs", json=body,
                             headers={"Authorization": f"Bearer {token}"}) as response:
            payload = await response.json()
            assert response.status == expect, payload
            return payload


@pytest.fixture
async def service_factory():
    """service_factory(**settings) -> a started in-process service with those settings changed."""
    started: List[RunningService] = []

    async def make(**overrides: Any) -> RunningService:
        started.append(await RunningService(service_settings(**overrides)).start())
        return started[-1]

    yield make
    for service in started:
        await service.stop()
        await service.delete_keys()


@pytest.fixture
async def handoff_service(service_factory):
    return await service_factory()


@pytest.fixture
async def agent_clients(handoff_service):
    """agent_clients(name, ...) -> a logged-in AgentClient; all closed at the end."""
    made: List[AgentClient] = []

    async def make(name: str, connect: bool = True, presence: str = "online", **agent: Any) -> AgentClient:
        await handoff_service.add_agent(name, **agent)
        client = await AgentClient(handoff_service.url, name).login()
        made.append(client)
        return await client.connect(presence) if connect else client

    yield make
    for client in made:
        await client.close()
