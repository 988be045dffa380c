"""Read endpoints, health and the OpenAPI document, over HTTP against the real server."""
from datetime import datetime, timedelta

from orders.ids import is_order_id
from orders.money import format_cents
from orders.routes import ROUTES
from orders.rules import CARRIER_TRANSIT_DAYS, ORDER_STATUSES


async def test_health_needs_no_token(api):
    status, body, _ = await api.get("/health", token=None)
    assert status == 200 and body["status"] == "ok" and body["database"] in ("sqlite", "postgresql")


async def test_get_order_shows_items_customer_and_no_contact_data(api, picker):
    order = picker.shared("in_transit")
    status, body, _ = await api.get(f"/orders/{order['id']}")
    assert status == 200
    assert body["id"] == order["id"] and body["status"] == order["status"]
    assert body["customer"]["id"] == order["customer_id"]
    assert set(body["customer"]) == {"id", "name", "tier", "language"}
    customer = picker.customer(order["customer_id"])
    assert customer["phone"] not in str(body) and customer["email"] not in str(body)
    items = [i for i in picker.data.order_items if i["order_id"] == order["id"]]
    assert [(i["sku"], i["quantity"]) for i in body["items"]] == [(i["sku"], i["quantity"]) for i in items]
    assert body["total"] == format_cents(order["total_cents"]) and body["currency"] == "CNY"
    assert body["created_at"].endswith("Z")


async def test_every_seeded_order_is_served_with_its_status(api, picker):
    seen = set()
    for order in picker.data.orders:
        status, body, _ = await api.get(f"/orders/{order['id']}", token="admin")
        assert status == 200
        seen.add(body["status"])
    assert seen == set(ORDER_STATUSES)


async def test_allowed_actions_follow_the_rules(api, picker):
    paid = picker.shared("paid")
    shipped = picker.shared("shipped")
    _, body, _ = await api.get(f"/orders/{paid['id']}")
    assert body["allowed_actions"] == {"change_address": True, "cancel": True, "request_return": False}
    _, body, _ = await api.get(f"/orders/{shipped['id']}")
    assert body["allowed_actions"] == {"change_address": False, "cancel": False, "request_return": False}


async def test_tracking_of_a_delivered_order(api, picker):
    order = picker.shared("delivered")
    status, body, _ = await api.get(f"/orders/{order['id']}/tracking")
    assert status == 200
    assert body["carrier"] and body["tracking_number"]
    assert [e["code"] for e in body["events"]][-1] == "delivered"
    assert all(e["location"] and e["time"] for e in body["events"])
    assert [e["time"] for e in body["events"]] == sorted(e["time"] for e in body["events"])
    assert body["estimated_delivery"] is None, "a delivered parcel needs no estimate"


async def test_tracking_in_transit_estimates_delivery_from_the_carrier(api, picker):
    order = picker.shared("in_transit")
    status, body, _ = await api.get(f"/orders/{order['id']}/tracking")
    assert status == 200
    picked_up = next(e["time"] for e in body["events"] if e["code"] == "picked_up")
    days = CARRIER_TRANSIT_DAYS[body["carrier"]]
    expected = datetime.strptime(picked_up, "%Y-%m-%dT%H:%M:%SZ") + timedelta(days=days)
    assert body["estimated_delivery"] == expected.strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_tracking_before_shipping_is_empty(api, picker):
    order = picker.shared("pending_payment")
    status, body, _ = await api.get(f"/orders/{order['id']}/tracking")
    assert status == 200
    assert body == {"order_id": order["id"], "status": "pending_payment", "carrier": None,
                    "tracking_number": None, "estimated_delivery": None, "events": []}


async def test_unknown_order_is_404(api):
    status, body, _ = await api.get("/orders/A99998")
    assert status == 404 and body["error"] == "order_not_found" and "A99998" in body["message"]
    status, body, _ = await api.get("/orders/A99998/tracking")
    assert status == 404 and body["error"] == "order_not_found"


async def test_customer_orders_newest_first(api, picker):
    customer_id = picker.shared("shipped")["customer_id"]
    status, body, _ = await api.get(f"/customers/{customer_id}/orders")
    assert status == 200
    assert body["customer"]["id"] == customer_id
    expected = {o["id"] for o in picker.data.orders if o["customer_id"] == customer_id}
    assert expected <= {o["id"] for o in body["orders"]}
    created = [o["created_at"] for o in body["orders"]]
    assert created == sorted(created, reverse=True)
    assert all(is_order_id(o["id"]) and o["item_count"] >= 1 for o in body["orders"])


async def test_seeded_counts_over_http(api, picker):
    total = 0
    for customer in picker.data.customers:
        status, body, _ = await api.get(f"/customers/{customer['id']}/orders")
        assert status == 200
        total += len([o for o in body["orders"] if o["id"] < "A20000"])  # demo ids only
    assert len(picker.data.customers) >= 20 and total == len(picker.data.orders) >= 50


async def test_unknown_customer_is_404(api):
    status, body, _ = await api.get("/customers/C999/orders")
    assert status == 404 and body["error"] == "customer_not_found"


async def test_openapi_lists_every_endpoint(api):
    status, doc, _ = await api.get("/openapi.json", token=None)
    assert status == 200 and doc["openapi"].startswith("3.")
    for route in ROUTES:
        path = route.path.replace("<", "{").replace(">", "}")
        assert route.method.lower() in doc["paths"].get(path, {}), f"{route.method} {path} is not documented"
    documented = {(m, p) for p, ops in doc["paths"].items() for m in ops if m != "parameters"}
    assert len(documented) == len(ROUTES)


async def test_responses_carry_a_request_id(api):
    _, _, headers = await api.get("/health", token=None, headers={"X-Request-ID": "trace-123"})
    assert headers["X-Request-ID"] == "trace-123"
