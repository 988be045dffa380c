"""`python -m handoff agent add | list | disable` against the real Redis, under a test key prefix."""
import os
import subprocess
import sys
import uuid

import pytest

from handoff.auth import password_matches
from ops.paths import ROOT
from tests.handoff.conftest import redis_store


@pytest.fixture
def prefix():
    return f"hotest{uuid.uuid4().hex[:10]}"


def handoff_cli(prefix: str, *args: str, password: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "handoff", *args], cwd=ROOT, input=password + "\n",
                          env={**os.environ, "HANDOFF_KEY_PREFIX": prefix}, capture_output=True, text=True,
                          timeout=60)


async def test_add_list_and_disable_an_agent(prefix):
    added = handoff_cli(prefix, "agent", "add", "wang", "--role", "agent", "--languages", "zh,en",
                        "--skills", "orders,returns,product,complaint,general", "--capacity", "3",
                        password="s3cret-enough")
    assert added.returncode == 0, added.stderr
    store = redis_store(prefix)
    try:
        agent = await store.agent("wang")
        assert (agent.role, agent.languages, agent.capacity) == ("agent", ["zh", "en"], 3)
        assert agent.skills == ["orders", "returns", "product", "complaint", "general"]
        assert password_matches(agent.password_hash, "s3cret-enough")
        assert "s3cret-enough" not in agent.password_hash

        listed = handoff_cli(prefix, "agent", "list")
        assert "wang" in listed.stdout and "offline" in listed.stdout

        assert handoff_cli(prefix, "agent", "disable", "wang").returncode == 0
        assert (await store.agent("wang")).disabled
        assert "disabled" in handoff_cli(prefix, "agent", "list").stdout
        missing = handoff_cli(prefix, "agent", "disable", "nobody")
        assert missing.returncode == 1 and "no agent named nobody" in missing.stderr
    finally:
        keys = [key async for key in store.redis.scan_iter(match=f"{prefix}:*")]
        if keys:
            await store.redis.delete(*keys)
        await store.redis.close()


@pytest.mark.parametrize("args,password,complaint", [
    (["--skills", "orders,cooking"], "long-enough-pw", "comma-separated list of"),
    (["--languages", "fr"], "long-enough-pw", "comma-separated list of"),
    (["--role", "boss"], "long-enough-pw", "invalid choice"),
    (["--capacity", "-1"], "long-enough-pw", "--capacity must be between"),
    ([], "short", "at least 8 characters"),
])
async def test_bad_agent_definitions_are_refused_and_nothing_is_saved(prefix, args, password, complaint):
    refused = handoff_cli(prefix, "agent", "add", "li", *args, password=password)
    assert refused.returncode == 2 and complaint in refused.stderr
    store = redis_store(prefix)
    try:
        assert await store.agent("li") is None
    finally:
        await store.redis.close()
