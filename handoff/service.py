"""What the handoff service does, independent of HTTP: queue, offers, relay, hand back and close.

Changes of a handoff's state happen under its Redis lock and routing rounds under one global lock,
so several instances can run against the same Redis; the two hot paths (a customer message, an
agent reply) take no lock but single atomic Redis steps. Agents hear about changes through the bus
(store.publish); customers through Rasa (customer.RasaClient).
"""
import asyncio
import logging
import math
import time
from collections import Counter
from typing import Any, Dict, List, Optional, Tuple

from handoff import routing
from handoff.auth import Identity
from handoff.config import Settings
from handoff.customer import RasaClient, RasaUnavailable, customer_text, read_rating
from handoff.packets import SKILLS, read_packet
from handoff.store import EVERYONE, NotFound, Store, waiting_for_routing

log = logging.getLogger(__name__)
PRESENCES = routing.PRESENCES
RESOLUTIONS = ("resolved", "not_resolved", "follow_up", "spam")
RATING_WAIT_SECONDS = 15 * 60
CLOCK_SKEW_SECONDS = 5  # Rasa and this service may run on different machines


class Forbidden(Exception):
    pass


class BadRequest(ValueError):
    pass


def public_view(handoff: Dict[str, Any]) -> Dict[str, Any]:
    """The handoff as agents see it (everything but bookkeeping)."""
    hidden = ("excluded",)
    return {name: value for name, value in handoff.items() if name not in hidden}


