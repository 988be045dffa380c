"""Our own processes: the Rasa server, the action server, the order API, the handoff service and
the stream processor.

They are LocalServers like Redis or Neo4j, so `make run` and the test fixtures start, watch and
stop them with the same code (ops.process). Ports come from the environment.
"""
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List

from ops.paths import ROOT
from ops.process import LocalServer

MODEL_NAME = "cs-assistant"
MODEL_PATH = ROOT / "models" / f"{MODEL_NAME}.tar.gz"


def http_answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _rasa_cli(plain: bool = False) -> List[str]:
    # ops.rasa fills the environment endpoints.yml needs, then becomes `rasa` (with our patches
    # to its hot path, bot/rasa_patches.py, unless plain).
    return [sys.executable, "-m", "ops.rasa"] + (["--plain"] if plain else [])


class HttpApp(LocalServer):
    """A process of ours that serves HTTP on 127.0.0.1:port and has a health URL."""

    health_path = "/"

    def __init__(self, name: str, port: int):
        self.name = name
        self.port = port

    def external(self) -> bool:
        return False

    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ping(self, ours: bool) -> bool:
        return http_answers(self.address() + self.health_path)

    def environment(self) -> Dict[str, str]:
        # Commands run from the home folder (that is how we recognise our pid), so the project
        # root goes on the import path explicitly.
        return {"PYTHONPATH": str(ROOT)}


class RasaServer(HttpApp):
    start_timeout = 180.0  # loading TensorFlow and the model takes a while on 2 cores

    def __init__(self, name: str = "rasa", port: int = None, model: Path = MODEL_PATH,
                 action_server_url: str = None, handoff_url: str = None, project: Path = ROOT,
                 plain: bool = False):
        super().__init__(name, port or int(os.environ.get("RASA_PORT", 5005)))
        self.model = model
        self.plain = plain  # Rasa as released, without bot/rasa_patches.py (the bench's baseline)
        self.project = project  # where endpoints.yml and credentials.yml are
        self.action_server_url = action_server_url
        self.handoff_url = handoff_url  # the widget channel tells it when a customer is typing

    def environment(self) -> Dict[str, str]:
        extra = super().environment()
        if self.action_server_url:
            extra["ACTION_SERVER_URL"] = self.action_server_url
        if self.handoff_url:
            extra["HANDOFF_URL"] = self.handoff_url
        return extra

    def command(self) -> List[str]:
        return _rasa_cli(self.plain) + [
            "run", "--enable-api", "--auth-token", os.environ["RASA_TOKEN"],
            "--interface", "127.0.0.1", "--port", str(self.port),
            "--model", str(self.model),
            "--endpoints", str(self.project / "endpoints.yml"),
            "--credentials", str(self.project / "credentials.yml"),
            "--cors", "*",
        ]


class ActionServer(HttpApp):
    health_path = "/health"
    start_timeout = 90.0

    def __init__(self, name: str = "actions", port: int = None, orders_url: str = None,
                 handoff_url: str = None):
        super().__init__(name, port or int(os.environ.get("ACTIONS_PORT", 5055)))
        self.orders_url = orders_url
        self.handoff_url = handoff_url

    def environment(self) -> Dict[str, str]:
        extra = super().environment()
        if self.orders_url:
            extra["ORDERS_API_URL"] = self.orders_url
        if self.handoff_url:
            extra["HANDOFF_URL"] = self.handoff_url
        return extra

    def command(self) -> List[str]:
        return _rasa_cli() + ["run", "actions", "--actions", "actions", "--port", str(self.port)]

    def webhook_url(self) -> str:
        return f"{self.address()}/webhook"


class OrdersApi(HttpApp):
    """The reference order API (orders/), seeded with the demo data when its SQLite file is new."""

    health_path = "/health"
    start_timeout = 60.0

    def __init__(self, name: str = "orders", port: int = None, database_url: str = None):
        super().__init__(name, port or int(os.environ.get("ORDERS_PORT", 8081)))
        self.database_url = database_url

    def environment(self) -> Dict[str, str]:
        extra = {**super().environment(), "ORDERS_HOST": "127.0.0.1", "ORDERS_PORT": str(self.port)}
        if self.database_url:
            extra["ORDERS_DATABASE_URL"] = self.database_url
        return extra

    def prepare(self) -> None:
        super().prepare()
        from orders.config import Settings

        env = {**os.environ, **self.environment()}
        url = self.database_url or Settings.from_env(env).database_url
        sqlite_file = url.split("///", 1)[1] if url.startswith("sqlite") else None
        if sqlite_file and not Path(sqlite_file).exists():
            subprocess.run([sys.executable, "-m", "orders", "seed"], env=env, cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)

    def command(self) -> List[str]:
        return [sys.executable, "-m", "orders", "serve"]


class HandoffService(HttpApp):
    """The handoff service (handoff/): queue, routing, agents' WebSockets, Kafka relay."""

    health_path = "/health"
    start_timeout = 60.0

    def __init__(self, name: str = "handoff", port: int = None, rasa_url: str = None,
                 key_prefix: str = None, kafka_group: str = None):
        super().__init__(name, port or int(os.environ.get("HANDOFF_PORT", 8090)))
        self.rasa_url = rasa_url
        self.key_prefix = key_prefix  # tests use their own keys and consumer group
        self.kafka_group = kafka_group

    def environment(self) -> Dict[str, str]:
        extra = {**super().environment(), "HANDOFF_HOST": "127.0.0.1", "HANDOFF_PORT": str(self.port)}
        optional = {"RASA_URL": self.rasa_url, "HANDOFF_KEY_PREFIX": self.key_prefix,
                    "HANDOFF_KAFKA_GROUP": self.kafka_group}
        return {**extra, **{name: value for name, value in optional.items() if value}}

    def command(self) -> List[str]:
        return [sys.executable, "-m", "handoff", "serve"]


class StreamProcessor(HttpApp):
    """The stream processor (stream/): Rasa's events -> masked envelopes on STREAM_TOPIC."""

    health_path = "/health"
    start_timeout = 60.0

    def __init__(self, name: str = "stream", port: int = None, events_topic: str = None,
                 topic: str = None, group: str = None):
        super().__init__(name, port or int(os.environ.get("STREAM_PORT", 8095)))
        self.events_topic = events_topic  # tests use their own topics and consumer group
        self.topic = topic
        self.group = group

    def environment(self) -> Dict[str, str]:
        extra = {**super().environment(), "STREAM_HOST": "127.0.0.1", "STREAM_PORT": str(self.port)}
        optional = {"KAFKA_EVENTS_TOPIC": self.events_topic, "STREAM_TOPIC": self.topic,
                    "STREAM_GROUP": self.group}
        return {**extra, **{name: value for name, value in optional.items() if value}}

    def command(self) -> List[str]:
        return [sys.executable, "-m", "stream", "serve"]


def load_graph_if_empty() -> None:
    """The knowledge graph seed goes into an empty Neo4j (python -m kg load --if-empty)."""
    subprocess.run([sys.executable, "-m", "kg", "load", "--if-empty"], cwd=ROOT, check=True)


def warm_graph() -> None:
    """Runs the actions' graph queries until Neo4j answers them at its steady speed (kg/warm.py):
    20-30 s when it already does, 40-60 s right after it started."""
    subprocess.run([sys.executable, "-m", "kg", "warm"], cwd=ROOT, check=True)
