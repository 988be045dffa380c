"""The Redis our channels keep their messages in: the tracker store's server and database, from the
same environment variables endpoints.yml reads."""
import os

import redis.asyncio as aioredis


def redis_from_env() -> aioredis.Redis:
    return aioredis.Redis(host=os.environ.get("REDIS_HOST", "127.0.0.1"),
                          port=int(os.environ.get("REDIS_PORT", 6379)),
                          db=int(os.environ.get("REDIS_DB", 0)),
                          password=os.environ.get("REDIS_PASSWORD") or None, decode_responses=True)
