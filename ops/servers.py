"""The three local backing servers: how to start each one and how to tell that it really answers."""
import base64
import os
import shutil
import uuid
from typing import List, Optional
from urllib.parse import urlparse

from ops.paths import CACHE_DIR
from ops.process import LocalServer, ServerNotReady
from ops.settings import backends


class Redis(LocalServer):
    name = "redis"
    start_timeout = 15.0

    def external(self) -> bool:
        return backends().redis_external

    def address(self) -> str:
        return backends().redis_url

    def command(self) -> List[str]:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        port = urlparse(self.address()).port or 6379
        # Append-only file so a killed server comes back with its data.
        return [binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(self.home),
                "--appendonly", "yes", "--save", "60 1000", "--daemonize", "no",
                "--protected-mode", "yes", "--logfile", ""]

    def ping(self, ours: bool) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.address(), socket_timeout=2).ping())
        except (redis.ConnectionError, redis.TimeoutError):
            return False


class Neo4j(LocalServer):
    name = "neo4j"
    start_timeout = 120.0
    version = "5.26"

    def external(self) -> bool:
        return backends().neo4j_external

    def address(self) -> str:
        return backends().neo4j_uri

    def prepare(self) -> None:
        super().prepare()
        port = urlparse(self.address()).port or 7687
        conf_dir = self.home / "conf"
        conf_dir.mkdir(exist_ok=True)
        (conf_dir / "neo4j.conf").write_text(
            "\n".join([
                f"server.directories.data={self.home / 'data'}",
                f"server.directories.logs={self.home / 'logs'}",
                f"server.directories.run={self.home / 'run'}",
                "server.default_listen_address=127.0.0.1",
                f"server.bolt.listen_address=127.0.0.1:{port}",
                # Bolt only: the HTTP API and browser are not part of this stack.
                "server.http.enabled=false",
                "server.https.enabled=false",
                f"server.memory.pagecache.size={os.environ.get('NEO4J_PAGECACHE', '128m')}",
                "dbms.security.auth_enabled=true",
                "dbms.usage_report.enabled=false",
                "",
            ])
        )

    def command(self) -> List[str]:
        heap = os.environ.get("NEO4J_HEAP", "512m")
        return [
            "java", "-Xms256m", f"-Xmx{heap}", "-XX:+UseG1GC", "-XX:-OmitStackTraceInFastThrow",
            "-Dio.netty.tryReflectionSetAccessible=true", "-Dlog4j2.disable.jmx=true",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED",
            "-cp", str(CACHE_DIR / "jars" / "neo4j" / "*"),
            "org.neo4j.server.CommunityEntryPoint",
            f"--home-dir={self.home}", f"--config-dir={self.home / 'conf'}",
        ]

    def ping(self, ours: bool) -> bool:
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, ServiceUnavailable

        user, password = backends().neo4j_user, os.environ.get("NEO4J_PASSWORD", "")
        try:
            # An auto-commit session.run, not execute_query: the latter retries for up to 30 s.
            with GraphDatabase.driver(self.address(), auth=(user, password),
                                      connection_timeout=2) as driver:
                with driver.session() as session:
                    session.run("RETURN 1").consume()
            return True
        except ServiceUnavailable:
            return False
        except AuthError:
            if ours and self._set_initial_password(password):
                return True
            raise ServerNotReady(
                f"Neo4j at {self.address()} rejects user {user!r} with NEO4J_PASSWORD from "
                f"the environment or .run/dev.env"
            )

    def _set_initial_password(self, password: str) -> bool:
        """A new local database has neo4j/neo4j, which must be changed before any query."""
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError

        try:
            with GraphDatabase.driver(self.address(), auth=("neo4j", "neo4j")) as driver:
                with driver.session(database="system") as session:
                    session.run("ALTER CURRENT USER SET PASSWORD FROM 'neo4j' TO $password",
                                password=password).consume()
            return True
        except AuthError:
            return False


def new_cluster_id() -> str:
    """A random Kafka cluster id: 22 characters of URL-safe base64. One in 64 would start with '-',
    which the storage tool reads as an option ("--cluster-id: expected one argument"); Kafka's own
    Uuid.randomUuid() skips those too."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


class Kafka(LocalServer):
    name = "kafka"
    start_timeout = 90.0

    def external(self) -> bool:
        return backends().kafka_external

    def address(self) -> str:
        return backends().kafka_bootstrap

    def _port(self) -> int:
        return int(self.address().rsplit(":", 1)[1])

    def prepare(self) -> None:
        super().prepare()
        port = self._port()
        controller = port + 1000
        (self.home / "server.properties").write_text(
            "\n".join([
                # KRaft: one process is both broker and controller, no ZooKeeper.
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@127.0.0.1:{controller}",
                f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                f"log.dirs={self.home / 'data'}",
                "num.partitions=3",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "",
            ])
        )
        (self.home / "log4j.properties").write_text(
            "log4j.rootLogger=INFO, stdout\n"
            "log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n"
            "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n"
            "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
            "log4j.logger.org.apache.kafka=WARN\n"
        )
        if not (self.home / "data" / "meta.properties").exists():
            self._format_storage()

    def _format_storage(self) -> None:
        import subprocess

        result = subprocess.run(
            self._java() + ["kafka.tools.StorageTool", "format", "-t", new_cluster_id(),
                            "-c", str(self.home / "server.properties")],
            cwd=self.home, capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"formatting Kafka storage failed:\n{result.stdout}{result.stderr}")

    def _java(self) -> List[str]:
        heap = os.environ.get("KAFKA_HEAP", "512m")
        return ["java", "-Xms256m", f"-Xmx{heap}",
                f"-Dlog4j.configuration=file:{self.home / 'log4j.properties'}",
                "-cp", str(CACHE_DIR / "jars" / "kafka" / "*")]

    def command(self) -> List[str]:
        return self._java() + ["kafka.Kafka", str(self.home / "server.properties")]

    def ping(self, ours: bool) -> bool:
        from confluent_kafka.admin import AdminClient

        client = AdminClient({"bootstrap.servers": self.address(), "log_level": 0,
                              "socket.connection.setup.timeout.ms": 2000})
        try:
            return bool(client.list_topics(timeout=3).brokers)
        except Exception:  # confluent_kafka raises KafkaException, or times out
            return False


SERVERS = (Redis(), Neo4j(), Kafka())


def server_named(name: str) -> Optional[LocalServer]:
    return next((s for s in SERVERS if s.name == name), None)
