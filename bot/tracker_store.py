"""Rasa's Redis tracker store, without rebuilding the stored tracker on every save.

`RedisTrackerStore.save` reads the stored conversation, rebuilds it as a tracker (replaying every
event), and merges it with the one being saved, so that events of earlier sessions and events
written by someone else meanwhile are kept. In the load bench's profile that rebuild was the
biggest single cost of a turn in the Rasa server (bench/README.md).

Almost always the tracker being saved simply extends what is stored: the same events, serialised the
same way, plus the new ones. That is checked on the serialised text (one prefix comparison, in a
Lua script: one round trip) and the tracker is written as it is, which is what Rasa's merge would
give; the events after those Rasa's retrieve() returns go to the event broker, as Rasa's save sends
them (it rebuilds the stored tracker a second time to count them). Anything else (an earlier
session, a concurrent writer, an event that serialises differently) goes through Rasa's own save.

Rasa's store also waits for Redis with a blocking client, stalling every conversation on the event
loop meanwhile; retrieving and the shortcut save use an asyncio client instead (bot/async_redis.py).

The REST webhook answers before the turn's save (bot/early_reply.py), so a client may ask for the
conversation while it is being saved: a read waits for a save of the same conversation under way
in this process, and so never returns a tracker older than an answer already sent.
"""
import asyncio
import contextvars
import itertools
import json
import logging
from typing import Any, Dict, Optional, Text

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions
from redis.exceptions import ResponseError

from bot.async_redis import async_twin

log = logging.getLogger(__name__)


# The shortcut save, in one round trip: when the stored conversation's events are all at the start
# of the new one (same text up to the end of the event list), the new one is written as it is, and
# the script answers how many stored events Rasa's retrieve() returns (those from the last
# action_session_start on), the events Rasa's save would not publish again. Otherwise it writes
# nothing and answers -1. KEYS: tracker key. ARGV: the serialised tracker, how Dialogue.as_dict()
# text ends (`], "name": "<sender>"}`), seconds to keep it ('' for ever).
SAVE_IF_EXTENDED = """
local stored, new, tail = redis.call('GET', KEYS[1]), ARGV[1], ARGV[2]
local published = 0
if stored then
  if #stored < #tail or string.sub(stored, -#tail) ~= tail then return -1 end
  local head = string.sub(stored, 1, #stored - #tail)
  if string.sub(new, 1, #head) ~= head then return -1 end
  local follows = string.sub(new, #head + 1, #head + 2)
  if not (string.sub(head, -1) == '[' or follows == ', ' or string.sub(follows, 1, 1) == ']') then
    return -1
  end
  local events, last_start = cjson.decode(stored).events, 1
  for index, event in ipairs(events) do
    if event.event == 'action' and event.name == 'action_session_start' then last_start = index end
  end
  published = #events - last_start + 1
end
if ARGV[3] == '' then redis.call('SET', KEYS[1], new) else redis.call('SET', KEYS[1], new, 'EX', ARGV[3]) end
return published
"""


# Set inside a save: Rasa's own save reads the stored tracker, and must not wait for itself.
_saving_now: contextvars.ContextVar[bool] = contextvars.ContextVar("saving_now", default=False)


def dialogue_tail(sender_id: str) -> str:
    """How a serialised tracker (Dialogue.as_dict()) ends: `], "name": "<sender>"}`."""
    return "], " + json.dumps({"name": sender_id})[1:]


def later_session_starts(tracker: DialogueStateTracker) -> bool:
    """Whether a session starts after the tracker's first event (so it holds more than one session)."""
    return any(isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME
               for event in itertools.islice(tracker.events, 1, None))


class FastRedisTrackerStore(RedisTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aio = async_twin(self.red)
        self._save_if_extended = self.aio.register_script(SAVE_IF_EXTENDED)
        self._saves_under_way: Dict[Text, "asyncio.Future[None]"] = {}  # by sender id

    async def _retrieve(self, sender_id: Text, fetch_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """RedisTrackerStore._retrieve with the asyncio client, after any save of it under way."""
        save = self._saves_under_way.get(sender_id)
        if save is not None and not _saving_now.get():
            await asyncio.shield(save)
        stored = await self.aio.get(self.key_prefix + sender_id)
        if stored is None:
            return None
        tracker = self.deserialise_tracker(sender_id, stored)
        if fetch_all_sessions or not later_session_starts(tracker):
            return tracker
        # Splitting rebuilds a tracker per session (a second replay of every event): only when
        # there is an earlier session to leave out.
        return get_trackers_for_conversation_sessions(tracker)[-1]

    async def save(self, tracker: DialogueStateTracker, timeout: Optional[float] = None) -> None:
        done = asyncio.get_running_loop().create_future()
        self._saves_under_way[tracker.sender_id] = done
        saving = _saving_now.set(True)
        try:
            await self._save(tracker, timeout)
        finally:
            _saving_now.reset(saving)
            done.set_result(None)
            if self._saves_under_way.get(tracker.sender_id) is done:
                del self._saves_under_way[tracker.sender_id]

    async def _save(self, tracker: DialogueStateTracker, timeout: Optional[float]) -> None:
        expiry = timeout or self.record_exp or ""
        try:
            published = await self._save_if_extended(
                keys=[self.key_prefix + tracker.sender_id],
                args=[self.serialise_tracker(tracker), dialogue_tail(tracker.sender_id), expiry])
        except ResponseError as error:  # say, stored text the script's JSON decoder refuses
            log.warning("tracker of %s saved the slow way: the save script failed: %s", tracker.sender_id, error)
            published = -1
        if published < 0:
            return await super().save(tracker, timeout)
        if self.event_broker is not None:
            new_events = list(tracker.events)[published:]
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
