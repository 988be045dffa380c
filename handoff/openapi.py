"""The REST API's OpenAPI 3 description, served at GET /openapi.json."""

_JSON = "application/json"
_ERROR = {"description": "`{\"error\": reason}`",
          "content": {_JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _operation(summary: str, body: dict = None, ok: str = "200", auth: str = "agent") -> dict:
    operation = {
        "summary": summary,
        "security": [{"bearer": []}] if auth else [],
        "responses": {ok: {"description": "done", "content": {_JSON: {"schema": {"type": "object"}}}},
                      "400": _ERROR, "401": _ERROR, "403": _ERROR, "404": _ERROR},
    }
    if auth == "service":
        operation["description"] = "Only with the action server's token (HANDOFF_SERVICE_TOKEN)."
    if body:
        operation["requestBody"] = {"required": True, "content": {_JSON: {"schema": body}}}
    return operation


def _object(**properties) -> dict:
    return {"type": "object", "properties": properties}


_STRING = {"type": "string"}

OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "Handoff service", "version": "1",
             "description": "Queue, routing and relay between customers and human agents. "
                            "WebSocket protocol: handoff/PROTOCOL.md (GET /ws?token=...)."},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Error": _object(error=_STRING)},
    },
    "paths": {
        "/health": {"get": _operation("Liveness and Redis reachability", auth="")},
        "/api/login": {"post": _operation("Log in; returns a short-lived token",
                                          _object(username=_STRING, password=_STRING), auth="")},
        "/api/handoffs": {
            "post": _operation("Queue a conversation (the context packet from action_handoff); "
                               "200 when it already has an open handoff",
                               _object(conversation_id=_STRING, channel=_STRING, language=_STRING,
                                       customer=_object(id=_STRING, tier=_STRING), topic=_STRING,
                                       reason=_STRING, intent_ranking={"type": "array"},
                                       slots={"type": "object"}, last_turns={"type": "array"},
                                       facts={"type": "array"}),
                               ok="201", auth="service"),
            "get": _operation("Handoffs offered or assigned to me (supervisors: all open ones)"),
        },
        "/api/handoffs/{id}": {"get": _operation("One handoff with its messages")},
        "/api/handoffs/{id}/accept": {"post": _operation("Accept an offer")},
        "/api/handoffs/{id}/messages": {"post": _operation("Send the customer a message",
                                                           _object(text=_STRING), ok="201")},
        "/api/handoffs/{id}/transfer": {"post": _operation("Transfer to an agent or to a skill",
                                                           _object(agent=_STRING, skill=_STRING))},
        "/api/handoffs/{id}/handback": {"post": _operation("Hand back to the bot with slot values",
                                                           _object(slots={"type": "object"}))},
        "/api/handoffs/{id}/close": {"post": _operation("Close with a resolution code; the customer is asked "
                                                        "for a 1-5 rating", _object(resolution=_STRING))},
        "/api/conversations/{conversation_id}/handoff": {
            "get": _operation("The conversation's open handoff, 404 if none", auth="service")},
        "/api/conversations/{conversation_id}/typing": {
            "post": _operation("The customer is typing: shown to the agent who has the conversation",
                               ok="202", auth="service")},
        "/api/presence": {"put": _operation("Set my presence: online, away or offline",
                                            _object(status=_STRING))},
        "/api/agents": {"get": _operation("Every agent with presence and load (supervisors, admins)")},
        "/api/canned": {"get": _operation("Canned responses by language: {zh: [{title, text}], en: [...]}")},
    },
}
