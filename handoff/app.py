"""The aiohttp application: REST, WebSocket, and the background tasks (routing, bus, Kafka relay)."""
import asyncio
import contextlib
import logging

import aiohttp
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from handoff.api import MAX_BODY_BYTES, Api, errors_as_json
from handoff.config import Settings
from handoff.customer import RasaClient
from handoff.pages import Pages
from handoff.relay import KafkaRelay
from handoff.service import HandoffService
from handoff.store import Store
from handoff.ws import Hub

COMPONENTS = web.AppKey("components", dict)


def create_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[errors_as_json], client_max_size=MAX_BODY_BYTES)
    redis = aioredis.Redis.from_url(settings.redis_url, decode_responses=True)
    store = Store(redis, settings.key_prefix)
    rasa = RasaClient(None, settings.rasa_url, settings.rasa_token)  # its HTTP session opens on start
    service = HandoffService(store, rasa, settings)
    hub = Hub(store, service)
    relay = KafkaRelay(service, settings) if settings.relay_enabled else None
    app.router.add_routes(Api(store, service, settings, hub, relay).routes())
    app.router.add_routes(Pages(settings).routes())
    app[COMPONENTS] = {"store": store, "service": service, "hub": hub, "relay": relay, "rasa": rasa}
    app.cleanup_ctx.append(_background)
    return app


async def _background(app: web.Application):
    parts = app[COMPONENTS]
    parts["rasa"].http = aiohttp.ClientSession()
    tasks = [asyncio.create_task(parts["service"].run_router()),
             asyncio.create_task(parts["hub"].run_bus_reader()),
             asyncio.create_task(parts["hub"].keep_agents_seen())]
    if parts["relay"]:
        tasks.append(asyncio.create_task(parts["relay"].run()))
    yield
    await _cancel_all(tasks)
    await parts["rasa"].http.close()
    await parts["store"].redis.close()


async def _cancel_all(tasks) -> None:
    """Cancels until each task has ended: redis-py can swallow a cancellation that lands inside a
    call, and the task would then run on and keep shutdown waiting forever."""
    for task in tasks:
        while not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=1)
        with contextlib.suppress(asyncio.CancelledError, Exception):
            task.result()


class PathOnlyAccessLog(AbstractAccessLogger):
    """The access log without query strings: WebSocket URLs carry the agent's token."""

    def log(self, request, response, time: float) -> None:
        self.logger.info("%s %s %s %.1fms", request.method, request.path, response.status, time * 1000)


def serve(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None,
                access_log_class=PathOnlyAccessLog)
