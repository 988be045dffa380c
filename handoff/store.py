"""All handoff state in Redis, so any instance can serve any agent and a killed one loses nothing.

Keys (under the configured prefix, `ho` by default):
  agents                    set of agent names
  agent:{name}              hash: role, password_hash, languages, skills, capacity, translation, disabled
  presence:{name}           hash: status, seen (last sign of life), idle_since
  handoff:{id}              hash: the conversation's routing fields, status, agent, offer, context (JSON)
  open:{conversation_id}    the conversation's open handoff id
  waiting                   sorted set of handoff ids not yet accepted (score: queued_at)
  assigned:{agent}          set of handoff ids the agent holds
  log:{id}                  stream: the conversation's messages while with people, in order
  seen:{id}                 set of relayed Rasa message ids (no message shown twice)
  handling                  list of recent handling times in seconds (expected-wait estimate)
  rating                    sorted set of closed handoffs awaiting the customer's rating (score: deadline)
  bus                       stream of events every instance pushes to its WebSockets
Changes to one handoff happen under its lock (lock:{id}), so two instances never race on it.
"""
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

import redis.asyncio as aioredis

from handoff.routing import AgentState, Waiting

OPEN_STATUSES = ("queued", "offered", "assigned", "rating")
BUS_LENGTH = 10_000
EVERYONE = "*"  # publish(event, [EVERYONE]): every connected agent, not only supervisors
HANDLING_SAMPLES = 50
LOCK_SECONDS = 30.0
RETENTION_SECONDS = 30 * 24 * 3600  # finished handoffs, like endpoints.yml's tracker record_exp
# A handoff's queue entry: what routing, queue positions, the queue view and customers' position
# notices need. Everything but the context packet (the whole bot conversation, several KB), which
# only an agent shown the handoff needs: reading and decoding it for every waiting handoff on each
# request and routing round was most of their time.
QUEUE_FIELDS = ("id", "conversation_id", "status", "agent", "language", "skill", "priority", "tier",
                "topic", "queued_at", "front", "excluded", "target_agent", "offered_to", "offer_expires",
                "position")


# The relay's hot path in one round trip: find the conversation's open handoff; log the message if
# the handoff waits or is assigned, was not logged before (Rasa message id) and was sent after the
# handoff began; push it to the assigned agent. Returns {handoff id, status, log entry id}.
# ARGV: key prefix, conversation id, message id, entry JSON, entry timestamp, clock skew, bus length.
RELAY_CUSTOMER_MESSAGE = """
local prefix = ARGV[1]
local handoff_id = redis.call('GET', prefix .. ':open:' .. ARGV[2])
if not handoff_id then return {'', '', ''} end
local handoff = prefix .. ':handoff:' .. handoff_id
local status = redis.call('HGET', handoff, 'status') or ''
if status ~= 'queued' and status ~= 'offered' and status ~= 'assigned' then return {handoff_id, status, ''} end
local created = tonumber(redis.call('HGET', handoff, 'created_at') or '0')
if tonumber(ARGV[5]) < created - tonumber(ARGV[6]) then return {handoff_id, status, ''} end
if ARGV[3] ~= '' and redis.call('SADD', prefix .. ':seen:' .. handoff_id, ARGV[3]) == 0 then
  return {handoff_id, status, ''}
end
local entry_id = redis.call('XADD', prefix .. ':log:' .. handoff_id, '*', 'json', ARGV[4])
-- Since when the customer waits for a person's answer (an agent's message clears it): supervisors' SLA.
redis.call('HSETNX', handoff, 'awaiting_reply_since', ARGV[5])
if status == 'assigned' then
  local agent = redis.call('HGET', handoff, 'agent') or ''
  local message = string.sub(ARGV[4], 1, -2) .. ',"id":"' .. entry_id .. '"}'
  local event = '{"type":"message","handoff_id":"' .. handoff_id .. '","message":' .. message .. '}'
  redis.call('XADD', prefix .. ':bus', 'MAXLEN', '~', ARGV[7], '*', 'agents', cjson.encode({agent}), 'event', event)
end
return {handoff_id, status, entry_id}
"""

