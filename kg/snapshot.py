"""A value read from the graph, kept in memory, and read again in the background once old.

The lexicon, the catalog and the FAQ vectors are small next to the cost of asking Neo4j for them
on every question, and change only when the graph is loaded again. When one is older than asked,
it is read again in the background and callers keep getting the kept value until the new one is
in: no question waits for a refresh (the FAQ vectors take a fifth of a second to read). Only the
first read is waited for, and callers arriving meanwhile wait for that same read: twenty customers
asking at once make one query, not twenty.
"""
import asyncio
import logging
import time
from typing import Awaitable, Callable, Generic, Optional, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class Snapshot(Generic[T]):
    def __init__(self, name: str, read: Callable[[], Awaitable[T]]) -> None:
        self.name = name
        self._read = read
        self._value: Optional[T] = None
        self._read_at = 0.0
        self._reading: Optional["asyncio.Future[T]"] = None

    async def get(self, max_age_seconds: float) -> T:
        """The kept value; the first call waits for the first read, and a failed first read
        raises to every caller waiting for it (the next call tries again)."""
        if self._value is None:
            # Shielded: a caller that gives up (its request cancelled) must not cancel the others' read.
            return await asyncio.shield(self._start_reading())
        if time.monotonic() - self._read_at > max_age_seconds:
            self._start_reading()
        return self._value

    async def refreshed(self) -> None:
        """Returns once a read under way, if any, has ended (for tests and tools)."""
        if self._reading is not None:
            await asyncio.wait({self._reading})

    def _start_reading(self) -> "asyncio.Future[T]":
        if self._reading is None:
            self._reading = asyncio.ensure_future(self._read_and_keep())
        return self._reading

    async def _read_and_keep(self) -> T:
        started = time.monotonic()
        try:
            value = await self._read()
        except Exception as error:
            if self._value is None:
                raise
            log.warning("could not read the %s again, still using the one read %.0f s ago: %r",
                        self.name, started - self._read_at, error)
            return self._value
        finally:
            self._reading = None
        self._value, self._read_at = value, started
        return value
