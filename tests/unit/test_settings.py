from ops.settings import backends, rasa_environment


def test_local_defaults(monkeypatch):
    for name in ("REDIS_URL", "NEO4J_URI", "KAFKA_BOOTSTRAP_SERVERS", "CS_REDIS_PORT"):
        monkeypatch.delenv(name, raising=False)
    found = backends()
    assert found.redis_url == "redis://127.0.0.1:6379/0"
    assert not (found.redis_external or found.neo4j_external or found.kafka_external)


def test_external_urls_are_used_and_split_for_rasa(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://:s3cret@cache.internal:6380/4")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092")
    monkeypatch.delenv("REDIS_LOCK_DB", raising=False)
    assert backends().redis_external and backends().kafka_external
    env = rasa_environment()
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["REDIS_DB"]) == ("cache.internal", "6380", "4")
    assert env["REDIS_PASSWORD"] == "s3cret"
    assert env["REDIS_LOCK_DB"] == "5", "locks live in their own database"
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "k1:9092,k2:9092"
