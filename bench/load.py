"""N simulated customers, each one conversation after another for a fixed time, against one Rasa server.

Customers alternate between the socket.io and REST channels and between Chinese and English; each
waits a random think time between its turns, as people reading and typing do. A turn fails when no
reply comes, the channel errs, or the answer is not in the customer's language; its conversation then
ends (its state is unknown) and the customer starts a new one.
"""
import asyncio
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Tuple

import aiohttp

from bench.clients import RestCustomer, SocketCustomer, TurnFailed
from bench.scripts import TURN_TYPES, Turn, conversation

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


@dataclass
class TurnSample:
    sender_id: str
    index: int  # the turn's place in its conversation (0 = first message)
    kind: str
    language: str
    channel: str
    sent_at: float
    first_ms: float
    complete_ms: float


@dataclass
class LoadResult:
    seconds: float
    samples: List[TurnSample] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    error_examples: List[str] = field(default_factory=list)
    conversations: int = 0
    loop_lag_ms: List[float] = field(default_factory=list)

    def extend(self, more: "LoadResult") -> None:
        """Adds another slice of the same system's load."""
        self.seconds = round(self.seconds + more.seconds, 1)
        self.samples += more.samples
        self.errors.update(more.errors)
        self.error_examples = (self.error_examples + more.error_examples)[:10]
        self.conversations += more.conversations
        self.loop_lag_ms += more.loop_lag_ms

    def fail(self, turn: Turn, channel: str, failure: TurnFailed) -> None:
        self.errors[failure.kind] += 1
        if len(self.error_examples) < 10:
            self.error_examples.append(f"{channel} {turn.kind} {turn.text!r}: {failure}")


def wrong_language(turn: Turn, texts: Sequence[str]) -> bool:
    """A Chinese answer has Chinese in it; an English one is mostly Latin letters (it may quote data in
    Chinese, such as a carrier's tracking note)."""
    text = " ".join(texts)
    chinese = len(CJK.findall(text))
    if turn.language == "zh":
        return chinese == 0
    return chinese >= len(LATIN.findall(text))


@dataclass
class LoadPlan:
    rasa_url: str
    users: int
    seconds: float
    think: Tuple[float, float]  # seconds between a reply and the next message, uniform in this range
    order_ids: Sequence[str]
    name: str  # goes into the sender ids, so the run's trackers can be found and removed
    seed: int = 7


async def _customer(plan: LoadPlan, user: int, http: aiohttp.ClientSession, deadline: float,
                    result: LoadResult) -> None:
    rng = random.Random(plan.seed * 1000 + user)
    use_socket = (user // 2) % 2 == 0  # both channels get both languages
    number = 0
    # Customers arrive spread over one think time, as in a steady stream, not all in one millisecond:
    # a burst of N greetings at once would measure the start of the run rather than the load.
    await asyncio.sleep(rng.uniform(0, plan.think[1]))
    # Each customer's first conversation starts at a different turn, as if they had been talking
    # for a while: otherwise every customer greets at once, then asks about an order at once, and
    # the load comes in waves of one turn type.
    skip = user % len(TURN_TYPES)
    while time.monotonic() < deadline:
        language = ("zh", "en")[(user + number) % 2]  # each customer alternates languages
        sender_id = f"{plan.name}-u{user}-c{number}"
        number += 1
        customer = SocketCustomer(plan.rasa_url, sender_id) if use_socket else \
            RestCustomer(http, plan.rasa_url, sender_id)
        try:
            await customer.start()
            result.conversations += 1
            turns, skip = conversation(language, plan.order_ids, rng)[skip:], 0
            for index, turn in enumerate(turns):
                if time.monotonic() >= deadline:
                    break
                try:
                    reply = await customer.say(turn.text)
                    if wrong_language(turn, reply.texts):
                        raise TurnFailed("wrong language", " / ".join(reply.texts)[:120])
                except TurnFailed as failure:
                    result.fail(turn, customer.channel, failure)
                    break
                result.samples.append(TurnSample(sender_id, index, turn.kind, turn.language, customer.channel,
                                                 reply.sent_at, reply.first_ms, reply.complete_ms))
                await asyncio.sleep(rng.uniform(*plan.think))
        except TurnFailed as failure:  # could not even connect
            result.fail(Turn("connect", language, ""), customer.channel, failure)
            await asyncio.sleep(1)
        finally:
            await customer.close()


async def _watch_loop_lag(result: LoadResult, deadline: float) -> None:
    """The bench's own event loop must stay responsive, or it would add its delay to every latency."""
    while time.monotonic() < deadline:
        before = time.perf_counter()
        await asyncio.sleep(0.1)
        result.loop_lag_ms.append((time.perf_counter() - before - 0.1) * 1000)


async def run_load(plan: LoadPlan) -> LoadResult:
    started = time.monotonic()
    deadline = started + plan.seconds
    result = LoadResult(seconds=plan.seconds)
    connector = aiohttp.TCPConnector(limit=plan.users)
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.gather(_watch_loop_lag(result, deadline),
                             *(_customer(plan, user, http, deadline, result) for user in range(plan.users)))
    result.seconds = round(time.monotonic() - started, 1)
    return result


def by_kind(samples: Sequence[TurnSample]) -> Dict[str, List[TurnSample]]:
    grouped: Dict[str, List[TurnSample]] = {}
    for sample in samples:
        grouped.setdefault(sample.kind, []).append(sample)
    return grouped