# Every waiting handoff in one round trip and one consistent snapshot: {waiting set's ids, their
# hashes}, each hash as HMGET of the fields ARGV[2..] (nils once the hash is gone). A script, not a
# pipeline: redis-py packs a pipeline's commands in Python, and a hundred 16-field HMGETs took
# longer to pack than Redis took to answer them. ARGV: key prefix, field names.
READ_WAITING = """
local prefix = ARGV[1]
local ids = redis.call('ZRANGE', prefix .. ':waiting', 0, -1)
local hashes = {}
for i, handoff_id in ipairs(ids) do
  hashes[i] = redis.call('HMGET', prefix .. ':handoff:' .. handoff_id, unpack(ARGV, 2))
end
return {ids, hashes}
"""


class NotFound(Exception):
    pass


class Conflict(Exception):
    """The handoff is not in a state that allows this (already taken, closed, not yours)."""


@dataclass
class Agent:
    name: str
    role: str
    languages: List[str]
    skills: List[str]
    capacity: int
    translation: bool = False
    disabled: bool = False
    password_hash: str = field(default="", repr=False)

    def public(self) -> Dict[str, Any]:
        return {"name": self.name, "role": self.role, "languages": self.languages,
                "skills": self.skills, "capacity": self.capacity,
                "translation": self.translation, "disabled": self.disabled}


def _csv(values: Iterable[str]) -> str:
    return ",".join(values)


def _split(raw: str) -> List[str]:
    return [value for value in (raw or "").split(",") if value]


def _agent(name: str, raw: Dict[str, str]) -> Optional[Agent]:
    """An agent account from its hash (None when there is none)."""
    if not raw:
        return None
    return Agent(name=name, role=raw["role"], languages=_split(raw["languages"]),
                 skills=_split(raw["skills"]), capacity=int(raw["capacity"]),
                 translation=raw.get("translation") == "1", disabled=raw.get("disabled") == "1",
                 password_hash=raw.get("password_hash", ""))


def _presence(raw: Dict[str, str]) -> Dict[str, Any]:
    """An agent's presence from its hash (offline when never seen)."""
    return {"status": raw.get("status", "offline"), "seen": float(raw.get("seen", 0)),
            "idle_since": float(raw.get("idle_since", 0))}