def queue_view(waiting: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The waiting conversations in routing order, as agents watch the queue (no personal data)."""
    by_id = {h["id"]: h for h in waiting}
    return [{"id": w.handoff_id, "position": place, "status": by_id[w.handoff_id]["status"],
             "priority": w.priority, "language": w.language, "skill": w.skill,
             "tier": by_id[w.handoff_id]["tier"], "topic": by_id[w.handoff_id]["topic"],
             "offered_to": by_id[w.handoff_id].get("offered_to") or None, "queued_at": w.queued_at}
            for place, w in enumerate(routing.queue_order(waiting_for_routing(h) for h in waiting), start=1)]


def can_see(identity: Identity, handoff: Dict[str, Any]) -> bool:
    return identity.sees_everything or identity.name in (handoff.get("agent"), handoff.get("offered_to"))


class HandoffService:
    def __init__(self, store: Store, rasa: RasaClient, settings: Settings):
        self.store = store
        self.rasa = rasa
        self.settings = settings
        self._round_wanted = asyncio.Event()
        self._last_queue: Optional[list] = None  # what supervisors were last sent

    # --- the action server --------------------------------------------------------------------
    async def create(self, packet: Any) -> Tuple[bool, Dict[str, Any]]:
        """(created, summary); a conversation that already has an open handoff gets that one."""
        fields, message_ids = read_packet(packet)
        async with self.store.lock("conversation", fields["conversation_id"]):
            existing = await self.store.open_handoff_id(fields["conversation_id"])
            if existing:
                return False, await self.summary(existing)
            handoff = await self.store.create_handoff(fields, packet, message_ids)
        log.info("handoff %s queued: %s %s %s", handoff["id"], fields["language"], fields["skill"],
                 fields["priority"])
        # The answer first: a routing round woken before it (reading the whole queue) would run
        # during the answer's reads and delay it. The router offers the handoff moments later; a
        # burst of handoffs must not wait for routing rounds.
        summary = await self.summary(handoff["id"])
        self.wake_router()
        return True, summary

    async def summary(self, handoff_id: str) -> Dict[str, Any]:
        # Queue entries, not whole handoffs: the answer needs none of the context packets.
        handoff = await self.store.queue_entry(handoff_id)
        agents = await self.store.agent_states({})
        speakers = routing.online_speakers(agents, handoff["language"])
        position = await self._position(handoff)
        return {"handoff_id": handoff_id, "status": handoff["status"], "agent": handoff.get("agent") or None,
                "position": position,
                "expected_wait_seconds": await self._expected_wait(position, speakers),
                "language_available": bool(speakers) or self.settings.overflow == "translate"}

    async def _position(self, handoff: Dict[str, Any]) -> int:
        """Place in the queue (1 = next), 0 once with an agent."""
        if handoff["status"] not in ("queued", "offered"):
            return 0
        waiting = [waiting_for_routing(h) for h in await self.store.waiting_queue()]
        return routing.queue_positions(waiting).get(handoff["id"], 0)

    async def _expected_wait(self, position: int, speakers: List[routing.AgentState]) -> int:
        if position <= 0:
            return 0
        free_slots = sum(max(0, a.capacity - a.load) for a in speakers)
        if position <= free_slots:
            return 0
        average = await self.store.average_handling_seconds(self.settings.average_handling_seconds)
        return routing.expected_wait_seconds(position - free_slots, len(speakers), average)

    async def open_for_conversation(self, conversation_id: str) -> Dict[str, Any]:
        handoff_id = await self.store.open_handoff_id(conversation_id)
        if not handoff_id:
            raise NotFound(f"conversation {conversation_id} has no open handoff")
        return await self.summary(handoff_id)

    # --- agents -------------------------------------------------------------------------------
    async def hello(self, identity: Identity) -> Dict[str, Any]:
        """Everything a freshly connected agent UI needs to draw itself (the WebSocket hello frame)."""
        agent = await self.store.agent(identity.name)
        return {"agent": identity.name, "role": identity.role, "me": agent.public(),
                "presence": (await self.store.presence(identity.name))["status"],
                "handoffs": await self.visible_handoffs(identity),
                "queue": queue_view(await self.store.waiting_queue()), "at": time.time(),
                "limits": {"sla_seconds": self.settings.sla_seconds,
                           "max_message_chars": self.settings.max_message_chars,
                           "resolutions": list(RESOLUTIONS), "skills": list(SKILLS)}}

    async def agents_overview(self, identity: Identity) -> List[Dict[str, Any]]:
        """Every agent with presence and load, for supervisors."""
        if not identity.sees_everything:
            raise Forbidden("only supervisors and admins see every agent")
        overview = []
        for agent in await self.store.agents():
            presence = await self.store.presence(agent.name)
            overview.append({**agent.public(), "presence": presence["status"], "seen": presence["seen"],
                             "load": len(await self.store.assigned_ids(agent.name))})
        return overview

    async def agent_typing(self, identity: Identity, handoff_id: str) -> None:
        """Tells whoever watches the conversation, and the customer when their widget can show it."""
        handoff = await self._visible(identity, handoff_id)
        await self.store.publish({"type": "typing", "handoff_id": handoff_id, "agent": identity.name},
                                 [handoff.get("agent") or identity.name])
        if handoff["status"] == "assigned" and handoff["channel"] == "socketio":
            try:
                await self.rasa.show_typing(handoff["conversation_id"], identity.name)
            except RasaUnavailable as error:
                log.info("typing not shown to %s: %s", handoff["conversation_id"], error)

    async def visible_handoffs(self, identity: Identity) -> List[Dict[str, Any]]:
        ids = set(await self.store.waiting_ids())
        agents = [a.name for a in await self.store.agents()] if identity.sees_everything else [identity.name]
        for name in agents:
            ids.update(await self.store.assigned_ids(name))
        found = []
        for handoff_id in sorted(ids):
            try:
                handoff = await self.store.handoff(handoff_id)
            except NotFound:
                continue
            if can_see(identity, handoff):
                found.append(public_view(handoff))
        return sorted(found, key=lambda h: h["created_at"])

    async def read(self, identity: Identity, handoff_id: str) -> Dict[str, Any]:
        handoff = await self._visible(identity, handoff_id)
        return {**public_view(handoff), "messages": await self.store.messages(handoff_id)}

    async def _visible(self, identity: Identity, handoff_id: str) -> Dict[str, Any]:
        handoff = await self.store.handoff(handoff_id)
        if not can_see(identity, handoff):
            raise Forbidden("this conversation is not offered or assigned to you")
        return handoff

    async def _held(self, identity: Identity, handoff_id: str) -> Dict[str, Any]:
        """The handoff, if the caller holds it (a supervisor may act on any assigned one)."""
        handoff = await self._visible(identity, handoff_id)
        if handoff["status"] != "assigned":
            raise BadRequest(f"the conversation is {handoff['status']}, not assigned")
        if handoff["agent"] != identity.name and not identity.sees_everything:
            raise Forbidden("this conversation is assigned to someone else")
        return handoff

    async def accept(self, identity: Identity, handoff_id: str) -> Dict[str, Any]:
        async with self.store.lock(handoff_id):
            handoff = await self._visible(identity, handoff_id)
            offered_to_me = handoff["status"] == "offered" and handoff["offered_to"] == identity.name
            supervisor_pick = identity.sees_everything and handoff["status"] in ("queued", "offered")
            if not (offered_to_me or supervisor_pick):
                raise BadRequest(f"the conversation is {handoff['status']} and not offered to you")
            if supervisor_pick and handoff.get("offered_to") and handoff["offered_to"] != identity.name:
                await self.store.publish({"type": "offer_withdrawn", "handoff_id": handoff_id},
                                         [handoff["offered_to"]])
            messages = await self.store.assign(handoff_id, identity.name)
            accepted = {**public_view(await self.store.handoff(handoff_id)), "messages": messages}
        await self.store.touch(identity.name)
        await self.store.publish({"type": "assigned", "handoff": accepted}, [identity.name])
        await self._tell_customer(accepted, "agent_joined", agent=identity.name)
        self.wake_router()
        return accepted

    async def reply(self, identity: Identity, handoff_id: str, text: Any) -> Dict[str, Any]:
        """Sends the agent's message through Rasa, then logs it. No lock is held meanwhile: the
        customer's own messages (which do take the lock) must not queue behind Rasa."""
        text = self._message_text(text)
        handoff = await self._held(identity, handoff_id)
        sender = {"actor": "agent", "agent": identity.name, "handoff_id": handoff_id}
        started = time.perf_counter()
        await self.rasa.say(handoff["conversation_id"], text, sender=sender)
        rasa_ms = (time.perf_counter() - started) * 1000
        entry = await self.store.append_agent_message(handoff_id, {"actor": "agent", "agent": identity.name,
                                                                   "text": text})
        await self.store.touch(identity.name)
        await self.store.publish({"type": "message", "handoff_id": handoff_id, "message": entry},
                                 [identity.name])
        # How long Rasa took, so the agent UI and the benchmark can tell our time from Rasa's.
        return {**entry, "rasa_ms": round(rasa_ms, 1)}

    def _message_text(self, text: Any) -> str:
        if not isinstance(text, str) or not text.strip():
            raise BadRequest("'text' must be a non-empty string")
        if len(text) > self.settings.max_message_chars:
            raise BadRequest(f"message too long: {len(text)} characters, the limit is "
                             f"{self.settings.max_message_chars}")
        return text

    async def transfer(self, identity: Identity, handoff_id: str, to_agent: Any = None,
                       to_skill: Any = None) -> Dict[str, Any]:
        if bool(to_agent) == bool(to_skill):
            raise BadRequest("give exactly one of 'agent' or 'skill'")
        if to_skill and to_skill not in SKILLS:
            raise BadRequest(f"'skill' must be one of {SKILLS}")
        if to_agent:
            target = await self.store.agent(str(to_agent))
            if not target or target.disabled or target.role == "admin":
                raise BadRequest(f"no active agent named {to_agent!r}")
        async with self.store.lock(handoff_id):
            handoff = await self._held(identity, handoff_id)
            await self.store.requeue(handoff, front=True, exclude="" if to_agent else handoff["agent"],
                                     target_agent=to_agent or "", skill=to_skill or "")
            moved = public_view(await self.store.handoff(handoff_id))
        # The agent who held it hears too: a supervisor may have acted for them.
        await self.store.publish({"type": "handoff_updated", "handoff": moved},
                                 [identity.name, handoff["agent"]])
        self.wake_router()
        return moved

    async def hand_back(self, identity: Identity, handoff_id: str, slots: Any) -> Dict[str, Any]:
        slots = slots or {}
        if not isinstance(slots, dict) or not all(isinstance(name, str) for name in slots):
            raise BadRequest("'slots' must be an object of slot names to values")
        async with self.store.lock(handoff_id):
            handoff = await self._held(identity, handoff_id)
            await self.rasa.resume(handoff["conversation_id"], slots)
            await self.store.release(handoff, "handed_back")
            await self.store.finish(handoff_id, handoff["conversation_id"])
            done = public_view(await self.store.handoff(handoff_id))
        # The agent who held it hears too: a supervisor may have acted for them.
        await self.store.publish({"type": "handoff_updated", "handoff": done},
                                 [identity.name, handoff["agent"]])
        await self._tell_customer(done, "bot_back")
        self.wake_router()
        return done

    async def close(self, identity: Identity, handoff_id: str, resolution: Any) -> Dict[str, Any]:
        if resolution not in RESOLUTIONS:
            raise BadRequest(f"'resolution' must be one of {RESOLUTIONS}")
        async with self.store.lock(handoff_id):
            handoff = await self._held(identity, handoff_id)
            question = customer_text("rating_question", handoff["language"], agent=handoff["agent"])
            buttons = [{"title": score, "payload": score} for score in ("5", "4", "3", "2", "1")]
            # The conversation stays paused until the rating (or another message) arrives.
            await self.rasa.say(handoff["conversation_id"], question, buttons=buttons,
                                sender={"actor": "system", "notice": "rating_question"})
            await self.store.release(handoff, "rating", resolution=resolution)
            await self.store.await_rating(handoff_id, time.time() + RATING_WAIT_SECONDS)
            done = public_view(await self.store.handoff(handoff_id))
        # The agent who held it hears too: a supervisor may have acted for them.
        await self.store.publish({"type": "handoff_updated", "handoff": done},
                                 [identity.name, handoff["agent"]])
        self.wake_router()
        return done

    async def set_presence(self, identity: Identity, status: Any) -> Dict[str, Any]:
        if status not in PRESENCES:
            raise BadRequest(f"'status' must be one of {PRESENCES}")
        await self.store.set_presence(identity.name, status)
        await self.store.publish({"type": "presence", "agent": identity.name, "status": status})
        self.wake_router()
        return {"agent": identity.name, "status": status}

    # --- customers ----------------------------------------------------------------------------
    async def customer_typing(self, conversation_id: str) -> bool:
        """Shows the agent that the customer is typing; False when no agent has the conversation."""
        handoff_id = await self.store.open_handoff_id(conversation_id)
        handoff = await self.store.handoff(handoff_id) if handoff_id else None
        if not handoff or handoff["status"] != "assigned":
            return False
        await self.store.publish({"type": "typing", "handoff_id": handoff_id, "actor": "customer"},
                                 [handoff["agent"]])
        return True

    # --- customers (from the Kafka relay) -----------------------------------------------------
    async def customer_message(self, conversation_id: str, text: str, message_id: Optional[str],
                               timestamp: Optional[float], parse_data: Dict[str, Any]) -> None:
        """A customer message from Rasa's event stream: logged and pushed to the agent in one atomic
        step (store.RELAY_CUSTOMER_MESSAGE); after a close it is the rating, or a new question."""
        intent = parse_data.get("intent") or {}
        message = {"actor": "customer", "text": text, "timestamp": timestamp,
                   "intent": intent.get("name"), "confidence": intent.get("confidence")}
        handoff_id, status, _ = await self.store.relay_customer_message(
            conversation_id, message, message_id or "", clock_skew=CLOCK_SKEW_SECONDS)
        if status == "rating":
            async with self.store.lock(handoff_id):
                handoff = await self.store.handoff(handoff_id)
                if handoff["status"] == "rating":
                    await self._rating_answer(handoff, text, parse_data)

    async def _rating_answer(self, handoff: Dict[str, Any], text: str, parse_data: Dict[str, Any]) -> None:
        rating = read_rating(text)
        await self.rasa.resume(handoff["conversation_id"], {})
        await self.store.finish(handoff["id"], handoff["conversation_id"], status="closed",
                                csat=rating if rating is not None else "")
        if rating is not None:
            await self._tell_customer(handoff, "rating_thanks")
        else:  # not a rating but a new question: the bot, awake again, answers it
            await self.rasa.answer_as_bot(handoff["conversation_id"], parse_data)

    async def _tell_customer(self, handoff: Dict[str, Any], key: str, **values: Any) -> None:
        """A notice to the customer; failing to send one never undoes what the agent did."""
        try:
            await self.rasa.say(handoff["conversation_id"], customer_text(key, handoff["language"], **values),
                                sender={"actor": "system", "notice": key})
        except RasaUnavailable as error:
            log.warning("could not tell %s %r: %s", handoff["conversation_id"], key, error)

    # --- routing rounds -----------------------------------------------------------------------
    def wake_router(self) -> None:
        self._round_wanted.set()

    async def run_router(self, tick_seconds: float = 1.0) -> None:
        """Routes whenever something changed, and every tick for offer and presence timeouts."""
        while True:
            # asyncio.wait, not wait_for: on Python 3.10 wait_for can swallow a cancellation.
            wanted = asyncio.ensure_future(self._round_wanted.wait())
            try:
                await asyncio.wait({wanted}, timeout=tick_seconds)
            finally:
                wanted.cancel()
            self._round_wanted.clear()
            try:
                await self.route()
            except Exception:  # a failed round must not stop routing for good
                log.exception("routing round failed")

    async def route(self) -> None:
        async with self.store.lock("router"):
            now = time.time()
            await self._requeue_from_absent_agents(now)
            await self._withdraw_stale_offers(now)
            waiting = await self.store.waiting_queue()
            pending = Counter(h["offered_to"] for h in waiting if h["status"] == "offered")
            agents = await self.store.agent_states(dict(pending))
            queued = [waiting_for_routing(h) for h in waiting if h["status"] == "queued"]
            offers = routing.plan_offers(queued, agents, self.settings.overflow)
            for offer in offers:
                await self._offer(offer, now)
            if offers:  # read again what the offers changed; without any, the queue read above is current
                waiting = await self.store.waiting_queue()
            notices = await self._update_positions(waiting, agents)
            await self._publish_queue(waiting, now)
            await self._expire_ratings(now)
        # Outside the lock: a long queue means many calls to Rasa, and routing must not wait on them.
        await asyncio.gather(*(self._tell_customer(handoff, key, **values) for handoff, key, values in notices))

    async def _publish_queue(self, waiting: List[Dict[str, Any]], now: float) -> None:
        """The queue, pushed to every agent when its order or states changed."""
        items = queue_view(waiting)
        fingerprint = [(i["id"], i["status"], i["offered_to"]) for i in items]
        if fingerprint != self._last_queue:
            self._last_queue = fingerprint
            await self.store.publish({"type": "queue", "waiting": items, "at": now}, [EVERYONE])

    async def _offer(self, offer: routing.Offer, now: float) -> None:
        async with self.store.lock(offer.handoff_id):
            handoff = await self.store.handoff(offer.handoff_id)
            if handoff["status"] != "queued":
                return
            await self.store.update_handoff(offer.handoff_id, status="offered", offered_to=offer.agent,
                                            offer_expires=now + self.settings.offer_timeout_seconds)
            offered = public_view(await self.store.handoff(offer.handoff_id))
        await self.store.publish({"type": "offer", "handoff": offered}, [offer.agent])

    async def _withdraw_stale_offers(self, now: float) -> None:
        """Offers not accepted in time, or made to an agent no longer online, go back to the queue
        (one read of the queue for both)."""
        for handoff in await self.store.waiting_queue():
            if handoff["status"] != "offered":
                continue
            lapsed = (handoff.get("offer_expires") or 0) <= now
            if lapsed or await self._offered_to_absent_agent(handoff):
                await self._withdraw_offer(handoff["id"])

    async def _offered_to_absent_agent(self, handoff: Dict[str, Any]) -> bool:
        offered_to = handoff.get("offered_to")
        return bool(offered_to) and (await self.store.presence(offered_to))["status"] != "online"

    async def _withdraw_offer(self, handoff_id: str) -> None:
        async with self.store.lock(handoff_id):
            handoff = await self.store.handoff(handoff_id)
            if handoff["status"] != "offered":
                return
            await self.store.requeue(handoff, exclude=handoff["offered_to"])
        await self.store.publish({"type": "offer_withdrawn", "handoff_id": handoff_id},
                                 [handoff["offered_to"]])

    async def _requeue_from_absent_agents(self, now: float) -> None:
        """Offline, silent or disabled agents go offline, and their conversations to the front of the
        queue (their offers are withdrawn next, by _withdraw_stale_offers)."""
        for agent in await self.store.agents():
            presence = await self.store.presence(agent.name)
            silent = presence["seen"] < now - self.settings.silent_agent_seconds
            if presence["status"] != "offline" and not silent and not agent.disabled:
                continue
            if presence["status"] != "offline":
                await self.store.set_presence(agent.name, "offline", now=presence["seen"])
                await self.store.publish({"type": "presence", "agent": agent.name, "status": "offline"})
            for handoff_id in await self.store.assigned_ids(agent.name):
                async with self.store.lock(handoff_id):
                    handoff = await self.store.handoff(handoff_id)
                    if handoff["status"] == "assigned" and handoff["agent"] == agent.name:
                        await self.store.requeue(handoff, front=True)
                        log.info("handoff %s re-queued: %s is offline", handoff_id, agent.name)

    async def _update_positions(self, waiting: List[Dict[str, Any]],
                                agents: List[routing.AgentState]) -> List[Tuple[Dict[str, Any], str, Dict]]:
        """Stores each waiting conversation's place; returns the notices for customers whose place
        changed (not on the first count: action_handoff already told them)."""
        positions = routing.queue_positions(waiting_for_routing(h) for h in waiting)
        notices = []
        for handoff in waiting:
            position = positions[handoff["id"]]
            before = int(handoff.get("position") or 0)
            if position == before:
                continue
            await self.store.update_handoff(handoff["id"], position=position)
            if before:
                wait = await self._expected_wait(position, routing.online_speakers(agents, handoff["language"]))
                key = "queue_next" if position == 1 else "queue_position"
                notices.append((handoff, key, {"position": position, "minutes": max(1, math.ceil(wait / 60))}))
        return notices

    async def _expire_ratings(self, now: float) -> None:
        """A customer who never rates gets the bot back after a while."""
        for handoff_id in await self.store.ratings_overdue(now):
            async with self.store.lock(handoff_id):
                handoff = await self.store.handoff(handoff_id)
                if handoff["status"] == "rating":
                    await self.rasa.resume(handoff["conversation_id"], {})
                    await self.store.finish(handoff_id, handoff["conversation_id"], status="closed")
