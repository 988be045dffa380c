"""The stream processor's settings, from environment variables with local defaults.

STREAM_PSEUDONYM_KEY has no default: the dev env (ops/devenv.py) generates it, production sets it.
Changing it changes every pseudonym and event id, so keep it as long as the topic's consumers
need to recognise conversations and duplicates.
"""
import os
from dataclasses import dataclass
from typing import Mapping, Optional

from ops.settings import backends


class ConfigError(ValueError):
    pass


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} must be positive")
    return value


@dataclass(frozen=True)
class Settings:
    host: str
    port: int                  # /health
    kafka_bootstrap: str
    events_topic: str          # Rasa's tracker events (input)
    topic: str                 # the envelopes (output)
    group: str                 # one consumer group for all instances: each event is processed by one
    pseudonym_key: bytes       # HMAC key of conversation pseudonyms and event ids
    batch_size: int            # records per poll; their offsets are committed together
    conversations: int         # conversations whose channel and language are remembered (LRU)

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if env is None else env
        key = env.get("STREAM_PSEUDONYM_KEY")
        if not key:
            raise ConfigError("STREAM_PSEUDONYM_KEY is not set (the dev env file .run/dev.env has one: "
                              "`make run` loads it)")
        return cls(
            host=env.get("STREAM_HOST", "127.0.0.1"),
            port=_positive_int(env, "STREAM_PORT", 8095),
            kafka_bootstrap=env.get("KAFKA_BOOTSTRAP_SERVERS") or backends().kafka_bootstrap,
            events_topic=env.get("KAFKA_EVENTS_TOPIC", "rasa_events"),
            topic=env.get("STREAM_TOPIC", "cs.messages"),
            group=env.get("STREAM_GROUP", "cs-stream"),
            pseudonym_key=key.encode(),
            batch_size=_positive_int(env, "STREAM_BATCH_SIZE", 500),
            conversations=_positive_int(env, "STREAM_CONVERSATIONS", 10_000),
        )
