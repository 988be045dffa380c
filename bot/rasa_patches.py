"""Fixes to Rasa 3.6's hot path, installed before Rasa starts (`python -m bot.rasa_cli`, which
`python -m ops.rasa` and `make run` use). Each one keeps Rasa's behaviour and only removes waste that
the load bench's profile showed (bench/README.md).

- Every reply of the action server is checked against Rasa's JSON schema with `jsonschema.validate()`,
  which looks up the validator class and checks the schema itself on every call: about 20 ms of CPU
  on the event loop per custom action under load, stalling every other conversation meanwhile. The
  schema, compiled once, still took 0.9 ms a reply: each event was tried against all 23 kinds of
  event. Each event is now checked against its own kind only (bot/action_response.py), with the
  same verdict; a refused reply still gets Rasa's own error.
- A brand-new conversation's session start went to the action server (actions/session.py), with the
  whole domain, only to learn that there is no handoff to keep paused: it has no customer message
  yet. Such a session now starts with Rasa's own ActionSessionStart, which returns the same events
  (SessionStarted, the slots set so far, action_listen); a session that follows earlier messages
  still asks the action server. One action round trip less on every new conversation.
- Every call to the action server opened a new HTTP client session, and so a new connection
  (rasa.utils.endpoints.EndpointConfig.request). Each endpoint now keeps one session per event loop,
  and its connections stay open between calls, for less time than the action server keeps them.
- The Kafka event broker logs a line at INFO for every event the broker confirms, a dozen per turn
  (about half a megabyte a minute at 7 turns a second). Confirmations are silenced; failed deliveries
  are still logged, at ERROR. Before publishing an event, it also deep-copies it for a DEBUG line
  (`remove_parse_data`); a shallow copy logs the same.
- A new conversation's tracker was saved empty before its first message was handled (a Redis round
  trip that publishes nothing); the turn saves it at its end anyway. A tracker created with an
  initial action_listen (Rasa's HTTP API) is still saved at once.
- Every event read back (the whole conversation, on every turn, from the tracker store) finds its
  class by searching all subclasses of Event (`Event.resolve_by_type`, about 50 µs an event). The
  class found for each event name is remembered.
- The model's graph (the NLU for every message, the policies before every action) ran through dask,
  which rebuilds its task graph and formats the whole tracker into a DEBUG line on every run: about
  0.5 ms per prediction and 1.4 per message. It now runs node after node (bot/graph_runner.py).
- RulePolicy checked every rule against the conversation before every action; it now checks only
  the rules that can match its latest previous action and intent (bot/rule_index.py).
- DIET's prediction step is a tf.function with a fixed input signature, so it has one concrete
  function; every call still matched the batch's arrays against the signature first (0.6 ms of
  each message). After the first call the concrete function is called directly.
- The REST webhook answered only after the turn's tracker was saved. When the prediction loop
  ends, the turn can send nothing more: that moment is marked on the REST channel's collector, which
  answers then (bot/early_reply.py).
"""
import asyncio
import logging
from typing import Any, Dict, List, Optional, Text, Type

import aiohttp
import rasa.core.processor
import rasa.shared.core.events
from rasa.core.actions.action import ActionSessionStart, RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import Event, UserUttered
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow.models import RasaModel

from bot import rule_index
from bot.action_response import ReplyChecker
from bot.early_reply import TurnCollector
from bot.graph_runner import InOrderGraphRunner

_reply_checker: Optional[ReplyChecker] = None


def _checker() -> ReplyChecker:
    global _reply_checker
    if _reply_checker is None:
        _reply_checker = ReplyChecker(RemoteAction.action_response_format_spec())
    return _reply_checker


