"""Rasa's Redis tracker store, without rebuilding the stored tracker on every save.

`RedisTrackerStore.save` reads the stored conversation, rebuilds it as a tracker (replaying every
event), and merges it with the one being saved, so that events of earlier sessions and events
written by someone else meanwhile are kept. In the load bench's profile that rebuild was the
biggest single cost of a turn in the Rasa server (bench/README.md).

Almost always the tracker being saved simply extends what is stored: the same events, serialised the
same way, plus the new ones. That is checked on the serialised text (one prefix comparison) and the
tracker is written as it is, which is what Rasa's merge would give; the events after those Rasa's
retrieve() returns go to the event broker, as Rasa's save sends them (it rebuilds the stored tracker a
second time to count them). Anything else (an earlier session, a concurrent writer, an event that
serialises differently) goes through Rasa's own save.

Rasa's store also waits for Redis with a blocking client, stalling every conversation on the event
loop meanwhile; retrieving and the shortcut save use an asyncio client instead (bot/async_redis.py).
"""
import itertools
import json
from typing import Any, Optional, Text

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions

from bot.async_redis import async_twin


def extends(stored: str, serialised: str, sender_id: str) -> bool:
    """True when `serialised` has every event of `stored`, in order, then possibly more."""
    tail = "], " + json.dumps({"name": sender_id})[1:]  # how Dialogue.as_dict() ends: ], "name": "..."}
    if not stored.endswith(tail):
        return False
    head = stored[: -len(tail)]
    if not serialised.startswith(head):
        return False
    follows = serialised[len(head):]
    return head.endswith("[") or follows.startswith((", ", "]"))


def events_of_last_session(stored: str) -> int:
    """How many stored events Rasa's retrieve() returns: those from the last action_session_start on."""
    events = json.loads(stored)["events"]
    starts = [index for index, event in enumerate(events)
              if event.get("event") == "action" and event.get("name") == "action_session_start"]
    return len(events) - (starts[-1] if starts else 0)


def later_session_starts(tracker: DialogueStateTracker) -> bool:
    """Whether a session starts after the tracker's first event (so it holds more than one session)."""
    return any(isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME
               for event in itertools.islice(tracker.events, 1, None))


class FastRedisTrackerStore(RedisTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aio = async_twin(self.red)

    async def _retrieve(self, sender_id: Text, fetch_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """RedisTrackerStore._retrieve with the asyncio client."""
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
        key = self.key_prefix + tracker.sender_id
        stored = await self.aio.get(key)
        serialised = self.serialise_tracker(tracker)
        published = 0  # what Rasa's stream_events would skip: the events retrieve() gives back
        if stored is not None:
            stored = stored.decode() if isinstance(stored, bytes) else stored
            if not extends(stored, serialised, tracker.sender_id):
                return await super().save(tracker, timeout)
            published = events_of_last_session(stored)
        if self.event_broker is not None:
            new_events = list(tracker.events)[published:]
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
        await self.aio.set(key, serialised, ex=timeout or self.record_exp or None)
