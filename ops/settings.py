"""Where each backing server is, from environment variables with local defaults.

Setting REDIS_URL, NEO4J_URI or KAFKA_BOOTSTRAP_SERVERS means "use that server": the launcher then
starts nothing locally for it. Otherwise it starts its own on 127.0.0.1 (ports CS_REDIS_PORT,
CS_NEO4J_PORT, CS_KAFKA_PORT; defaults 6379, 7687, 9092). `rasa_environment()` turns these into the variables endpoints.yml reads.
"""
import os
from dataclasses import dataclass
from typing import Dict
from urllib.parse import urlparse


def _local_port(name: str, default: int) -> int:
    """Ports of the servers we start ourselves (CS_REDIS_PORT and friends), for side-by-side runs."""
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class Backends:
    redis_url: str
    neo4j_uri: str
    neo4j_user: str
    kafka_bootstrap: str
    redis_external: bool
    neo4j_external: bool
    kafka_external: bool


def backends() -> Backends:
    env = os.environ
    return Backends(
        redis_url=env.get("REDIS_URL") or f"redis://127.0.0.1:{_local_port('CS_REDIS_PORT', 6379)}/0",
        neo4j_uri=env.get("NEO4J_URI") or f"bolt://127.0.0.1:{_local_port('CS_NEO4J_PORT', 7687)}",
        neo4j_user=env.get("NEO4J_USER") or "neo4j",
        kafka_bootstrap=(env.get("KAFKA_BOOTSTRAP_SERVERS")
                         or f"127.0.0.1:{_local_port('CS_KAFKA_PORT', 9092)}"),
        redis_external=bool(env.get("REDIS_URL")),
        neo4j_external=bool(env.get("NEO4J_URI")),
        kafka_external=bool(env.get("KAFKA_BOOTSTRAP_SERVERS")),
    )


def rasa_environment() -> Dict[str, str]:
    """The variables that endpoints.yml interpolates (Rasa's Redis store wants host and port apart)."""
    b = backends()
    redis = urlparse(b.redis_url)
    db = (redis.path or "/0").lstrip("/") or "0"
    return {
        "REDIS_HOST": redis.hostname or "127.0.0.1",
        "REDIS_PORT": str(redis.port or 6379),
        "REDIS_DB": db,
        # The lock store keeps to its own database so a FLUSHDB of trackers never drops locks.
        "REDIS_LOCK_DB": os.environ.get("REDIS_LOCK_DB", str(int(db) + 1)),
        "REDIS_PASSWORD": redis.password or "",
        "KAFKA_BOOTSTRAP_SERVERS": b.kafka_bootstrap,
        "KAFKA_EVENTS_TOPIC": os.environ.get("KAFKA_EVENTS_TOPIC", "rasa_events"),
        "KAFKA_SECURITY_PROTOCOL": os.environ.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"),
        "ACTION_SERVER_URL": os.environ.get("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook"),
        # credentials.yml, Messenger: the Graph API (tests point it at a local server) and the
        # Facebook page ids this bot serves (comma-separated); the secrets come from .run/dev.env.
        "MESSENGER_GRAPH_API_URL": os.environ.get("MESSENGER_GRAPH_API_URL", "https://graph.facebook.com"),
        "MESSENGER_PAGE_IDS": os.environ.get("MESSENGER_PAGE_IDS", "cs-demo-page"),
        # credentials.yml, callback channel: where each bot message is POSTed.
        "CALLBACK_URL": os.environ.get("CALLBACK_URL", "http://127.0.0.1:5034/bot"),
    }
