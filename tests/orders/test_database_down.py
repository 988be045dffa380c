"""With its database unreachable the API still starts, answers 503 without internals, and the
client reports OrderApiUnavailable after retrying."""
import pytest

from orders import OrderApiUnavailable, OrdersClient
from tests.orders.conftest import SERVICE_TOKEN, free_port, orders_env, start_server


@pytest.fixture(scope="module")
def server_without_database(tmp_path_factory):
    home = tmp_path_factory.mktemp("orders-db-down")
    # A PostgreSQL URL where nothing listens: connections are refused at once.
    env = orders_env(f"postgresql+asyncpg://orders:secret-password@127.0.0.1:{free_port()}/orders")
    server = start_server(env, home / "server.log", healthy=False)
    yield server
    server.stop()


async def test_health_and_requests_say_unavailable(server_without_database, api_factory):
    api = api_factory(server_without_database.url)
    status, body, _ = await api.get("/health", token=None)
    assert status == 503 and body["error"] == "database_unavailable"
    status, body, _ = await api.get("/orders/A10001")
    assert status == 503 and body["error"] == "database_unavailable"
    assert set(body) == {"error", "message"}
    assert "secret-password" not in body["message"] and "asyncpg" not in body["message"]
    status, body, _ = await api.get("/openapi.json", token=None)
    assert status == 200
    assert "secret-password" not in server_without_database.log()


async def test_client_gives_up_with_unavailable(server_without_database):
    async with OrdersClient(server_without_database.url, SERVICE_TOKEN, retries=1, backoff=0.01) as client:
        with pytest.raises(OrderApiUnavailable) as down:
            await client.get_order("A10001")
    assert down.value.status == 503 and down.value.code == "database_unavailable"