class Store:
    def __init__(self, redis: aioredis.Redis, prefix: str = "ho"):
        self.redis = redis
        self.prefix = prefix
        self._scripts: Dict[str, Any] = {}

    def _script(self, source: str):
        """The Lua script, registered once (redis-py loads it into Redis on first use)."""
        if source not in self._scripts:
            self._scripts[source] = self.redis.register_script(source)
        return self._scripts[source]

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix,) + parts)

    def lock(self, *parts: str):
        # Held across at most one Rasa call (15 s timeout), so it outlives one; polled every 10 ms.
        return self.redis.lock(self.key("lock", *parts), timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS,
                               sleep=0.01)

    # --- agents -------------------------------------------------------------------------------
    async def save_agent(self, agent: Agent) -> None:
        await self.redis.hset(self.key("agent", agent.name), mapping={
            "role": agent.role, "password_hash": agent.password_hash,
            "languages": _csv(agent.languages), "skills": _csv(agent.skills),
            "capacity": agent.capacity, "translation": int(agent.translation),
            "disabled": int(agent.disabled)})
        await self.redis.sadd(self.key("agents"), agent.name)

    async def agent(self, name: str) -> Optional[Agent]:
        return _agent(name, await self.redis.hgetall(self.key("agent", name)))

    async def agents(self) -> List[Agent]:
        """Every agent account, in two round trips however many there are."""
        names = sorted(await self.redis.smembers(self.key("agents")))
        pipe = self.redis.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(self.key("agent", name))
        return [agent for agent in map(_agent, names, await pipe.execute()) if agent]

    async def set_presence(self, name: str, status: str, now: Optional[float] = None) -> None:
        now = now or time.time()
        key = self.key("presence", name)
        await self.redis.hset(key, mapping={"status": status, "seen": now})
        await self.redis.hsetnx(key, "idle_since", now)

    async def touch(self, name: str, now: Optional[float] = None) -> None:
        """A sign of life (WebSocket traffic, an API call): keeps the agent from counting as silent."""
        await self.redis.hset(self.key("presence", name), "seen", now or time.time())

    async def presence(self, name: str) -> Dict[str, Any]:
        return _presence(await self.redis.hgetall(self.key("presence", name)))

    async def assigned_ids(self, name: str) -> List[str]:
        return sorted(await self.redis.smembers(self.key("assigned", name)))

    async def agent_states(self, pending_offers: Dict[str, int]) -> List[AgentState]:
        """Routing's view of every enabled agent; load counts offers still pending. Read on every
        handoff request and routing round: three round trips however many agents there are."""
        agents = [agent for agent in await self.agents() if not agent.disabled and agent.role != "admin"]
        pipe = self.redis.pipeline(transaction=False)
        for agent in agents:
            pipe.hgetall(self.key("presence", agent.name))
            pipe.scard(self.key("assigned", agent.name))
        replies = await pipe.execute()
        states = []
        for agent, raw_presence, held in zip(agents, replies[0::2], replies[1::2]):
            presence = _presence(raw_presence)
            states.append(AgentState(
                name=agent.name, languages=frozenset(agent.languages), skills=frozenset(agent.skills),
                capacity=agent.capacity, presence=presence["status"],
                load=held + pending_offers.get(agent.name, 0), idle_since=presence["idle_since"],
                translation=agent.translation))
        return states

    # --- handoffs -----------------------------------------------------------------------------
    async def open_handoff_id(self, conversation_id: str) -> Optional[str]:
        return await self.redis.get(self.key("open", conversation_id))

    async def create_handoff(self, fields: Dict[str, Any], context: Dict[str, Any],
                             seen_message_ids: Iterable[str]) -> Dict[str, Any]:
        """A new queued handoff; the caller holds the conversation's lock and checked none is open."""
        now = time.time()
        handoff_id = uuid.uuid4().hex
        record = {**fields, "id": handoff_id, "status": "queued", "created_at": now, "queued_at": now,
                  "front": 0, "excluded": "[]", "context": json.dumps(context, ensure_ascii=False)}
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(self.key("handoff", handoff_id), mapping=record)
        pipe.set(self.key("open", fields["conversation_id"]), handoff_id)
        pipe.zadd(self.key("waiting"), {handoff_id: now})
        seen = [message_id for message_id in seen_message_ids if message_id]
        if seen:
            pipe.sadd(self.key("seen", handoff_id), *seen)
        await pipe.execute()
        # As HGETALL would read it back (redis-py stores str(value)), without the round trip.
        return _decode_handoff({name: str(value) for name, value in record.items()})

    async def handoff(self, handoff_id: str) -> Dict[str, Any]:
        """The whole handoff, its context packet included."""
        raw = await self.redis.hgetall(self.key("handoff", handoff_id))
        if not raw:
            raise NotFound(f"no handoff {handoff_id}")
        return _decode_handoff(raw)

    async def queue_entry(self, handoff_id: str) -> Dict[str, Any]:
        """The handoff's QUEUE_FIELDS only (no context): enough for its status and queue position."""
        raw = _present(QUEUE_FIELDS, await self.redis.hmget(self.key("handoff", handoff_id), QUEUE_FIELDS))
        if not raw:
            raise NotFound(f"no handoff {handoff_id}")
        return _decode_fields(raw)

    async def update_handoff(self, handoff_id: str, **changes: Any) -> None:
        encoded = {name: json.dumps(value) if isinstance(value, (list, dict)) else
                   ("" if value is None else value) for name, value in changes.items()}
        await self.redis.hset(self.key("handoff", handoff_id), mapping=encoded)

    async def waiting_ids(self) -> List[str]:
        return await self.redis.zrange(self.key("waiting"), 0, -1)

    async def waiting_queue(self) -> List[Dict[str, Any]]:
        """Every waiting handoff's queue entry (see queue_entry): what each routing round and queue
        position needs, without the context packets. A handoff whose hash is gone (expired,
        deleted) leaves the waiting set."""
        ids, replies = await self._script(READ_WAITING)(args=[self.prefix, *QUEUE_FIELDS])
        hashes = [_present(QUEUE_FIELDS, reply) for reply in replies]
        vanished = [handoff_id for handoff_id, raw in zip(ids, hashes) if not raw]
        if vanished:
            await self.redis.zrem(self.key("waiting"), *vanished)
        return [_decode_fields(raw) for raw in hashes if raw]

    async def assign(self, handoff_id: str, agent: str) -> List[Dict[str, Any]]:
        """Assigns it and returns the messages logged so far, in one transaction: a customer message
        appended after it is pushed to the agent (see append_customer_message), never both or neither."""
        now = time.time()
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(self.key("handoff", handoff_id), mapping={
            "status": "assigned", "agent": agent, "offered_to": "", "offer_expires": "",
            "accepted_at": now, "target_agent": ""})
        pipe.zrem(self.key("waiting"), handoff_id)
        pipe.sadd(self.key("assigned", agent), handoff_id)
        pipe.xrange(self.key("log", handoff_id))
        *_, entries = await pipe.execute()
        return _decode_log(entries)

    async def requeue(self, handoff: Dict[str, Any], front: bool = False, exclude: str = "",
                      target_agent: str = "", skill: str = "") -> None:
        """Back to waiting: an offer lapsed, the agent left, or a transfer."""
        excluded = sorted(set(handoff["excluded"]) | ({exclude} if exclude else set()))
        queued_at = handoff["queued_at"]
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(self.key("handoff", handoff["id"]), mapping={
            "status": "queued", "agent": "", "offered_to": "", "offer_expires": "",
            "front": int(front or handoff["front"]), "excluded": json.dumps(excluded),
            "target_agent": target_agent, "skill": skill or handoff["skill"]})
        if handoff.get("agent"):
            pipe.srem(self.key("assigned", handoff["agent"]), handoff["id"])
        pipe.zadd(self.key("waiting"), {handoff["id"]: queued_at})
        await pipe.execute()

    async def release(self, handoff: Dict[str, Any], status: str, **changes: Any) -> None:
        """The agent is done with it (handed back, or waiting for the customer's rating)."""
        now = time.time()
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(self.key("handoff", handoff["id"]), mapping={"status": status, **changes})
        pipe.zrem(self.key("waiting"), handoff["id"])
        if handoff.get("agent"):
            pipe.srem(self.key("assigned", handoff["agent"]), handoff["id"])
            pipe.hset(self.key("presence", handoff["agent"]), "idle_since", now)
        if handoff.get("accepted_at"):
            pipe.lpush(self.key("handling"), round(now - handoff["accepted_at"], 1))
            pipe.ltrim(self.key("handling"), 0, HANDLING_SAMPLES - 1)
        await pipe.execute()

    async def await_rating(self, handoff_id: str, deadline: float) -> None:
        await self.redis.zadd(self.key("rating"), {handoff_id: deadline})

    async def ratings_overdue(self, now: float) -> List[str]:
        return await self.redis.zrangebyscore(self.key("rating"), "-inf", now)

    async def finish(self, handoff_id: str, conversation_id: str, **changes: Any) -> None:
        """The handoff is over: the conversation belongs to the bot again."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(self.key("handoff", handoff_id), mapping={"closed_at": time.time(), **changes})
        pipe.delete(self.key("open", conversation_id))
        pipe.zrem(self.key("waiting"), handoff_id)
        pipe.zrem(self.key("rating"), handoff_id)
        for name in ("handoff", "log", "seen"):  # kept as long as Rasa keeps the tracker
            pipe.expire(self.key(name, handoff_id), RETENTION_SECONDS)
        await pipe.execute()

    async def average_handling_seconds(self, default: float) -> float:
        samples = [float(value) for value in await self.redis.lrange(self.key("handling"), 0, -1)]
        return sum(samples) / len(samples) if samples else default

    # --- messages -----------------------------------------------------------------------------
    async def append_agent_message(self, handoff_id: str, message: Dict[str, Any]) -> Dict[str, Any]:
        """Adds an agent's message to the conversation's log (customers' come through the relay)."""
        entry = {**message, "timestamp": time.time()}
        pipe = self.redis.pipeline(transaction=True)
        pipe.xadd(self.key("log", handoff_id), {"json": json.dumps(entry, ensure_ascii=False)})
        pipe.hdel(self.key("handoff", handoff_id), "awaiting_reply_since")  # answered
        entry_id, _ = await pipe.execute()
        return {**entry, "id": entry_id}

    async def relay_customer_message(self, conversation_id: str, message: Dict[str, Any], message_id: str,
                                     clock_skew: float) -> Tuple[str, str, str]:
        """(handoff id or "", its status, log entry id or "") after RELAY_CUSTOMER_MESSAGE."""
        entry = {**message, "timestamp": message.get("timestamp") or time.time()}
        handoff_id, status, entry_id = await self._script(RELAY_CUSTOMER_MESSAGE)(args=[
            self.prefix, conversation_id, message_id or "", json.dumps(entry, ensure_ascii=False),
            entry["timestamp"], clock_skew, BUS_LENGTH])
        return handoff_id, status, entry_id

    async def messages(self, handoff_id: str) -> List[Dict[str, Any]]:
        return _decode_log(await self.redis.xrange(self.key("log", handoff_id)))

    # --- bus ----------------------------------------------------------------------------------
    async def publish(self, event: Dict[str, Any], agents: Iterable[str] = ()) -> None:
        """An event for the WebSockets of `agents` (and every supervisor), on whichever instance."""
        await self.redis.xadd(self.key("bus"), {"agents": json.dumps(sorted(set(agents))),
                                                "event": json.dumps(event, ensure_ascii=False)},
                              maxlen=BUS_LENGTH, approximate=True)


def _present(fields: Iterable[str], values: List[Optional[str]]) -> Dict[str, str]:
    """HMGET's answer shaped like HGETALL's: absent fields left out, {} when the hash is gone."""
    return {name: value for name, value in zip(fields, values) if value is not None}


def _decode_handoff(raw: Dict[str, str]) -> Dict[str, Any]:
    return _decode_fields({**raw, "context": json.loads(raw.get("context") or "{}")})


def _decode_fields(raw: Dict[str, str]) -> Dict[str, Any]:
    """Typed values of a handoff's hash, whole or some fields (no context decoded here)."""
    record: Dict[str, Any] = dict(raw)
    record["excluded"] = json.loads(raw.get("excluded") or "[]")
    for name in ("created_at", "queued_at", "offer_expires", "accepted_at", "closed_at", "awaiting_reply_since"):
        if record.get(name):
            record[name] = float(record[name])
    record["front"] = raw.get("front") == "1"
    return record


def _decode_log(entries) -> List[Dict[str, Any]]:
    return [{**json.loads(fields["json"]), "id": entry_id} for entry_id, fields in entries]


def waiting_for_routing(handoff: Dict[str, Any]) -> Waiting:
    return Waiting(handoff_id=handoff["id"], language=handoff["language"], skill=handoff["skill"],
                   priority=handoff["priority"], queued_at=handoff["queued_at"],
                   front=handoff["front"], excluded=frozenset(handoff["excluded"]),
                   target_agent=handoff.get("target_agent") or None)
