"""`make run` (python -m ops.run): the bot answers greetings over REST; Ctrl-C stops what it started."""
import os
import signal
import subprocess
import sys

import pytest

from ops.apps import http_answers
from ops.paths import ROOT
from tests.conftest import free_port
from tests.integration.conversation import Customer

pytestmark = [pytest.mark.services, pytest.mark.rasa]


@pytest.mark.timeout(400)
async def test_make_run_greets_in_both_languages_and_ctrl_c_stops_it(backing_servers):
    ports = {name: str(free_port()) for name in ("RASA_PORT", "ACTIONS_PORT", "ORDERS_PORT", "HANDOFF_PORT")}
    run = subprocess.Popen([sys.executable, "-m", "ops.run"], cwd=ROOT, env={**os.environ, **ports},
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    try:
        for line in run.stdout:
            output.append(line)
            if "Press Ctrl-C" in line:
                break
        assert run.poll() is None, "".join(output)
        rasa_url = f"http://127.0.0.1:{ports['RASA_PORT']}"
        assert "您好" in await Customer(rasa_url).say("你好")
        assert (await Customer(rasa_url).say("hello")).startswith("Hi!")
    finally:
        run.send_signal(signal.SIGINT)
        rest, _ = run.communicate(timeout=120)
        output.append(rest)
    assert run.returncode == 0, "".join(output)
    health = {"RASA_PORT": "/", "ACTIONS_PORT": "/health", "ORDERS_PORT": "/health", "HANDOFF_PORT": "/health"}
    assert not any(http_answers(f"http://127.0.0.1:{ports[name]}{path}") for name, path in health.items())
    # Redis, Neo4j and Kafka were already running: make run used them and leaves them running.
    assert all(server.ping(ours=False) for server in backing_servers.values())
