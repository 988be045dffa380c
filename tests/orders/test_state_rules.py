"""What the bot may do for a verified customer, and the refusals that name the current status."""
import asyncio

import pytest

SHIPPED_OR_LATER = ["shipped", "in_transit", "delivered", "cancelled", "return_requested", "refunded"]


# ---- verify --------------------------------------------------------------------------------------

async def test_verify_right_and_wrong_digits(api, picker):
    order = picker.shared("shipped")
    right = picker.last4(order)
    wrong = f"{(int(right) + 1) % 10000:04d}"
    status, body, _ = await api.post(f"/orders/{order['id']}/verify", {"phone_last4": right})
    assert status == 200 and body == {"verified": True}
    status, body, _ = await api.post(f"/orders/{order['id']}/verify", {"phone_last4": wrong})
    assert status == 200 and body == {"verified": False}


async def test_verify_unknown_order_is_404(api):
    status, body, _ = await api.post("/orders/A99997/verify", {"phone_last4": "1234"})
    assert status == 404 and body["error"] == "order_not_found"


async def test_verify_locks_after_repeated_failures(api, picker):
    order = picker.one("cancelled")
    right = picker.last4(order)
    wrong = f"{(int(right) + 1) % 10000:04d}"
    results = await asyncio.gather(*[api.post(f"/orders/{order['id']}/verify", {"phone_last4": wrong})
                                     for _ in range(5)])
    assert [body for _, body, _ in results] == [{"verified": False}] * 5
    status, body, headers = await api.post(f"/orders/{order['id']}/verify", {"phone_last4": right})
    assert status == 429 and body["error"] == "too_many_attempts"
    assert int(headers["Retry-After"]) > 0


# ---- address -------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["pending_payment", "paid"])
async def test_address_change_before_shipping(api, picker, status):
    order = picker.one(status)
    new = "北京市海淀区中关村大街27号 1101室"
    code, body, _ = await api.patch(f"/orders/{order['id']}/address", {"shipping_address": f"  {new} "})
    assert code == 200 and body["shipping_address"] == new and body["status"] == status
    assert body["updated_at"] >= body["created_at"]
    _, again, _ = await api.get(f"/orders/{order['id']}")
    assert again["shipping_address"] == new


@pytest.mark.parametrize("status", SHIPPED_OR_LATER)
async def test_address_change_after_shipping_is_refused_with_reason(api, picker, status):
    order = picker.shared(status)
    code, body, _ = await api.patch(f"/orders/{order['id']}/address", {"shipping_address": "1 New St"})
    assert code == 409 and body["error"] == "address_change_not_allowed"
    assert body["details"] == {"status": status} and status in body["message"]
    _, after, _ = await api.get(f"/orders/{order['id']}")
    assert after["shipping_address"] == order["shipping_address"]


# ---- cancel --------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["pending_payment", "paid"])
async def test_cancel_before_shipping(api, picker, status):
    order = picker.one(status)
    code, body, _ = await api.post(f"/orders/{order['id']}/cancel")
    assert code == 200 and body["status"] == "cancelled"
    assert body["allowed_actions"] == {"change_address": False, "cancel": False, "request_return": False}
    code, body, _ = await api.post(f"/orders/{order['id']}/cancel")
    assert code == 409 and body["details"] == {"status": "cancelled"}


@pytest.mark.parametrize("status", SHIPPED_OR_LATER)
async def test_cancel_refused_once_shipped(api, picker, status):
    order = picker.shared(status)
    code, body, _ = await api.post(f"/orders/{order['id']}/cancel")
    assert code == 409 and body["error"] == "cancel_not_allowed"
    assert body["details"]["status"] == status and f"status: {status}" in body["message"]
    _, after, _ = await api.get(f"/orders/{order['id']}")
    assert after["status"] == status


async def test_concurrent_cancels_apply_once(api):
    order = await api.new_order("paid")
    results = await asyncio.gather(*[api.post(f"/orders/{order['id']}/cancel") for _ in range(4)])
    assert sorted(code for code, _, _ in results) == [200, 409, 409, 409]


# ---- returns -------------------------------------------------------------------------------------

