"""Shared fixtures: dev secrets in the environment, the real backing servers, a real Rasa server.

`make test` starts Redis, Neo4j and Kafka before pytest; the Rasa and action servers are started
here on free ports (so a `make run` in another terminal is left alone) and stopped at the end.
"""
import os
import uuid

import pytest

from ops.apps import MODEL_PATH, ActionServer, HandoffService, OrdersApi, RasaServer, load_graph_if_empty
from ops.process import StartFailed, free_port, start, stop
from ops.rasa import prepare_environment
from ops.servers import SERVERS

prepare_environment()
# Outside SaaS is replaced by local servers speaking its protocol (tests/fake_peers.py), on ports
# chosen now because the Rasa server started below reads them at start.
FAKE_GRAPH_API_PORT = free_port()
FAKE_CALLBACK_PORT = free_port()
TEST_PAGE_ID = "cs-test-page"
os.environ["MESSENGER_GRAPH_API_URL"] = f"http://127.0.0.1:{FAKE_GRAPH_API_PORT}"
os.environ["MESSENGER_PAGE_IDS"] = TEST_PAGE_ID
os.environ["CALLBACK_URL"] = f"http://127.0.0.1:{FAKE_CALLBACK_PORT}/bot"


@pytest.fixture(scope="session")
def backing_servers():
    """Fails fast, with the command to run, when a backing server does not answer."""
    silent = [server.name for server in SERVERS if not server.ping(ours=False)]
    if silent:
        pytest.fail(f"not answering: {', '.join(silent)}. Start them with `make services`.")
    return {server.name: server for server in SERVERS}


@pytest.fixture(scope="session")
def apps(backing_servers, tmp_path_factory):
    """The order API (on a fresh demo database), the handoff service (with its own Redis keys and
    Kafka consumer group), the action server and Rasa, on free ports."""
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}; run `make train`")
    load_graph_if_empty()
    database = tmp_path_factory.mktemp("orders") / "orders.sqlite3"
    orders = OrdersApi(name="orders-test", port=free_port(),
                       database_url=f"sqlite+aiosqlite:///{database}")
    rasa_port = free_port()
    run_id = uuid.uuid4().hex[:10]
    handoff = HandoffService(name="handoff-test", port=free_port(), rasa_url=f"http://127.0.0.1:{rasa_port}",
                             key_prefix=f"hotest{run_id}", kafka_group=f"handoff-test-{run_id}")
    actions = ActionServer(name="actions-test", port=free_port(), orders_url=orders.address(),
                           handoff_url=handoff.address())
    rasa = RasaServer(name="rasa-test", port=rasa_port, action_server_url=actions.webhook_url(),
                      handoff_url=handoff.address())
    started = []
    try:
        for app in (orders, handoff, actions, rasa):
            start(app)
            started.append(app)
        yield {"orders": orders, "handoff": handoff, "actions": actions, "rasa": rasa}
    except StartFailed as failure:
        pytest.fail(str(failure))
    finally:
        for app in reversed(started):
            stop(app)


@pytest.fixture(scope="session")
def rasa_server(apps):
    return apps["rasa"]


@pytest.fixture
def sender_id() -> str:
    """A conversation id nobody else uses, so tests never see each other's trackers."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def rasa_token() -> str:
    return os.environ["RASA_TOKEN"]
