"""Local stand-ins for outside services, speaking their HTTP protocol and recording what they got:
the Graph API's Send API (Messenger) and a callback-channel receiver."""
import asyncio
import os
from typing import Any, Dict, List

from aiohttp import web


class RecordingServer:
    """An aiohttp server on a fixed port that keeps every request body it accepted."""

    def __init__(self, port: int):
        self.port = port
        self.received: List[Dict[str, Any]] = []
        self._arrived = asyncio.Condition()
        self.app = web.Application()
        self.runner = web.AppRunner(self.app)

    async def start(self) -> "RecordingServer":
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        await self.runner.cleanup()

    async def record(self, body: Dict[str, Any]) -> None:
        async with self._arrived:
            self.received.append(body)
            self._arrived.notify_all()

    async def wait_for(self, matches, timeout: float = 30.0) -> Dict[str, Any]:
        """The first recorded body for which matches(body) is true, waiting for it."""
        async def found():
            async with self._arrived:
                while True:
                    hit = next((body for body in self.received if matches(body)), None)
                    if hit is not None:
                        return hit
                    await self._arrived.wait()
        try:
            return await asyncio.wait_for(found(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"nothing matching arrived in {timeout}s; got {self.received}") from None


class FakeGraphApi(RecordingServer):
    """POST /{version}/me/messages?access_token=... as the Send API answers it."""

    def __init__(self, port: int):
        super().__init__(port)
        self.app.router.add_post("/{version}/me/messages", self.send)

    async def send(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") != os.environ["MESSENGER_PAGE_ACCESS_TOKEN"]:
            return web.json_response({"error": {"message": "Invalid OAuth access token.",
                                                "type": "OAuthException", "code": 190}}, status=400)
        body = await request.json()
        if not body.get("recipient", {}).get("id") or not body.get("message"):
            return web.json_response({"error": {"message": "(#100) param recipient and message required",
                                                "type": "OAuthException", "code": 100}}, status=400)
        await self.record(body)
        return web.json_response({"recipient_id": body["recipient"]["id"],
                                  "message_id": f"m_{len(self.received)}"})


class CallbackReceiver(RecordingServer):
    """Where Rasa's callback channel POSTs each bot message."""

    def __init__(self, port: int):
        super().__init__(port)
        self.app.router.add_post("/bot", self.receive)

    async def receive(self, request: web.Request) -> web.Response:
        await self.record(await request.json())
        return web.Response(text="ok")