async def test_return_within_seven_days(api, picker):
    order = picker.one("delivered", lambda o: picker.delivered_days_ago(o) <= 5)
    code, body, _ = await api.post(f"/orders/{order['id']}/returns", {"reason": "尺码不合适"})
    assert code == 201
    assert body["order_id"] == order["id"] and body["status"] == "return_requested"
    assert body["return_id"].startswith("R") and len(body["return_id"]) == 6
    _, after, _ = await api.get(f"/orders/{order['id']}")
    assert after["status"] == "return_requested"
    assert after["return"]["id"] == body["return_id"] and after["return"]["reason"] == "尺码不合适"
    code, again, _ = await api.post(f"/orders/{order['id']}/returns", {"reason": "again"})
    assert code == 409 and again["details"] == {"status": "return_requested"}


async def test_return_after_seven_days_is_refused(api, picker):
    order = picker.one("delivered", lambda o: picker.delivered_days_ago(o) >= 9)
    code, body, _ = await api.post(f"/orders/{order['id']}/returns", {"reason": "Changed my mind"})
    assert code == 409 and body["error"] == "return_window_expired"
    assert body["details"]["status"] == "delivered" and body["details"]["return_deadline"]
    assert "7 days" in body["message"]
    _, after, _ = await api.get(f"/orders/{order['id']}")
    assert after["status"] == "delivered" and after["return"] is None


@pytest.mark.parametrize("status", ["pending_payment", "paid", "shipped", "in_transit", "cancelled", "refunded"])
async def test_return_needs_a_delivered_order(api, picker, status):
    order = picker.shared(status)
    code, body, _ = await api.post(f"/orders/{order['id']}/returns", {"reason": "Wrong size"})
    assert code == 409 and body["error"] == "return_not_allowed" and body["details"] == {"status": status}


async def test_return_needs_a_reason_and_changes_nothing_without_one(api, picker):
    order = picker.one("delivered", lambda o: picker.delivered_days_ago(o) <= 5)
    for payload, expected in [({}, 400), ({"reason": " "}, 400), ({"reason": "r" * 501}, 422)]:
        code, _, _ = await api.post(f"/orders/{order['id']}/returns", payload)
        assert code == expected
    _, after, _ = await api.get(f"/orders/{order['id']}")
    assert after["status"] == "delivered" and after["return"] is None


# ---- nothing half-applied ------------------------------------------------------------------------

async def test_refused_order_creation_writes_nothing(api, picker):
    customer_id = "C002"
    _, before, _ = await api.get(f"/customers/{customer_id}/orders")
    bad_second_item = [{"sku": "PH-P30", "quantity": 1, "unit_price": "3999.00"},
                       {"sku": "AU-X200", "quantity": 1000, "unit_price": "899.00"}]
    code, _, _ = await api.post("/orders", {"customer_id": customer_id, "items": bad_second_item,
                                            "shipping_address": "1 Main St"}, token="admin")
    assert code == 400
    code, _, _ = await api.post("/orders", {"customer_id": customer_id, "items": bad_second_item[:1],
                                            "shipping_address": "x" * 201}, token="admin")
    assert code == 422
    _, after, _ = await api.get(f"/customers/{customer_id}/orders")
    assert after == before


async def test_refused_address_change_keeps_address_and_timestamp(api):
    order = await api.new_order()
    _, before, _ = await api.get(f"/orders/{order['id']}")
    code, _, _ = await api.patch(f"/orders/{order['id']}/address", {"shipping_address": "y" * 250})
    assert code == 422
    _, after, _ = await api.get(f"/orders/{order['id']}")
    assert after == before


async def test_parallel_order_creation_gets_distinct_ids(api):
    body = {"customer_id": "C003", "items": [{"sku": "KA-KETTLE", "quantity": 2, "unit_price": 129}],
            "shipping_address": "杭州市西湖区文三路1号"}
    results = await asyncio.gather(*[api.post("/orders", body, token="admin") for _ in range(6)])
    assert all(code == 201 for code, _, _ in results)
    ids = [created["id"] for _, created, _ in results]
    assert len(set(ids)) == 6 and all(created["total"] == "258.00" for _, created, _ in results)
