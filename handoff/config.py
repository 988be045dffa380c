"""The handoff service's settings, from environment variables with local defaults.

Secrets (HANDOFF_SERVICE_TOKEN, HANDOFF_TOKEN_SECRET, RASA_TOKEN) have no defaults: the dev env
(ops/devenv.py) generates them, production sets them.
"""
import os
from dataclasses import dataclass
from typing import Mapping, Optional

from ops.settings import backends


class ConfigError(ValueError):
    pass


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} must be positive")
    return value


def _secret(env: Mapping[str, str], name: str) -> str:
    value = env.get(name)
    if not value:
        raise ConfigError(f"{name} is not set (the dev env file .run/dev.env has one: `make run` loads it)")
    return value


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    redis_url: str
    key_prefix: str              # every Redis key starts with it, so tests can use their own
    kafka_bootstrap: str
    kafka_events_topic: str
    kafka_group: str             # one consumer group for all instances: each event is relayed once
    rasa_url: str
    public_rasa_url: str         # Rasa as customers' browsers reach it (the demo shop's widget)
    rasa_token: str
    service_token: str           # the action server's token
    token_secret: str            # signs agents' login tokens
    token_ttl_seconds: float
    offer_timeout_seconds: float  # an offer not accepted in this time goes to the next agent
    silent_agent_seconds: float   # an agent unseen this long has their conversations re-queued
    overflow: str                 # no online agent speaks the language: "wait" or "translate"
    max_message_chars: int
    average_handling_seconds: float  # expected-wait estimate until real handling times exist
    sla_seconds: float            # a customer waiting longer for a person is flagged to supervisors
    relay_enabled: bool

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if env is None else env
        overflow = env.get("HANDOFF_OVERFLOW", "wait")
        if overflow not in ("wait", "translate"):
            raise ConfigError(f"HANDOFF_OVERFLOW={overflow!r}: use 'wait' or 'translate'")
        local = backends()
        rasa_url = env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/")
        return cls(
            host=env.get("HANDOFF_HOST", "127.0.0.1"),
            port=int(_number(env, "HANDOFF_PORT", 8090)),
            redis_url=env.get("REDIS_URL") or local.redis_url,
            key_prefix=env.get("HANDOFF_KEY_PREFIX", "ho"),
            kafka_bootstrap=env.get("KAFKA_BOOTSTRAP_SERVERS") or local.kafka_bootstrap,
            kafka_events_topic=env.get("KAFKA_EVENTS_TOPIC", "rasa_events"),
            kafka_group=env.get("HANDOFF_KAFKA_GROUP", "handoff-relay"),
            rasa_url=rasa_url,
            public_rasa_url=(env.get("HANDOFF_PUBLIC_RASA_URL") or rasa_url).rstrip("/"),
            rasa_token=_secret(env, "RASA_TOKEN"),
            service_token=_secret(env, "HANDOFF_SERVICE_TOKEN"),
            token_secret=_secret(env, "HANDOFF_TOKEN_SECRET"),
            token_ttl_seconds=_number(env, "HANDOFF_TOKEN_TTL_SECONDS", 8 * 3600),
            offer_timeout_seconds=_number(env, "HANDOFF_OFFER_TIMEOUT_SECONDS", 30),
            silent_agent_seconds=_number(env, "HANDOFF_SILENT_AGENT_SECONDS", 5 * 60),
            overflow=overflow,
            max_message_chars=int(_number(env, "HANDOFF_MAX_MESSAGE_CHARS", 4000)),
            average_handling_seconds=_number(env, "HANDOFF_AVERAGE_HANDLING_SECONDS", 240),
            sla_seconds=_number(env, "HANDOFF_SLA_SECONDS", 120),
            relay_enabled=env.get("HANDOFF_RELAY", "on") != "off",
        )
