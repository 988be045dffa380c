"""`python -m ops.services` (what `make services` runs) on its own run folder and ports.

Starts a second, private Redis/Neo4j/Kafka set so the servers the other tests use are untouched.
"""
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Producer
from neo4j import GraphDatabase

from ops.paths import ROOT
from ops.settings import backends
from tests.conftest import free_port
from tests.integration.kafka_helpers import read_json_messages_sync

pytestmark = pytest.mark.services


class PrivateServices:
    def __init__(self, run_dir: Path):
        self.run_dir = run_dir
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("REDIS_URL", "NEO4J_URI", "KAFKA_BOOTSTRAP_SERVERS")}
        self.ports = {"redis": free_port(), "neo4j": free_port(), "kafka": free_port()}
        self.env.update(CS_RUN_DIR=str(run_dir), CS_REDIS_PORT=str(self.ports["redis"]),
                        CS_NEO4J_PORT=str(self.ports["neo4j"]), CS_KAFKA_PORT=str(self.ports["kafka"]))

    def cli(self, command: str) -> str:
        result = subprocess.run([sys.executable, "-m", "ops.services", command], cwd=ROOT,
                                env=self.env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def pid(self, name: str) -> int:
        return int((self.run_dir / name / "server.pid").read_text())

    def processes_in_run_dir(self) -> list:
        """Every live process whose working directory is inside our run folder."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if Path(os.readlink(entry / "cwd")).is_relative_to(self.run_dir):
                        found.append(int(entry.name))
                except OSError:
                    pass
        return found


@pytest.fixture(scope="module")
def private(tmp_path_factory):
    services = PrivateServices(tmp_path_factory.mktemp("run"))
    yield services
    services.cli("stop")


def test_start_then_start_again_starts_nothing(private):
    first = private.cli("start")
    assert first.count(": started (pid") == 3, first
    second = private.cli("start")
    assert "started (pid" not in second, second
    assert second.count("already running") == 3, second


def test_killed_servers_come_back_with_their_data(private):
    marker = uuid.uuid4().hex
    auth = ("neo4j", os.environ["NEO4J_PASSWORD"])
    bolt = f"bolt://127.0.0.1:{private.ports['neo4j']}"
    with GraphDatabase.driver(bolt, auth=auth) as driver:
        driver.execute_query("CREATE (:Survivor {marker: $marker})", marker=marker)
    kafka = f"127.0.0.1:{private.ports['kafka']}"
    producer = Producer({"bootstrap.servers": kafka})
    producer.produce("survivors", json.dumps({"marker": marker}).encode())
    assert producer.flush(10) == 0

    for name in ("neo4j", "kafka"):
        os.killpg(private.pid(name), signal.SIGKILL)
    time.sleep(1)
    assert private.cli("status").count("stopped") == 2

    restarted = private.cli("start")
    assert restarted.count(": started (pid") == 2, restarted

    with GraphDatabase.driver(bolt, auth=auth) as driver:
        records, _, _ = driver.execute_query(
            "MATCH (n:Survivor {marker: $marker}) RETURN count(n) AS n", marker=marker)
    assert records[0]["n"] == 1

    messages = read_json_messages_sync("survivors", lambda got: {"marker": marker} in got,
                                       timeout=30, bootstrap=kafka)
    assert {"marker": marker} in messages


def test_stop_leaves_no_process_of_ours(private):
    assert private.processes_in_run_dir(), "servers should be running before the stop"
    private.cli("stop")
    assert private.processes_in_run_dir() == []
    assert "stopped" in private.cli("status")


def test_external_servers_are_used_and_nothing_is_started(backing_servers, tmp_path):
    """REDIS_URL, NEO4J_URI and KAFKA_BOOTSTRAP_SERVERS name servers to use instead of our own."""
    found = backends()
    external = PrivateServices(tmp_path / "run")
    external.env.update(REDIS_URL=found.redis_url, NEO4J_URI=found.neo4j_uri,
                        KAFKA_BOOTSTRAP_SERVERS=found.kafka_bootstrap)
    output = external.cli("start")
    assert output.count("(external, nothing started)") == 3, output
    assert external.processes_in_run_dir() == []
