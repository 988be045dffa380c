"""Rasa's Redis lock store, waiting for Redis without blocking the event loop.

Every message takes its conversation's lock: Rasa's `RedisLockStore` issues a ticket, waits for its
turn and cleans up in seven blocking round trips to Redis, each one stalling every other
conversation on the loop. This store runs the same ticket protocol (rasa/core/lock_store.py's
`LockStore.lock`), with the same keys and the same serialised `TicketLock`, through an asyncio
client (bot/async_redis.py): a Rasa server with the plain store and one with this can share a Redis.
Rasa's synchronous methods keep working.

Issuing a ticket and giving it back each change the lock: a read, a change and a write. Each is one
Lua script, so it is atomic in Redis and one round trip; a message alone in its conversation takes
and releases the lock in two round trips, and no message waits for another conversation's change.
"""
import asyncio
import json
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Optional, Text, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.async_redis import async_twin

# TicketLock.dumps() in Lua: {"conversation_id": ..., "tickets": ["<ticket JSON>", ...]}, each ticket
# {"number": n, "expires": unix time}. A ticket has expired when now > expires (Ticket.has_expired).
_UNEXPIRED_TICKETS = """
local function unexpired_tickets(raw, now)
  local kept = {}
  if raw then
    for _, serialised in ipairs(cjson.decode(raw).tickets) do
      local ticket = cjson.decode(serialised)
      if ticket.expires >= now then table.insert(kept, {ticket = ticket, serialised = serialised}) end
    end
  end
  return kept
end
"""
# TicketLock.issue_ticket: expired tickets dropped, the next number after the last one (0 for the
# first), the lock written back. KEYS: lock key. ARGV: conversation id, now, lifetime.
# Returns {the new ticket's number, the lock as written}.
ISSUE_TICKET = _UNEXPIRED_TICKETS + """
local now = tonumber(ARGV[2])
local kept = unexpired_tickets(redis.call('GET', KEYS[1]), now)
local number = 0
if #kept > 0 then number = kept[#kept].ticket.number + 1 end
local tickets = {}
for i, entry in ipairs(kept) do tickets[i] = entry.serialised end
table.insert(tickets, cjson.encode({number = number, expires = now + tonumber(ARGV[3])}))
local lock = cjson.encode({conversation_id = ARGV[1], tickets = tickets})
redis.call('SET', KEYS[1], lock)
return {number, lock}
"""
# LockStore.cleanup: the ticket given back; the lock deleted when no unexpired ticket is left.
# KEYS: lock key. ARGV: ticket number, now.
RETURN_TICKET = _UNEXPIRED_TICKETS + """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local tickets = {}
for _, entry in ipairs(unexpired_tickets(raw, tonumber(ARGV[2]))) do
  if entry.ticket.number ~= tonumber(ARGV[1]) then table.insert(tickets, entry.serialised) end
end
if #tickets == 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], cjson.encode({conversation_id = cjson.decode(raw).conversation_id, tickets = tickets}))
end
return #tickets
"""


def _holds(lock: TicketLock, ticket: int) -> bool:
    """Whether the ticket is still in the lock's queue, not expired."""
    return any(t.number == ticket and not t.has_expired() for t in lock.tickets)


class AsyncRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **settings: Any) -> None:
        """From endpoints.yml (`type: bot.lock_store.AsyncRedisLockStore` and the keys of Rasa's
        `type: redis`), or from RedisLockStore's keyword arguments."""
        if endpoint_config is not None:
            settings = {"host": endpoint_config.url, **endpoint_config.kwargs}
        super().__init__(**settings)
        self.aio = async_twin(self.red)
        self._issue = self.aio.register_script(ISSUE_TICKET)
        self._return = self.aio.register_script(RETURN_TICKET)

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        ticket, lock = await self._issue_ticket(conversation_id, lock_lifetime)
        try:
            # Usually no earlier message holds the lock: the lock as written says so, and tickets
            # issued later queue behind this one.
            if lock.is_locked(ticket):
                lock = await self._wait_for_turn(conversation_id, ticket, wait_time_in_seconds)
            yield lock
        finally:
            await self._cleanup(conversation_id, ticket)

    async def _load(self, conversation_id: Text) -> Optional[TicketLock]:
        serialised = await self.aio.get(self.key_prefix + conversation_id)
        return TicketLock.from_dict(json.loads(serialised)) if serialised else None

    async def _issue_ticket(self, conversation_id: Text, lock_lifetime: float) -> Tuple[int, TicketLock]:
        """The new ticket's number, and the lock as written with it."""
        try:
            ticket, lock = await self._issue(keys=[self.key_prefix + conversation_id],
                                             args=[conversation_id, time.time(), lock_lifetime])
            return int(ticket), TicketLock.from_dict(json.loads(lock))
        except Exception as error:  # as Rasa's issue_ticket: any failure is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    async def _wait_for_turn(self, conversation_id: Text, ticket: int,
                             wait_time_in_seconds: float) -> TicketLock:
        while True:
            lock = await self._load(conversation_id)
            if not lock or not _holds(lock, ticket):
                # The ticket expired while it waited (Rasa's store would then wait forever: an
                # expired ticket is never served): the message fails instead of hanging.
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            if not lock.is_locked(ticket):  # expired tickets ahead of it count as gone
                return lock
            await asyncio.sleep(wait_time_in_seconds)

    async def _cleanup(self, conversation_id: Text, ticket: int) -> None:
        await self._return(keys=[self.key_prefix + conversation_id], args=[ticket, time.time()])
