"""An asyncio Redis client to the same server as one of Rasa's synchronous clients.

Rasa 3.6's Redis tracker and lock stores talk to Redis with redis-py's blocking client from inside
the event loop: about nine round trips a turn during which no other conversation moves. Our stores
(bot/tracker_store.py, bot/lock_store.py) keep Rasa's client for the rare paths and use this twin,
built from the same connection settings, on the hot path.
"""
import redis
import redis.asyncio as aioredis

_SETTINGS = ("host", "port", "db", "username", "password", "socket_timeout", "socket_connect_timeout",
             "decode_responses")
_SSL_SETTINGS = ("ssl_keyfile", "ssl_certfile", "ssl_cert_reqs", "ssl_ca_certs")


def async_twin(client: redis.Redis) -> aioredis.Redis:
    pool = client.connection_pool
    settings = {key: pool.connection_kwargs[key] for key in _SETTINGS if key in pool.connection_kwargs}
    if issubclass(pool.connection_class, redis.SSLConnection):
        settings["ssl"] = True
        settings.update({key: pool.connection_kwargs[key] for key in _SSL_SETTINGS
                         if key in pool.connection_kwargs})
    return aioredis.Redis(**settings)
