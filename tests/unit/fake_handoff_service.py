"""A real HTTP server on a free 127.0.0.1 port that speaks the handoff service's contract with the
action server, answering what a test tells it, and recording what it was sent."""
import asyncio
import socket
from typing import Any, Dict, List, Tuple

from aiohttp import web
from aiohttp.test_utils import TestServer

TOKEN = "unit-test-service-token"


def closed_port_url() -> str:
    """An address where nothing listens: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class FakeHandoffService:
    def __init__(self) -> None:
        self.open_handoffs: Dict[str, Dict[str, Any]] = {}  # conversation id -> GET answer
        self.post_answer: Tuple[int, Dict[str, Any]] = (201, {
            "handoff_id": "h-1", "status": "queued", "position": 3, "expected_wait_seconds": 240,
            "language_available": True})
        self.get_status = None  # set to e.g. 500 to make GET fail
        self.delay = 0.0
        self.requests: List[Tuple[str, str, Any]] = []  # (method, path, JSON body)
        self.peers: List[Any] = []  # the client's (address, port) of each request
        self._server: TestServer = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def packets(self) -> List[Dict[str, Any]]:
        return [body for method, _, body in self.requests if method == "POST"]

    async def _authorized(self, request: web.Request) -> None:
        self.requests.append((request.method, request.path,
                              await request.json() if request.can_read_body else None))
        self.peers.append(request.transport.get_extra_info("peername"))
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            raise web.HTTPUnauthorized(text='{"error": "unauthorized"}', content_type="application/json")
        await asyncio.sleep(self.delay)

    async def _post_handoff(self, request: web.Request) -> web.Response:
        await self._authorized(request)
        status, body = self.post_answer
        return web.json_response(body, status=status)

    async def _get_handoff(self, request: web.Request) -> web.Response:
        await self._authorized(request)
        if self.get_status:
            return web.json_response({"error": "internal"}, status=self.get_status)
        handoff = self.open_handoffs.get(request.match_info["conversation_id"])
        if handoff is None:
            return web.json_response({"error": "no open handoff"}, status=404)
        return web.json_response(handoff)

    async def __aenter__(self) -> "FakeHandoffService":
        app = web.Application()
        app.router.add_post("/api/handoffs", self._post_handoff)
        app.router.add_get("/api/conversations/{conversation_id}/handoff", self._get_handoff)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        return self

    async def __aexit__(self, *_exc: Any) -> None:
        await self._server.close()
