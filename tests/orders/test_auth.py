"""Tokens: none or unknown -> 401, service token on an admin endpoint -> 403, admin may do all."""
import pytest

from tests.orders.conftest import orders_env, run_cli

NEW_ORDER = {"customer_id": "C001", "items": [{"sku": "PH-P30", "quantity": 1, "unit_price": "3999.00"}],
             "shipping_address": "上海市浦东新区世纪大道1号"}


@pytest.mark.parametrize("method,path", [
    ("GET", "/orders/A10001"),
    ("GET", "/orders/A10001/tracking"),
    ("GET", "/customers/C001/orders"),
    ("POST", "/orders/A10001/verify"),
    ("PATCH", "/orders/A10001/address"),
    ("POST", "/orders/A10001/cancel"),
    ("POST", "/orders/A10001/returns"),
    ("POST", "/orders"),
])
async def test_no_token_is_401(api, method, path):
    status, body, headers = await api.call(method, path, token=None, json={})
    assert status == 401 and body["error"] == "unauthorized"
    assert headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer wrong-token-000000000000", "Basic dXNlcjpwYXNz", "Bearer", "Bearer  "])
async def test_bad_token_is_401(api, header):
    status, body, _ = await api.get("/orders/A10001", token=None, headers={"Authorization": header})
    assert status == 401 and body["error"] == "unauthorized"


async def test_auth_comes_before_id_checks(api):
    status, _, _ = await api.get("/orders/not-an-id", token=None)
    assert status == 401


async def test_service_token_may_not_create_orders(api):
    status, body, _ = await api.post("/orders", NEW_ORDER, token="service")
    assert status == 403 and body["error"] == "forbidden"


async def test_admin_token_can_read_and_create(api):
    status, _, _ = await api.get("/orders/A10001", token="admin")
    assert status == 200
    status, body, headers = await api.post("/orders", NEW_ORDER, token="admin")
    assert status == 201 and body["status"] == "pending_payment" and headers["Location"] == f"/orders/{body['id']}"
    assert body["id"] >= "A20001" and body["total"] == "3999.00"


def test_serve_refuses_to_start_without_tokens(tmp_path):
    env = orders_env(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    del env["ORDERS_ADMIN_TOKEN"]
    result = run_cli(env, "serve", timeout=20)
    assert result.returncode == 2
    assert "ORDERS_ADMIN_TOKEN must be set" in result.stderr


def test_serve_refuses_equal_tokens(tmp_path):
    env = orders_env(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    env["ORDERS_ADMIN_TOKEN"] = env["ORDERS_READ_TOKEN"]
    result = run_cli(env, "serve", timeout=20)
    assert result.returncode == 2 and "must differ" in result.stderr
