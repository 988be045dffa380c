"""bot/lock_store.py on the real Redis: the same ticket protocol as Rasa's RedisLockStore (one message
of a conversation at a time, in arrival order), the same keys, and no blocking call on the loop."""
import asyncio
import uuid

import pytest
from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AsyncRedisLockStore
from ops.settings import rasa_environment

pytestmark = pytest.mark.services


def settings(prefix):
    env = rasa_environment()
    return {"host": env["REDIS_HOST"], "port": int(env["REDIS_PORT"]), "db": int(env["REDIS_LOCK_DB"]),
            "password": env["REDIS_PASSWORD"] or None, "key_prefix": prefix}


@pytest.fixture
def prefix():
    return f"locktest{uuid.uuid4().hex[:8]}"


@pytest.fixture
def store(prefix):
    return AsyncRedisLockStore(**settings(prefix))


async def test_messages_of_one_conversation_take_turns_in_arrival_order(store):
    conversation, order, inside = f"c-{uuid.uuid4().hex[:6]}", [], []

    async def handle(message: int) -> None:
        async with store.lock(conversation, wait_time_in_seconds=0.01):
            inside.append(message)
            assert len(inside) == 1, "two messages of one conversation at once"
            await asyncio.sleep(0.05)
            order.append(message)
            inside.remove(message)

    tasks = []
    for message in range(4):
        tasks.append(asyncio.create_task(handle(message)))
        await asyncio.sleep(0.005)  # arrive in this order
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3]
    assert await store.aio.get(store.key_prefix + conversation) is None, "the lock is removed after the last"


async def test_a_message_alone_takes_and_releases_the_lock_in_two_round_trips(store, monkeypatch):
    calls, send = [], store.aio.execute_command

    async def counted(*args, **options):
        calls.append(args[0])
        return await send(*args, **options)

    monkeypatch.setattr(store.aio, "execute_command", counted)
    async with store.lock("alone") as lock:
        assert not lock.is_locked(lock.last_issued)
    assert len(calls) == 2, calls  # issue the ticket, give it back: one script each
    assert await store.aio.get(store.key_prefix + "alone") is None


async def test_an_expired_ticket_neither_blocks_nor_stays(store, prefix):
    rasas = RedisLockStore(**settings(prefix))
    rasas.issue_ticket("stale", lock_lifetime=0.01)  # a message that died holding the lock
    assert [t.number for t in rasas.get_lock("stale").tickets] == [0]
    await asyncio.sleep(0.05)
    async with store.lock("stale", wait_time_in_seconds=10) as lock:
        # Numbered as Rasa's store numbers it: expired tickets are dropped before issuing.
        assert [t.number for t in lock.tickets] == [0] and not lock.is_locked(0)
    assert await store.aio.get(store.key_prefix + "stale") is None


async def test_other_conversations_do_not_wait(store):
    async with store.lock("busy-conversation"):
        async with store.lock("another-conversation", wait_time_in_seconds=10):
            pass  # would wait 10 s if locks were shared


async def test_rasas_store_sees_the_same_lock(store, prefix):
    rasas = RedisLockStore(**settings(prefix))
    async with store.lock("shared") as lock:
        seen = rasas.get_lock("shared")
        assert seen is not None and seen.conversation_id == "shared"
        assert [t.number for t in seen.tickets] == [t.number for t in lock.tickets]
        waiting = rasas.issue_ticket("shared")
        assert seen.is_locked(waiting) or rasas.get_lock("shared").is_locked(waiting)
    rasas.cleanup("shared", waiting)
    assert rasas.get_lock("shared") is None


async def test_an_expired_lock_is_an_error_not_a_wait(store):
    with pytest.raises(LockError, match="Could not acquire lock"):
        async with store.lock("short", lock_lifetime=0.01, wait_time_in_seconds=0.05):
            async with store.lock("short", lock_lifetime=0.01, wait_time_in_seconds=0.05):
                pass


async def test_endpoints_yml_creates_it_with_rasas_keys(prefix):
    env = rasa_environment()
    config = EndpointConfig(url=env["REDIS_HOST"], type="bot.lock_store.AsyncRedisLockStore",
                            port=env["REDIS_PORT"], db=env["REDIS_LOCK_DB"],
                            password=env["REDIS_PASSWORD"] or None, key_prefix=prefix)
    store = LockStore.create(config)
    assert isinstance(store, AsyncRedisLockStore)
    assert store.key_prefix == f"{prefix}:lock:"
    async with store.lock("from-endpoints"):
        assert await store.aio.exists(store.key_prefix + "from-endpoints")
