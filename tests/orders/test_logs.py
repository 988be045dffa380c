"""The server's log is JSON lines and never carries phone numbers, emails, addresses or reasons."""
import asyncio
import json


async def test_log_is_structured_and_free_of_personal_data(api, picker, orders_server):
    order = await api.new_order(customer_id="C007")
    delivered = picker.one("delivered", lambda o: picker.delivered_days_ago(o) <= 5)
    secret_address = "Secret Lane 42, Hideaway"
    secret_reason = "reason-that-must-not-be-logged"
    await api.post(f"/orders/{order['id']}/verify", {"phone_last4": picker.last4({"customer_id": "C007"})})
    await api.patch(f"/orders/{order['id']}/address", {"shipping_address": secret_address})
    await api.post(f"/orders/{delivered['id']}/returns", {"reason": secret_reason})
    await api.patch(f"/orders/{order['id']}/address", {"shipping_address": secret_address * 10})  # refused
    await asyncio.sleep(0.2)  # let the server write its last lines

    lines = [line for line in orders_server.log().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert any(e.get("message") == "order address changed" and e.get("order_id") == order["id"] for e in entries)
    text = "\n".join(lines)
    for customer in picker.data.customers:
        assert customer["phone"] not in text and customer["email"] not in text
    for seeded in picker.data.orders:
        assert seeded["shipping_address"] not in text
    assert secret_address not in text and secret_reason not in text
    assert "Traceback" not in text
