"""The customer's tier (regular or vip) for handoff routing, from the order API.

Only a customer the bot knows can be a VIP: one who proved an order is theirs (`verified_order`)
or who is logged in (actions/identity.py). The lookup must never hold up or break a handoff, so
it is capped in time and any failure means "regular".
"""
import asyncio
import logging
from typing import Any, Dict, Optional

from rasa_sdk import Tracker

from actions.identity import logged_in_customer
from actions.order_api import orders_client

log = logging.getLogger(__name__)
DEFAULT_TIER = "regular"
# The order client retries GETs for up to ~15 s; the customer asking for a person must not wait that.
LOOKUP_SECONDS = 2.0


async def known_customer(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The order API's customer record ({"id", "tier", ...}) of the customer the bot knows, if any."""
    logged_in = logged_in_customer(tracker)
    verified = tracker.get_slot("verified_order")
    if verified:
        customer = (await orders_client().get_order(verified))["customer"]
        # A logged-in customer may have verified someone else's order: their own record counts.
        if logged_in is None or customer["id"] == logged_in:
            return customer
    if logged_in:
        orders = await orders_client().list_customer_orders(logged_in)  # summaries: no customer
        if orders:
            return (await orders_client().get_order(orders[0]["id"]))["customer"]
    return None


async def customer_tier(tracker: Tracker) -> str:
    try:
        customer = await asyncio.wait_for(known_customer(tracker), LOOKUP_SECONDS)
    except Exception as error:  # noqa: BLE001 - any failure only costs the VIP priority
        log.warning("customer tier unknown, handing over as %s: %s", DEFAULT_TIER, type(error).__name__)
        return DEFAULT_TIER
    return "vip" if customer and customer.get("tier") == "vip" else DEFAULT_TIER
