"""Who gets which waiting conversation.

The rules are pure functions over snapshots (agents, waiting conversations) so that they can be
tested as tables; the live state (queue, presence, load, pending offers) lives in Redis elsewhere
and is read into these dataclasses before planning.
"""
import math
from dataclasses import dataclass, replace
from typing import Dict, FrozenSet, Iterable, List, Optional

PRIORITY_RANK = {"vip": 0, "complaint": 1, "normal": 2}  # lower goes first
PRESENCES = ("online", "away", "offline")
OVERFLOW_RULES = ("wait", "translate")


@dataclass(frozen=True)
class AgentState:
    name: str
    languages: FrozenSet[str]
    skills: FrozenSet[str]
    capacity: int
    presence: str  # online / away / offline
    load: int  # conversations assigned plus offers pending
    idle_since: float  # epoch seconds when the agent last became free; smaller = idle longer
    translation: bool = False  # may take conversations in languages they don't speak ("translate")


@dataclass(frozen=True)
class Waiting:
    handoff_id: str
    language: str  # zh / en
    skill: str  # orders / returns / product / complaint / general
    priority: str  # vip / complaint / normal
    queued_at: float  # epoch seconds
    front: bool = False  # re-queued at the front (agent went offline/silent): ahead of everything
    excluded: FrozenSet[str] = frozenset()  # agents whose offer lapsed or who transferred it away
    target_agent: Optional[str] = None  # transferred to a named agent: only that agent may get it


@dataclass(frozen=True)
class Offer:
    handoff_id: str
    agent: str


def queue_order(waiting: Iterable[Waiting]) -> List[Waiting]:
    """Front first, then priority, then longest waiting; handoff_id keeps ties stable."""
    return sorted(waiting, key=lambda w: (
        not w.front,
        PRIORITY_RANK.get(w.priority, PRIORITY_RANK["normal"]),
        w.queued_at,
        w.handoff_id,
    ))


def is_free(agent: AgentState) -> bool:
    return agent.presence == "online" and agent.load < agent.capacity


def _online(agents: Iterable[AgentState]) -> List[AgentState]:
    # Load is deliberately ignored: a busy specialist is still "there", so the conversation waits
    # for them rather than spilling over to a translator or generalist.
    return [agent for agent in agents if agent.presence == "online"]


def online_speakers(agents: Iterable[AgentState], language: str) -> List[AgentState]:
    """Online agents who speak the language (the queue's expected wait is about them)."""
    return [agent for agent in _online(agents) if language in agent.languages]


def speaks(agent: AgentState, waiting: Waiting, agents: Iterable[AgentState], overflow: str) -> bool:
    if waiting.language in agent.languages:
        return True
    nobody_speaks_it = not any(waiting.language in a.languages for a in _online(agents))
    return nobody_speaks_it and overflow == "translate" and agent.translation


def has_skill(agent: AgentState, waiting: Waiting, agents: Iterable[AgentState]) -> bool:
    if waiting.skill in agent.skills:
        return True
    nobody_has_it = not any(waiting.skill in a.skills for a in _online(agents))
    return nobody_has_it and "general" in agent.skills


def eligible_agents(waiting: Waiting, agents: Iterable[AgentState], overflow: str) -> List[AgentState]:
    agents = list(agents)
    if waiting.target_agent is not None:
        # A transfer to a named agent is a human decision: language, skill and exclusions don't apply.
        return [a for a in agents if a.name == waiting.target_agent and is_free(a)]
    able = [
        a for a in agents
        if is_free(a) and speaks(a, waiting, agents, overflow) and has_skill(a, waiting, agents)
    ]
    # If everyone able has already let it lapse, offer it round again rather than stall it.
    return [a for a in able if a.name not in waiting.excluded] or able


def best_agent(candidates: Iterable[AgentState]) -> Optional[AgentState]:
    """Least loaded, then idle longest, then name."""
    return min(candidates, key=lambda a: (a.load, a.idle_since, a.name), default=None)


def plan_offers(
    waiting: Iterable[Waiting], agents: Iterable[AgentState], overflow: str = "wait"
) -> List[Offer]:
    """At most one offer per conversation, greedily in queue order.

    A conversation nobody can take is skipped, so it never blocks the ones behind it.
    """
    if overflow not in OVERFLOW_RULES:
        raise ValueError(f"unknown overflow rule {overflow!r}; expected one of {OVERFLOW_RULES}")
    state: Dict[str, AgentState] = {agent.name: agent for agent in agents}
    offers: List[Offer] = []
    for conversation in queue_order(waiting):
        chosen = best_agent(eligible_agents(conversation, state.values(), overflow))
        if chosen is None:
            continue
        # The pending offer counts as load for the rest of this plan, so capacity is respected.
        state[chosen.name] = replace(chosen, load=chosen.load + 1)
        offers.append(Offer(conversation.handoff_id, chosen.name))
    return offers


def without_language_speaker(waiting: Iterable[Waiting], agents: Iterable[AgentState]) -> List[str]:
    """Handoff ids (queue order) whose language no online agent speaks: tell those customers why."""
    spoken = {language for agent in _online(agents) for language in agent.languages}
    return [w.handoff_id for w in queue_order(waiting) if w.language not in spoken]


def queue_positions(waiting: Iterable[Waiting]) -> Dict[str, int]:
    """1-based position of each handoff id in queue order."""
    return {w.handoff_id: position for position, w in enumerate(queue_order(waiting), start=1)}


def expected_wait_seconds(position: int, serving_agents: int, average_handling_seconds: float) -> int:
    # Each serving agent frees up once per average handling time, so the queue drains
    # `serving_agents` at a time: wait = ceil(position / serving_agents) * average_handling_seconds.
    # With nobody serving we still assume one (a rough, finite estimate beats "forever").
    rounds = math.ceil(position / max(serving_agents, 1))
    return round(rounds * average_handling_seconds)
