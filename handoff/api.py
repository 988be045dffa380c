"""REST routes: authentication, JSON in and out, and one error shape (`{"error": ...}`) for all."""
import asyncio
import json
import logging
from typing import Any, Awaitable, Callable, Dict

from aiohttp import web

from handoff.auth import SERVICE, AuthError, Identity, bearer_token, is_service_token, issue_token, \
    password_matches, read_token
from handoff.canned import load_canned
from handoff.customer import RasaUnavailable
from handoff.openapi import OPENAPI
from handoff.packets import BadPacket
from handoff.service import BadRequest, Forbidden, HandoffService
from handoff.store import NotFound, Store

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 256 * 1024
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@web.middleware
async def errors_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bad input answers 4xx with a reason; nothing a client sends crashes the service."""
    try:
        return await handler(request)
    except AuthError as failure:
        return error(401, str(failure))
    except Forbidden as failure:
        return error(403, str(failure))
    except NotFound as failure:
        return error(404, str(failure))
    except (BadRequest, BadPacket) as failure:
        return error(400, str(failure))
    except RasaUnavailable as failure:
        return error(502, f"could not reach the customer through Rasa: {failure}")
    except web.HTTPRequestEntityTooLarge:
        return error(413, f"request body over {MAX_BODY_BYTES} bytes")
    except web.HTTPException:
        raise
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        return error(500, "internal error; see the handoff service log")


async def json_body(request: web.Request) -> Dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


class Api:
    def __init__(self, store: Store, service: HandoffService, settings, hub, relay):
        self.store = store
        self.service = service
        self.settings = settings
        self.hub = hub
        self.relay = relay  # None when this instance does not relay
        self.canned = load_canned()

    def routes(self) -> list:
        return [
            web.get("/health", self.health),
            web.get("/openapi.json", self.openapi),
            web.post("/api/login", self.login),
            web.post("/api/handoffs", self.create),
            web.get("/api/handoffs", self.list),
            web.get("/api/handoffs/{id}", self.read),
            web.post("/api/handoffs/{id}/accept", self.accept),
            web.post("/api/handoffs/{id}/messages", self.reply),
            web.post("/api/handoffs/{id}/transfer", self.transfer),
            web.post("/api/handoffs/{id}/handback", self.hand_back),
            web.post("/api/handoffs/{id}/close", self.close),
            web.get("/api/conversations/{conversation_id}/handoff", self.for_conversation),
            web.post("/api/conversations/{conversation_id}/typing", self.customer_typing),
            web.put("/api/presence", self.presence),
            web.get("/api/agents", self.agents),
            web.get("/api/canned", self.canned_responses),
            web.get("/ws", self.websocket),
        ]

    # --- who is calling -----------------------------------------------------------------------
    async def identity(self, request: web.Request, allow_service: bool = False) -> Identity:
        token = request.query.get("token") if request.path == "/ws" else None
        token = token or bearer_token(request.headers.get("Authorization"))
        if is_service_token(token, self.settings.service_token):
            if not allow_service:
                raise Forbidden("the service token cannot act as an agent")
            return SERVICE
        identity = read_token(token, self.settings.token_secret)
        agent = await self.store.agent(identity.name)
        if agent is None or agent.disabled:
            raise AuthError("this agent is disabled")
        return Identity(agent.name, agent.role)

    async def service_only(self, request: web.Request) -> None:
        if (await self.identity(request, allow_service=True)) is not SERVICE:
            raise Forbidden("only the action server may do this")

    # --- routes -------------------------------------------------------------------------------
    async def health(self, request: web.Request) -> web.Response:
        await self.store.redis.ping()
        return web.json_response({"status": "ok", "relay": self.relay.state() if self.relay else "off"})

    async def openapi(self, request: web.Request) -> web.Response:
        return web.json_response(OPENAPI)

    async def login(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        name, password = body.get("username"), body.get("password")
        if not isinstance(name, str) or not isinstance(password, str):
            raise BadRequest("'username' and 'password' are required strings")
        agent = await self.store.agent(name)
        # argon2 is slow on purpose: off the event loop, so sockets don't stall during a login.
        matches = agent is not None and await asyncio.to_thread(password_matches, agent.password_hash, password)
        if agent is None or agent.disabled or not matches:
            raise AuthError("wrong username or password")
        token, expires = issue_token(agent.name, agent.role, self.settings.token_secret,
                                     self.settings.token_ttl_seconds)
        await self.store.touch(agent.name)
        return web.json_response({"token": token, "expires_at": expires, "agent": agent.public()})

    async def create(self, request: web.Request) -> web.Response:
        await self.service_only(request)
        created, summary = await self.service.create(await json_body(request))
        return web.json_response(summary, status=201 if created else 200)

    async def for_conversation(self, request: web.Request) -> web.Response:
        await self.service_only(request)
        return web.json_response(await self.service.open_for_conversation(request.match_info["conversation_id"]))

    async def customer_typing(self, request: web.Request) -> web.Response:
        await self.service_only(request)
        shown = await self.service.customer_typing(request.match_info["conversation_id"])
        return web.json_response({"shown": shown}, status=202)

    async def list(self, request: web.Request) -> web.Response:
        identity = await self.identity(request)
        return web.json_response({"handoffs": await self.service.visible_handoffs(identity)})

    async def read(self, request: web.Request) -> web.Response:
        identity = await self.identity(request)
        return web.json_response(await self.service.read(identity, request.match_info["id"]))

    async def accept(self, request: web.Request) -> web.Response:
        identity = await self.identity(request)
        return web.json_response(await self.service.accept(identity, request.match_info["id"]))

    async def reply(self, request: web.Request) -> web.Response:
        identity = await self.identity(request)
        body = await json_body(request)
        return web.json_response(await self.service.reply(identity, request.match_info["id"], body.get("text")),
                                 status=201)

    async def transfer(self, request: web.Request) -> web.Response:
        identity = await self.identity(request)
        body = await json_body(request)
        return web.json_response(await self.service.transfer(
            identity, request.match_info["id"], to_agent=body.get("agent"), to_skill=body.get("skill")))

    async def hand_back(self, request: web.Request) -> web.Response:
        identity = await self.identity(request)
        body = await json_body(request)
        return web.json_response(await self.service.hand_back(identity, request.match_info["id"],
                                                              body.get("slots")))

    async def close(self, request: web.Request) -> web.Response:
        identity = await self.identity(request)
        body = await json_body(request)
        return web.json_response(await self.service.close(identity, request.match_info["id"],
                                                          body.get("resolution")))

    async def presence(self, request: web.Request) -> web.Response:
        identity = await self.identity(request)
        body = await json_body(request)
        return web.json_response(await self.service.set_presence(identity, body.get("status")))

    async def agents(self, request: web.Request) -> web.Response:
        identity = await self.identity(request)
        return web.json_response({"agents": await self.service.agents_overview(identity)})

    async def canned_responses(self, request: web.Request) -> web.Response:
        await self.identity(request)
        return web.json_response(self.canned)

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        identity = await self.identity(request)
        return await self.hub.serve(request, identity)
