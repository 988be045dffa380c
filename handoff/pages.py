"""The service's web pages: the agent UI at `/`, the customer widget at `/widget/`, a demo shop.

Everything under handoff/static is plain files (JavaScript modules, CSS, HTML); the only build step
is `make setup` copying the socket.io client next to the widget.
"""
import html
from pathlib import Path

from aiohttp import web

STATIC = Path(__file__).with_name("static")
# Pages and scripts change with each release; browsers must not run yesterday's agent UI.
NO_CACHE = {"Cache-Control": "no-cache"}


class Pages:
    def __init__(self, settings):
        self.settings = settings

    def routes(self) -> list:
        return [
            web.get("/", self.agent_ui),
            web.get("/shop", self.demo_shop),
            web.static("/agent", STATIC / "agent"),
            web.static("/widget", STATIC / "widget"),
        ]

    async def agent_ui(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "agent" / "index.html", headers=NO_CACHE)

    async def demo_shop(self, request: web.Request) -> web.Response:
        """The demo shop page, with the widget pointed at Rasa as browsers reach it."""
        page = (STATIC / "shop" / "index.html").read_text(encoding="utf-8")
        page = page.replace("__RASA_URL__", html.escape(self.settings.public_rasa_url, quote=True))
        return web.Response(text=page, content_type="text/html", headers=NO_CACHE)
