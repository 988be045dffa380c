"""redis-py reads Redis replies with hiredis' C parser (requirements.in says why: its pure-Python
parser took 18 ms to read the handoff queue that every handoff request and routing round reads)."""
import redis.asyncio.connection
import redis.connection
from redis.utils import HIREDIS_AVAILABLE


def test_redis_replies_are_parsed_by_hiredis():
    assert HIREDIS_AVAILABLE
    assert redis.asyncio.connection.DefaultParser.__name__ == "HiredisParser"
    assert redis.connection.DefaultParser.__name__ == "HiredisParser"