_original_validate = RemoteAction._validate_action_result


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result, each event checked against its own kind only; the
    same verdict and the same error text."""
    if _checker().is_valid(result):
        return True
    return _original_validate(self, result)  # raises, with Rasa's own message and docs pointer


_original_run = RemoteAction.run


async def _run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
    """RemoteAction.run, except a session start before the conversation's first message runs in Rasa."""
    if self.name() == ACTION_SESSION_START_NAME and not any(isinstance(e, UserUttered) for e in tracker.events):
        return await ActionSessionStart().run(output_channel, nlg, tracker, domain)
    return await _original_run(self, output_channel, nlg, tracker, domain)


class _Borrowed:
    """`async with` on a kept session: the session stays open afterwards."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc_info: Any) -> None:
        return None


# The action server (Sanic) closes a connection after 5 idle seconds. A kept connection is let go
# of sooner, so that no call is ever sent on a connection the server is closing at that moment.
IDLE_CONNECTION_SECONDS = 4.0


def _kept_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """EndpointConfig.session's session (its headers, basic auth and timeout), with idle
    connections closed after IDLE_CONNECTION_SECONDS."""
    auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"]) \
        if endpoint.basic_auth else None
    return aiohttp.ClientSession(headers=endpoint.headers, auth=auth,
                                 timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                                 connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS))


def _session(self: EndpointConfig) -> Any:
    """EndpointConfig.session, made once per endpoint and event loop and then lent again."""
    loop = asyncio.get_running_loop()
    kept = getattr(self, "_kept_session", None)
    if kept is None or kept[0] is not loop or kept[1].closed:
        kept = self._kept_session = (loop, _kept_session(self))
    return _Borrowed(kept[1])


_original_resolve_by_type = Event.resolve_by_type
_event_class_of: Dict[Text, Type[Event]] = {}


def _resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    """Event.resolve_by_type, remembering the class it finds for each event name."""
    found = _event_class_of.get(type_name)
    if found is None:
        found = _original_resolve_by_type(type_name, default)
        if found is not None and found is not default:
            _event_class_of[type_name] = found
    return found


_original_create_tracker = TrackerStore.create_tracker


async def _create_tracker(self: TrackerStore, sender_id: Text, append_action_listen: bool = True) -> Any:
    """TrackerStore.create_tracker, without saving a tracker that has no events yet."""
    if append_action_listen:
        return await _original_create_tracker(self, sender_id, append_action_listen)
    return self.init_tracker(sender_id)


_original_rasa_predict = RasaModel._rasa_predict


def _rasa_predict(self: RasaModel, batch_in: Any) -> Dict[Text, Any]:
    """RasaModel._rasa_predict, then its traced step replaced by the step's one concrete function."""
    outputs = _original_rasa_predict(self, batch_in)
    step = self._tf_predict_step
    if step is not None and hasattr(step, "get_concrete_function"):  # still the tf.function
        self._tf_predict_step = step.get_concrete_function()
    return outputs


_original_run_prediction_loop = rasa.core.processor.MessageProcessor._run_prediction_loop


async def _run_prediction_loop(self: Any, output_channel: Any, tracker: Any) -> None:
    """MessageProcessor._run_prediction_loop, then the REST channel told that its messages are all in."""
    await _original_run_prediction_loop(self, output_channel, tracker)
    if isinstance(output_channel, TurnCollector):
        output_channel.replies_complete.set()


def _without_parse_data(event: Dict[Text, Any]) -> Dict[Text, Any]:
    """rasa.shared.core.events.remove_parse_data without its deep copy: the brokers only log it."""
    return {key: value for key, value in event.items() if key != "parse_data"}


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    RemoteAction.run = _run
    EndpointConfig.session = _session
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    TrackerStore.create_tracker = _create_tracker
    rasa.shared.core.events.remove_parse_data = _without_parse_data
    rasa.core.processor.DaskGraphRunner = InOrderGraphRunner
    rule_index.install()
    RasaModel._rasa_predict = _rasa_predict
    rasa.core.processor.MessageProcessor._run_prediction_loop = _run_prediction_loop
    logging.getLogger("rasa.core.brokers.kafka").setLevel(logging.WARNING)
