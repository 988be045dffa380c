"""Calls from the action server to the handoff service (handoff/, HANDOFF_URL).

Settings are read at call time, so tests and a restarted service need no reload of the actions.
Every way the service can fail (not configured, refused, timed out, an error status, not JSON)
is one HandoffUnavailable: the caller falls back to what the bot did before the service existed.
"""
import asyncio
import os
import weakref
from typing import Any, Dict, Optional, Tuple
from urllib.parse import quote

import aiohttp

DEFAULT_URL = "http://127.0.0.1:8090"
# The customer is waiting for the bot's answer meanwhile: better a fallback than a long silence.
TIMEOUT_SECONDS = 5.0
_sessions: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.ClientSession]" = (
    weakref.WeakKeyDictionary())


class HandoffUnavailable(Exception):
    pass


def _endpoint() -> Tuple[str, Dict[str, str]]:
    token = os.environ.get("HANDOFF_SERVICE_TOKEN")
    if not token:
        raise HandoffUnavailable("HANDOFF_SERVICE_TOKEN is not set")
    url = (os.environ.get("HANDOFF_URL") or DEFAULT_URL).rstrip("/")
    return url, {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def _session() -> aiohttp.ClientSession:
    """The event loop's kept client session. A session per call opened a connection per call
    (about 0.7 ms of CPU each); a session belongs to one loop, and tests run many loops."""
    loop = asyncio.get_running_loop()
    session = _sessions.get(loop)
    if session is None or session.closed:
        session = _sessions[loop] = aiohttp.ClientSession()
    return session


async def _call(method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Tuple[int, Any]:
    """(HTTP status, JSON body or None)."""
    url, headers = _endpoint()
    try:
        try:
            return await _request(method, url + path, body, headers)
        except aiohttp.ServerDisconnectedError:
            # A kept connection the service closed as it was reused (a restart, an idle timeout).
            # Both calls are safe to repeat: a second POST gets the handoff the first one opened.
            return await _request(method, url + path, body, headers)
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        raise HandoffUnavailable(f"{method} {url}{path}: {type(error).__name__} {error}") from None


async def _request(method: str, url: str, body: Optional[Dict[str, Any]],
                   headers: Dict[str, str]) -> Tuple[int, Any]:
    async with _session().request(method, url, json=body, headers=headers,
                                  timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)) as response:
        try:
            payload = await response.json(content_type=None)
        except ValueError:
            payload = None
        return response.status, payload


def _failure(method: str, path: str, status: int, payload: Any) -> HandoffUnavailable:
    detail = payload.get("error") if isinstance(payload, dict) else None
    return HandoffUnavailable(f"{method} {path} answered {status}: {detail or 'no error given'}")


async def request_handoff(packet: Dict[str, Any]) -> Dict[str, Any]:
    """The service's answer for the conversation's (new or already open) handoff:
    {"handoff_id", "status", "position", "expected_wait_seconds", "language_available"}."""
    path = "/api/handoffs"
    status, payload = await _call("POST", path, packet)
    if status not in (200, 201):
        raise _failure("POST", path, status, payload)
    # The handoff exists now: an odd body only costs the queue details, not the handoff.
    return payload if isinstance(payload, dict) else {}


async def open_handoff(conversation_id: str) -> Optional[Dict[str, Any]]:
    """The conversation's open handoff (queued, offered, assigned or awaiting the rating), or None."""
    path = f"/api/conversations/{quote(conversation_id, safe='')}/handoff"
    status, payload = await _call("GET", path)
    if status == 404:
        return None
    if status != 200:
        raise _failure("GET", path, status, payload)
    return payload if isinstance(payload, dict) else {}
