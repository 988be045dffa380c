"""Rasa's Redis lock store, waiting for Redis without blocking the event loop.

Every message takes its conversation's lock: Rasa's `RedisLockStore` issues a ticket, waits for its
turn and cleans up in seven blocking round trips to Redis, each one stalling every other
conversation on the loop. This store runs the same ticket protocol (rasa/core/lock_store.py's
`LockStore.lock`), with the same keys and the same serialised `TicketLock`, through an asyncio
client (bot/async_redis.py): a Rasa server with the plain store and one with this can share a Redis.
Rasa's synchronous methods keep working.

Each change to a lock is a read, a change and a write. Rasa's blocking calls made that atomic within
a process, as nothing else ran meanwhile; awaiting Redis lets other messages in between, and two
messages issuing tickets at once would overwrite each other's. So changes take turns on a mutex:
two short round trips each, held by no one while a message is being handled.
"""
import asyncio
import json
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Optional, Text, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.async_redis import async_twin


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
        self._changing = asyncio.Lock()

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        lock, ticket = await self._issue_ticket(conversation_id, lock_lifetime)
        try:
            # Usually no earlier message holds the lock: the lock just written says so, and
            # tickets issued later queue behind this one, so it need not be read again.
            if lock.is_locked(ticket):
                lock = await self._wait_for_turn(conversation_id, ticket, wait_time_in_seconds)
            yield lock
        finally:
            await self._cleanup(conversation_id, ticket)

    async def _load(self, conversation_id: Text) -> Optional[TicketLock]:
        serialised = await self.aio.get(self.key_prefix + conversation_id)
        return TicketLock.from_dict(json.loads(serialised)) if serialised else None

    async def _save(self, lock: TicketLock) -> None:
        await self.aio.set(self.key_prefix + lock.conversation_id, lock.dumps())

    async def _issue_ticket(self, conversation_id: Text, lock_lifetime: float) -> Tuple[TicketLock, int]:
        """The lock as written with the new ticket, and the ticket."""
        try:
            async with self._changing:
                lock = await self._load(conversation_id) or self.create_lock(conversation_id)
                ticket = lock.issue_ticket(lock_lifetime)
                await self._save(lock)
            return lock, ticket
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
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
            async with self._changing:
                lock = await self._load(conversation_id)
                if lock:
                    lock.remove_expired_tickets()
                    await self._save(lock)

    async def _cleanup(self, conversation_id: Text, ticket: int) -> None:
        async with self._changing:
            lock = await self._load(conversation_id)
            if lock:
                lock.remove_ticket_for(ticket)
            if lock and lock.is_someone_waiting():
                await self._save(lock)
            else:
                await self.aio.delete(self.key_prefix + conversation_id)
