"""Checks the action server's replies against Rasa's schema, each event against its own kind only.

Rasa checks every reply of the action server against `RemoteAction.action_response_format_spec()`.
There each event must match exactly one of 23 event schemas (`oneOf`), so jsonschema tries all 23
and builds an error for each of the 22 that fail: about 0.9 ms per event, on the event loop, before
every custom action's reply is used. But each of the 23 names its event (`"event": {"const":
"slot"}`), and no two name the same one, so an event can only ever match the schema of its own
name. Checking the reply without the `oneOf`, then each event against that one schema (and that
its name is one of the 23), gives the same verdict.

`ReplyChecker` only answers valid or not; a reply it refuses goes through Rasa's own check, which
raises Rasa's own error (bot/rasa_patches.py).
"""
import copy
from typing import Any, Dict, Mapping

from jsonschema import validators


class ReplyChecker:
    def __init__(self, schema: Mapping[str, Any]) -> None:
        """`schema`: Rasa's reply schema, whose `properties.events.items` is the event schema with
        one `oneOf` branch per event name. Raises ValueError when it no longer has that shape."""
        validator_class = validators.validator_for(schema)
        validator_class.check_schema(schema)
        whole = copy.deepcopy(dict(schema))
        try:
            event_schema = whole["properties"]["events"]["items"]
            kinds = event_schema.pop("oneOf")
            names = [kind["properties"]["event"]["const"] for kind in kinds]
        except (KeyError, TypeError) as missing:
            raise ValueError(f"the reply schema has no oneOf of named event kinds ({missing!r})") from None
        if len(set(names)) != len(names):
            raise ValueError("two event kinds of the reply schema have the same name")
        # The reply with every event checked only for what all kinds share (an object, a string
        # `event`, the timestamp's and metadata's types).
        self._reply = validator_class(whole)
        self._kind: Dict[str, Any] = {name: validator_class(kind) for name, kind in zip(names, kinds)}

    def is_valid(self, reply: Any) -> bool:
        if not self._reply.is_valid(reply):
            return False
        for event in reply.get("events", ()):
            kind = self._kind.get(event["event"])
            if kind is None or not kind.is_valid(event):
                return False
        return True
