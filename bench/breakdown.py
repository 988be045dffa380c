"""Where a turn's time goes, read from Rasa's own tracker after the load.

Rasa stamps each event when it creates it: the user event right after NLU has parsed the message
(the lock, loading the tracker and starting a session come before), and each `action` event right
after that action was predicted and run. With the moment the customer sent the message and the moment
the reply was complete (both on this machine's clock), a turn splits into:
  receive, lock, load tracker, NLU   message sent -> user event
  <action name>                      previous event -> that action's event (prediction + run)
  save tracker, send reply           last action event -> reply complete
"""
import statistics
from typing import Any, Dict, List, Optional, Sequence

import aiohttp

from bench.load import TurnSample

NLU_STEP = "receive, lock, load tracker, NLU"
REPLY_STEP = "save tracker, send reply"


def turn_steps(sample: TurnSample, user_event: Dict[str, Any], actions: Sequence[Dict[str, Any]],
               before_user: Sequence[Dict[str, Any]] = ()) -> Dict[str, float]:
    """Milliseconds per step of one turn. `before_user`: actions run between receiving the message and
    its user event (a new session's action_session_start)."""
    marks = [(action["name"], action["timestamp"]) for action in before_user]
    marks.append((NLU_STEP, user_event["timestamp"]))
    marks += [(action["name"], action["timestamp"]) for action in actions]
    marks.append((REPLY_STEP, sample.sent_at + sample.complete_ms / 1000))
    steps: Dict[str, float] = {}
    previous = sample.sent_at
    for name, at in marks:  # each step ends at its mark; an action run twice in a turn adds up
        steps[name] = steps.get(name, 0.0) + (at - previous) * 1000
        previous = at
    return steps


def split_turns(events: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Per user message: the actions run before its user event (a new session's action_session_start
    and action_listen) and the actions run for it, up to and including its action_listen."""
    turns: List[Dict[str, Any]] = []
    before: List[Dict[str, Any]] = []
    answering = False  # between a user event and the action_listen that ends its turn
    for event in events:
        if event.get("event") == "user":
            turns.append({"user": event, "before": before, "actions": []})
            before, answering = [], True
        elif event.get("event") == "action":
            (turns[-1]["actions"] if answering else before).append(event)
            answering = answering and event.get("name") != "action_listen"
    return turns


async def fetch_events(http: aiohttp.ClientSession, rasa_url: str, token: str, sender_id: str) -> List[Dict]:
    async with http.get(f"{rasa_url}/conversations/{sender_id}/tracker",
                        params={"token": token, "include_events": "ALL"}) as response:
        response.raise_for_status()
        return (await response.json())["events"]


async def breakdown(rasa_url: str, token: str, samples: Sequence[TurnSample],
                    max_conversations: int = 60) -> Dict[str, Dict[str, float]]:
    """Mean milliseconds of each step, per turn type, over up to max_conversations conversations."""
    senders = sorted({sample.sender_id for sample in samples})[:max_conversations]
    per_kind: Dict[str, List[Dict[str, float]]] = {}
    async with aiohttp.ClientSession() as http:
        for sender_id in senders:
            turns = split_turns(await fetch_events(http, rasa_url, token, sender_id))
            for sample in (s for s in samples if s.sender_id == sender_id):
                if sample.index < len(turns):
                    turn = turns[sample.index]
                    per_kind.setdefault(sample.kind, []).append(
                        turn_steps(sample, turn["user"], turn["actions"], turn["before"]))
    return {kind: _mean_steps(steps) for kind, steps in per_kind.items()}


def _mean_steps(turns: List[Dict[str, float]]) -> Dict[str, float]:
    names: List[str] = []
    for steps in turns:
        names += [name for name in steps if name not in names]
    # A step missing from a turn (an action only some turns run) took 0 ms in it.
    return {name: round(statistics.fmean(steps.get(name, 0.0) for steps in turns), 1) for name in names}


def slowest_step(steps: Dict[str, float]) -> Optional[str]:
    return max(steps, key=steps.get) if steps else None
