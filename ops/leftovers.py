"""What a benchmark run leaves behind: processes of an interrupted run (refused before a new run),
and its Redis keys (in the main and the lock database), Kafka topics and consumer groups (removed
after it). Each removal on its own: one failing must not leave the others undone; a failure is
printed, not raised, because the run's results are already in."""
import asyncio
import os
import sys
from typing import Callable, Dict, List, Sequence
from urllib.parse import urlparse

import redis.asyncio as aioredis
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from ops.process import LocalServer, our_pid

# Nothing to remove: a group that never committed, a topic never created.
_ALREADY_GONE = (KafkaError.GROUP_ID_NOT_FOUND, KafkaError.UNKNOWN_TOPIC_OR_PART)


async def delete_keys(redis_url: str, pattern: str) -> int:
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        keys = [key async for key in redis.scan_iter(match=pattern, count=1000)]
        if keys:
            await redis.delete(*keys)
        return len(keys)
    finally:
        await redis.close()


def redis_db_url(url: str, db: str) -> str:
    return urlparse(url)._replace(path=f"/{db}").geturl()


def remove_leftovers(redis_url: str, key_pattern: str, kafka_bootstrap: str,
                     topics: Sequence[str] = (), groups: Sequence[str] = ()) -> None:
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    lock_db = os.environ.get("REDIS_LOCK_DB", "1")
    steps: Dict[str, Callable[[], object]] = {
        "redis keys": lambda: asyncio.run(delete_keys(redis_url, key_pattern)),
        "redis lock keys": lambda: asyncio.run(delete_keys(redis_db_url(redis_url, lock_db), key_pattern)),
    }
    for topic in topics:
        steps[f"kafka topic {topic}"] = lambda topic=topic: admin.delete_topics([topic])[topic].result(30)
    for group in groups:
        steps[f"kafka group {group}"] = lambda group=group: admin.delete_consumer_groups([group])[group].result(30)
    for name, step in steps.items():
        try:
            step()
        except KafkaException as failure:
            if failure.args[0].code() not in _ALREADY_GONE:
                print(f"cleanup of {name} failed: {failure}", file=sys.stderr)
        except Exception as failure:  # noqa: BLE001 - reported; the other steps still run
            print(f"cleanup of {name} failed: {failure}", file=sys.stderr)


def refuse_leftovers(servers: List[LocalServer]) -> None:
    """A bench process still running from an interrupted run would be reused with the wrong ports."""
    for server in servers:
        pid = our_pid(server)
        if pid is not None:
            raise SystemExit(f"{server.name} from an earlier bench run is still running (pid {pid}, "
                             f"{server.home}); end it first (kill {pid}).")
