"""actions/handoff_client.py keeps its connections to the handoff service between calls, and a kept
connection the service has closed meanwhile does not cost a customer their handoff."""
import asyncio
import json
from typing import List

from actions.handoff_client import open_handoff, request_handoff
from tests.unit.fake_handoff_service import TOKEN

ANSWER = {"handoff_id": "h-1", "status": "queued", "position": 1, "expected_wait_seconds": 0,
          "language_available": True}


class OneRequestPerConnection:
    """An HTTP server that answers the first request of a connection as keep-alive, then closes the
    connection when the next request arrives on it: what a restarted or idle-timed-out peer does to
    a client that reuses the connection at that moment."""

    def __init__(self) -> None:
        self.connections: List[int] = []  # requests answered per connection

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        answered = 0
        self.connections.append(answered)
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            await reader.readexactly(length)
            if answered:
                break  # the second request on this connection: closed without an answer
            body = json.dumps(ANSWER).encode()
            writer.write(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\nConnection: keep-alive\r\n\r\n%s" % (len(body), body))
            await writer.drain()
            answered = self.connections[-1] = 1
        writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *_exc) -> None:
        self.server.close()


async def test_a_kept_connection_closed_by_the_service_is_retried_on_a_new_one(monkeypatch):
    peer = OneRequestPerConnection()
    async with peer as url:
        monkeypatch.setenv("HANDOFF_URL", url)
        monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", TOKEN)
        assert await request_handoff({"conversation_id": "c1"}) == ANSWER
        assert await request_handoff({"conversation_id": "c1"}) == ANSWER
        assert peer.connections == [1, 1]  # the second call first tried the kept connection


async def test_calls_share_one_connection(service):
    service.open_handoffs["c1"] = ANSWER
    for _ in range(3):
        assert await open_handoff("c1") == ANSWER
    assert len(service.requests) == 3
    assert len(set(service.peers)) == 1
