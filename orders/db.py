"""Database access: one async engine, read and write transactions, schema creation.

SQLite (the default) allows one writer at a time; writes are queued on an asyncio lock in this
process instead of failing with "database is locked", and a busy timeout covers other processes
(a `seed` run beside the server). PostgreSQL gets row locks and a connection pool instead.
"""
import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable, Optional, TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from orders.schema import metadata

log = logging.getLogger("orders.db")

# What a database that is down or unreachable raises (an OSError when the connection is refused).
UNAVAILABLE_ERRORS = (OSError, asyncio.TimeoutError)


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` means "cannot reach the database" rather than a bug or bad data."""
    if isinstance(exc, UNAVAILABLE_ERRORS + (OperationalError, InterfaceError)):
        return True  # OperationalError also covers SQLite's "database is locked": transient too
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_SECONDS = 15
# A write that loses a race for a new id (two orders created at once) is tried again this often.
WRITE_ATTEMPTS = 3


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # off by default in SQLite
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the writer
    cursor.close()


class Database:
    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.backend = parsed.get_backend_name()
        self.is_sqlite = self.backend == "sqlite"
        kwargs = {"hide_parameters": True}  # SQL errors must never echo customer data into logs
        if self.is_sqlite:
            database = parsed.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            # SQLAlchemy 1.4 opens a new aiosqlite thread per checkout by default; keep a few open.
            kwargs.update(
                poolclass=AsyncAdaptedQueuePool,
                pool_size=5,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
        else:
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_on_connect)
        self._write_lock: Optional[asyncio.Lock] = asyncio.Lock() if self.is_sqlite else None
        self._schema_lock = asyncio.Lock()
        self._schema_ready = False

    async def create_schema(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        self._schema_ready = True

    async def ensure_schema(self) -> None:
        """Creates the tables once; a server that started while the database was down catches up here."""
        if self._schema_ready:
            return
        async with self._schema_lock:
            if not self._schema_ready:
                await self.create_schema()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One transaction: committed when the block ends, rolled back whole if it raises."""
        if self._write_lock is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._write_lock:
            async with self.engine.begin() as conn:
                yield conn

    async def run_write(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Runs ``work`` in a write transaction, again in a fresh one if it lost a race on a key."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                async with self.write() as conn:
                    return await work(conn)
            except IntegrityError:
                if attempt == WRITE_ATTEMPTS:
                    raise
                log.info("write conflict on a key, retrying", extra={"attempt": attempt})
        raise AssertionError("unreachable")

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()
