"""Pure pieces: id formats, money, the status rules, the verification throttle, settings."""
from datetime import datetime, timedelta

import pytest

from orders import rules
from orders.config import ConfigError, Settings
from orders.errors import OrderConflict, OrderNotFound, TooManyAttempts, error_from_response
from orders.ids import is_order_id, normalize_order_id
from orders.money import format_cents, parse_price
from orders.throttle import VerifyThrottle

NOW = datetime(2024, 6, 10, 12, 0, 0)


@pytest.mark.parametrize("text,expected", [("A10023", "A10023"), (" a10023 ", "A10023"), ("#A10023", "A10023"),
                                           ("A1002", None), ("A10023' OR 1=1 --", None), (None, None)])
def test_normalize_order_id(text, expected):
    assert normalize_order_id(text) == expected


def test_order_id_is_strict():
    assert is_order_id("A10023") and not is_order_id("a10023") and not is_order_id("A10023\n")


@pytest.mark.parametrize("value,cents", [("19.90", 1990), (19.9, 1990), (5, 500), ("0.01", 1), ("0", None),
                                         ("1.001", None), ("inf", None), (True, None), ("1e3", 100000)])
def test_parse_price(value, cents):
    assert parse_price(value) == cents


def test_format_cents():
    assert format_cents(1990) == "19.90" and format_cents(5) == "0.05" and format_cents(0) == "0.00"


def test_return_window_edges():
    delivered = NOW - timedelta(days=7)
    rules.check_return("A10001", "delivered", delivered, NOW)  # exactly 7 days: still allowed
    with pytest.raises(OrderConflict) as refused:
        rules.check_return("A10001", "delivered", delivered, NOW + timedelta(seconds=1))
    assert refused.value.code == "return_window_expired"


def test_refusals_name_the_status():
    with pytest.raises(OrderConflict) as refused:
        rules.check_cancel("A10001", "in_transit")
    assert refused.value.details == {"status": "in_transit"} and "in transit" in refused.value.message


def test_throttle_counts_attempts_and_forgives_success():
    clock = [0.0]
    throttle = VerifyThrottle(max_failures=3, window_seconds=60, clock=lambda: clock[0])
    for _ in range(3):
        throttle.begin("A10001")
    with pytest.raises(TooManyAttempts) as locked:
        throttle.begin("A10001")
    assert locked.value.details["retry_after_seconds"] == 61
    throttle.begin("A10002")  # other orders are not affected
    clock[0] = 61
    throttle.begin("A10001")  # the window has passed
    throttle.succeeded("A10001")
    for _ in range(3):
        throttle.begin("A10001")


def test_error_round_trip():
    error = error_from_response(404, {"error": "order_not_found", "message": "There is no order A10001."})
    assert isinstance(error, OrderNotFound) and error.code == "order_not_found" and error.status == 404
    assert error_from_response(502, "<html>").status == 502


def test_settings_defaults_and_checks(tmp_path):
    settings = Settings.from_env({"CS_RUN_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'orders.sqlite3'}"
    assert (settings.host, settings.port) == ("127.0.0.1", 8081)
    with pytest.raises(ConfigError, match="ORDERS_PORT"):
        Settings.from_env({"ORDERS_PORT": "http"})
    with pytest.raises(ConfigError, match="too short"):
        Settings.from_env({"ORDERS_READ_TOKEN": "short", "ORDERS_ADMIN_TOKEN": "x" * 20}).require_tokens()


def test_unexpected_errors_become_a_bare_500():
    from orders.app import _api_error

    error = _api_error(KeyError("customers.phone = '+86 138 0000 1234'"), app=None)
    assert (error.status, error.code) == (500, "internal_error")
    assert "138" not in error.message and set(error.to_json()) == {"error", "message"}
    down = _api_error(ConnectionRefusedError(111, "refused"), app=None)
    assert (down.status, down.code) == (503, "database_unavailable")
