"""Agents' WebSockets: protocol v1 (see handoff/PROTOCOL.md) and the hub that feeds them.

Each instance reads the shared bus stream in Redis and pushes each event to its own sockets of the
agents it names and of every supervisor, so an agent on one instance hears about a customer message
relayed by another.
"""
import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from typing import Any, Dict, Set

from aiohttp import WSMsgType, web

from handoff.auth import AuthError, Identity
from handoff.customer import RasaUnavailable
from handoff.service import BadRequest, Forbidden, HandoffService
from handoff.store import EVERYONE, NotFound, Store

log = logging.getLogger(__name__)
PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 64 * 1024


def _conversation_of(raw: str) -> str:
    """The frame's handoff id ("" when none or unreadable): frames about one conversation queue up."""
    try:
        request = json.loads(raw)
    except ValueError:
        return ""
    return str(request.get("handoff_id") or "") if isinstance(request, dict) else ""


def frame(kind: str, **fields: Any) -> str:
    return json.dumps({"v": PROTOCOL_VERSION, "type": kind, **fields}, ensure_ascii=False)


class Hub:
    def __init__(self, store: Store, service: HandoffService):
        self.store = store
        self.service = service
        self.sockets: Dict[str, Set[web.WebSocketResponse]] = defaultdict(set)
        self.roles: Dict[str, str] = {}

    async def run_bus_reader(self) -> None:
        last_id = "$"
        while True:
            try:
                batches = await self.store.redis.xread({self.store.key("bus"): last_id}, block=1000, count=200)
            except Exception:
                log.exception("reading the bus failed; retrying")
                await asyncio.sleep(1)
                continue
            for _stream, entries in batches or []:
                for entry_id, fields in entries:
                    last_id = entry_id
                    await self._deliver(json.loads(fields["agents"]), json.loads(fields["event"]))

    async def _deliver(self, agents, event: Dict[str, Any]) -> None:
        text = frame(event.pop("type"), **event)
        if EVERYONE in agents:
            targets = set(self.sockets)
        else:
            targets = set(agents) | {name for name, role in self.roles.items() if role != "agent"}
        for name in targets:
            for socket in list(self.sockets.get(name, ())):
                try:
                    await socket.send_str(text)
                except (ConnectionResetError, RuntimeError):
                    self.sockets[name].discard(socket)

    async def keep_agents_seen(self, every_seconds: float = 20.0) -> None:
        """A connected agent is not silent, even when they type nothing for a while."""
        while True:
            await asyncio.sleep(every_seconds)
            for name, sockets in list(self.sockets.items()):
                if sockets:
                    await self.store.touch(name)

    async def serve(self, request: web.Request, identity: Identity) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(heartbeat=25, max_msg_size=MAX_FRAME_BYTES)
        await socket.prepare(request)
        self.sockets[identity.name].add(socket)
        self.roles[identity.name] = identity.role
        await self.store.touch(identity.name)
        try:
            await socket.send_str(frame("hello", **await self.service.hello(identity)))
            # Frames are answered concurrently (a reply to one customer must not wait for Rasa to
            # take a reply to another), but in order within each conversation.
            in_order: Dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
            running: Set[asyncio.Task] = set()
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    lock = in_order[_conversation_of(message.data)]
                    task = asyncio.create_task(self._answer_in_turn(identity, socket, message.data, lock))
                    running.add(task)
                    task.add_done_callback(running.discard)
                elif message.type == WSMsgType.ERROR:
                    break
        finally:
            self.sockets[identity.name].discard(socket)
        if socket.close_code == 1009:
            log.info("closed %s's socket: frame over %d bytes", identity.name, MAX_FRAME_BYTES)
        return socket

    async def _answer_in_turn(self, identity: Identity, socket: web.WebSocketResponse, raw: str,
                              lock: asyncio.Lock) -> None:
        async with lock:
            answer = await self._answer(identity, raw)
        if not socket.closed:
            with contextlib.suppress(ConnectionResetError, RuntimeError):
                await socket.send_str(answer)

    async def _answer(self, identity: Identity, raw: str) -> str:
        """One client frame in, one reply frame out (`ok` or `error`, echoing the client's `ref`)."""
        ref = None
        try:
            request = json.loads(raw)
            if not isinstance(request, dict):
                raise BadRequest("a frame must be a JSON object")
            ref = request.get("ref")
            if request.get("v") != PROTOCOL_VERSION:
                raise BadRequest(f"unsupported protocol version {request.get('v')!r}; this server speaks "
                                 f"{PROTOCOL_VERSION}")
            await self.store.touch(identity.name)
            result = await self._dispatch(identity, request)
            return frame("ok", ref=ref, result=result)
        except ValueError as error:  # BadRequest and JSON errors
            return frame("error", ref=ref, status=400, error=str(error))
        except Forbidden as error:
            return frame("error", ref=ref, status=403, error=str(error))
        except NotFound as error:
            return frame("error", ref=ref, status=404, error=str(error))
        except AuthError as error:
            return frame("error", ref=ref, status=401, error=str(error))
        except RasaUnavailable as error:
            return frame("error", ref=ref, status=502, error=f"not delivered, Rasa unreachable: {error}")
        except Exception:  # an answer always comes back, and the socket stays open
            log.exception("frame from %s failed", identity.name)
            return frame("error", ref=ref, status=500, error="internal error; see the handoff service log")

    async def _dispatch(self, identity: Identity, request: Dict[str, Any]) -> Any:
        kind, handoff_id = request.get("type"), request.get("handoff_id")
        if kind == "ping":
            return "pong"
        if kind == "presence":
            return await self.service.set_presence(identity, request.get("status"))
        if kind == "accept":
            return await self.service.accept(identity, str(handoff_id))
        if kind == "message":
            return await self.service.reply(identity, str(handoff_id), request.get("text"))
        if kind == "typing":
            await self.service.agent_typing(identity, str(handoff_id))
            return None
        raise BadRequest(f"unknown frame type {kind!r}")
