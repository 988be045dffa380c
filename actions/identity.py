"""Customers the shop has already logged in, recognised from signed channel metadata.

The web widget of a logged-in customer sends `{"customer": {"id": "C001", "signature": HMAC}}` as
message metadata, where HMAC is hex HMAC-SHA256 of the id under CUSTOMER_SIGNING_SECRET. Channel
metadata can be forged by anyone who can post a message, so nothing unsigned is trusted.
"""
import hashlib
import hmac
import os
from typing import Optional

from rasa_sdk import Tracker

from actions.user_messages import latest_user_event


def sign_customer_id(customer_id: str, secret: str) -> str:
    return hmac.new(secret.encode(), customer_id.encode(), hashlib.sha256).hexdigest()


def logged_in_customer(tracker: Tracker) -> Optional[str]:
    """The customer id of the latest message when its signature checks out, else None."""
    secret = os.environ.get("CUSTOMER_SIGNING_SECRET")
    if not secret:
        return None
    metadata = latest_user_event(tracker).get("metadata") or {}
    customer = metadata.get("customer") if isinstance(metadata, dict) else None
    if not isinstance(customer, dict):
        return None
    customer_id, signature = customer.get("id"), customer.get("signature")
    if not (isinstance(customer_id, str) and isinstance(signature, str)):
        return None
    if hmac.compare_digest(sign_customer_id(customer_id, secret), signature):
        return customer_id
    return None
