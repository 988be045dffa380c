"""Malformed, hostile and oversized input is refused before the database is touched."""
import pytest

SQLISH = "A10023' OR 1=1 --"


@pytest.mark.parametrize("raw", ["A1002", "A100234", "a10023", "B10023", "A1002x", "10023", "A１００２３",
                                 "A10023%27%20OR%201%3D1%20--", "A10023%00", "A10023%0A"])
async def test_malformed_order_ids_are_400(api, raw):
    status, body, _ = await api.get(f"/orders/{raw}")
    assert status == 400 and body["error"] == "invalid_order_id"
    assert body["message"].startswith("That is not an order id")  # the input is never echoed


async def test_sql_looking_id_is_refused_everywhere(api):
    from urllib.parse import quote

    path_id = quote(SQLISH, safe="")
    for method, suffix, body in [("GET", "", None), ("GET", "/tracking", None),
                                 ("POST", "/verify", {"phone_last4": "1234"}),
                                 ("PATCH", "/address", {"shipping_address": "x"}),
                                 ("POST", "/cancel", None), ("POST", "/returns", {"reason": "x"})]:
        status, answer, _ = await api.call(method, f"/orders/{path_id}{suffix}", json=body)
        assert status == 400 and answer["error"] == "invalid_order_id", (method, suffix)
    status, answer, _ = await api.get(f"/customers/{quote(SQLISH, safe='')}/orders")
    assert status == 400 and answer["error"] == "invalid_customer_id"


async def test_sql_looking_text_is_stored_as_text(api):
    order = await api.new_order()
    address = "1 Main St'; DROP TABLE orders; --"
    status, body, _ = await api.patch(f"/orders/{order['id']}/address", {"shipping_address": address})
    assert status == 200 and body["shipping_address"] == address
    status, _, _ = await api.get(f"/orders/{order['id']}")
    assert status == 200


async def test_ten_kilobyte_address_is_413(api):
    order = await api.new_order("paid")
    status, body, _ = await api.patch(f"/orders/{order['id']}/address", {"shipping_address": "x" * 10_000})
    assert status == 413 and body["error"] == "payload_too_large"
    _, after, _ = await api.get(f"/orders/{order['id']}")
    assert after["shipping_address"] == order["shipping_address"]


async def test_address_over_200_characters_is_422(api):
    order = await api.new_order("paid")
    status, body, _ = await api.patch(f"/orders/{order['id']}/address", {"shipping_address": "地" * 201})
    assert status == 422 and body["error"] == "shipping_address_too_long"
    assert body["details"] == {"max_length": 200}


@pytest.mark.parametrize("payload,code", [
    ({}, "invalid_shipping_address"),
    ({"shipping_address": ""}, "invalid_shipping_address"),
    ({"shipping_address": "   "}, "invalid_shipping_address"),
    ({"shipping_address": 12}, "invalid_shipping_address"),
    ({"shipping_address": "a\x00b"}, "invalid_shipping_address"),
    ({"shipping_address": "ok", "extra": 1}, "invalid_body"),
    ([], "invalid_body"),
    ("text", "invalid_body"),
])
async def test_bad_address_bodies_are_400(api, picker, payload, code):
    order = picker.shared("paid")
    status, body, _ = await api.patch(f"/orders/{order['id']}/address", payload)
    assert status == 400 and body["error"] == code


async def test_invalid_json_is_400(api):
    status, body, _ = await api.call("POST", "/orders/A10001/verify", data=b"{not json",
                                     headers={"Content-Type": "application/json"})
    assert status == 400 and body["error"] == "invalid_json"


@pytest.mark.parametrize("value", ["123", "12345", "abcd", 1234, None, "１２３４"])
async def test_verify_needs_four_digits(api, value):
    status, body, _ = await api.post("/orders/A10001/verify", {"phone_last4": value})
    assert status == 400 and body["error"] == "invalid_phone_last4"


@pytest.mark.parametrize("items", [
    [], "PH-P30", [{"sku": "ph-p30", "quantity": 1, "unit_price": "1.00"}],
    [{"sku": "PH-P30", "quantity": 0, "unit_price": "1.00"}],
    [{"sku": "PH-P30", "quantity": True, "unit_price": "1.00"}],
    [{"sku": "PH-P30", "quantity": 1, "unit_price": "1.001"}],
    [{"sku": "PH-P30", "quantity": 1, "unit_price": "-1"}],
    [{"sku": "PH-P30", "quantity": 1, "unit_price": "NaN"}],
    [{"sku": "PH-P30", "quantity": 1, "unit_price": "1"}, {"sku": "PH-P30", "quantity": 1, "unit_price": "1"}],
])
async def test_create_order_rejects_bad_items(api, items):
    status, body, _ = await api.post("/orders", {"customer_id": "C001", "items": items,
                                                 "shipping_address": "x"}, token="admin")
    assert status == 400 and body["error"] == "invalid_items"


async def test_create_order_rejects_unknown_customer_and_status(api):
    item = [{"sku": "PH-P30", "quantity": 1, "unit_price": "1.00"}]
    status, body, _ = await api.post("/orders", {"customer_id": "C999", "items": item, "shipping_address": "x"},
                                     token="admin")
    assert status == 400 and body["error"] == "unknown_customer"
    status, body, _ = await api.post("/orders", {"customer_id": "C001", "items": item, "shipping_address": "x",
                                                 "status": "delivered"}, token="admin")
    assert status == 400 and body["error"] == "invalid_status"


async def test_unknown_route_and_method_are_json(api):
    status, body, _ = await api.get("/nothing-here")
    assert status == 404 and body["error"] == "not_found"
    status, body, _ = await api.call("DELETE", "/orders/A10001")
    assert status == 405 and body["error"] == "method_not_allowed"
