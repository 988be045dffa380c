"""Routing rules as tables. In most rows the wrong agent would win the tie-break, so a broken rule
shows up as a different name rather than passing by luck."""
import pytest

from handoff.routing import (
    AgentState, Offer, Waiting, best_agent, expected_wait_seconds, is_free, plan_offers,
    queue_order, queue_positions, without_language_speaker,
)


def agent(name, languages=("en",), skills=("orders",), capacity=2, presence="online", load=0,
          idle_since=100.0, translation=False):
    return AgentState(name, frozenset(languages), frozenset(skills), capacity, presence, load,
                      idle_since, translation)


def conv(handoff_id="h1", language="en", skill="orders", priority="normal", queued_at=0.0,
         front=False, excluded=(), target_agent=None):
    return Waiting(handoff_id, language, skill, priority, queued_at, front, frozenset(excluded),
                   target_agent)


def plan(waiting, agents, overflow="wait"):
    offers = plan_offers(waiting, agents, overflow)
    assert len({offer.handoff_id for offer in offers}) == len(offers), "one offer per conversation"
    return {offer.handoff_id: offer.agent for offer in offers}


PLANS = [
    # language
    pytest.param([conv(language="zh")],
                 [agent("ann", ["zh"], idle_since=200), agent("bob", ["en"], idle_since=1)],
                 "wait", {"h1": "ann"}, id="zh-only-to-zh-speaker"),
    pytest.param([conv(language="en")],
                 [agent("ann", ["zh"], idle_since=1), agent("bob", ["en"], idle_since=200)],
                 "wait", {"h1": "bob"}, id="en-only-to-en-speaker"),
    pytest.param([conv("z", language="zh"), conv("e", language="en", queued_at=1)],
                 [agent("ann", ["zh", "en"], capacity=2)],
                 "wait", {"z": "ann", "e": "ann"}, id="bilingual-takes-either"),
    # overflow: no online zh speaker
    pytest.param([conv(language="zh")],
                 [agent("zoe", ["zh"], presence="offline", idle_since=1),
                  agent("tom", translation=True), agent("ned", idle_since=1)],
                 "wait", {}, id="no-zh-speaker-wait"),
    pytest.param([conv(language="zh")],
                 [agent("zoe", ["zh"], presence="offline", idle_since=1),
                  agent("tom", translation=True), agent("ned", idle_since=1)],
                 "translate", {"h1": "tom"}, id="no-zh-speaker-translate-to-translator-only"),
    pytest.param([conv(language="zh")],
                 [agent("zoe", ["zh"], load=2, capacity=2), agent("tom", translation=True)],
                 "translate", {}, id="zh-speaker-online-but-full-no-translate"),
    # skills
    pytest.param([conv(skill="returns")],
                 [agent("ann", skills=["orders"], idle_since=1), agent("bob", skills=["returns"])],
                 "wait", {"h1": "bob"}, id="skill-match-required"),
    pytest.param([conv(skill="product")],
                 [agent("pia", skills=["product"], presence="offline", idle_since=1),
                  agent("ann", skills=["orders"], idle_since=1), agent("gus", skills=["general"])],
                 "wait", {"h1": "gus"}, id="general-covers-skill-nobody-online-has"),
    pytest.param([conv(skill="product")],
                 [agent("pia", skills=["product"], load=2, capacity=2), agent("gus", skills=["general"])],
                 "wait", {}, id="general-not-for-skill-a-full-online-agent-has"),
    pytest.param([conv(skill="product")], [agent("ann", skills=["orders"])],
                 "wait", {}, id="nobody-with-skill-and-no-generalist"),
    # capacity
    pytest.param([conv()], [agent("ann", load=2, capacity=2)], "wait", {}, id="full-agent-gets-nothing"),
    pytest.param([conv()], [agent("ann", capacity=0)], "wait", {}, id="capacity-zero"),
    pytest.param([conv(f"h{i}", queued_at=i) for i in range(1, 5)],
                 [agent("ann", capacity=2), agent("bob", load=2, capacity=3)],
                 "wait", {"h1": "ann", "h2": "ann", "h3": "bob"}, id="fill-to-capacity-then-next"),
    pytest.param([conv(f"h{i}", queued_at=i) for i in range(1, 4)],
                 [agent("ann", capacity=1, idle_since=1), agent("bob", capacity=1, idle_since=2)],
                 "wait", {"h1": "ann", "h2": "bob"}, id="pending-offer-counts-as-load"),
    # priority decides who gets the last free slot
    pytest.param([conv("n", queued_at=0), conv("c", "en", priority="complaint", queued_at=1),
                  conv("v", priority="vip", queued_at=2)],
                 [agent("ann", capacity=1)], "wait", {"v": "ann"}, id="vip-gets-the-only-slot"),
    # offer lapsed: excluded
    pytest.param([conv(excluded=["ann"])],
                 [agent("ann", idle_since=1), agent("bob", idle_since=2), agent("cid", idle_since=3)],
                 "wait", {"h1": "bob"}, id="excluded-skipped-next-best"),
    pytest.param([conv(excluded=["ann", "bob"])],
                 [agent("bob", idle_since=2), agent("ann", idle_since=1), agent("zed", ["zh"])],
                 "wait", {"h1": "ann"}, id="all-excluded-goes-round-again-to-best"),
    pytest.param([conv(excluded=["ann"])],
                 [agent("ann"), agent("bob", load=2, capacity=2)],
                 "wait", {"h1": "ann"}, id="only-eligible-is-excluded-goes-round-again"),
    # presence
    pytest.param([conv()], [agent("ann", presence="offline", idle_since=1), agent("bob")],
                 "wait", {"h1": "bob"}, id="offline-never-offered"),
    pytest.param([conv()], [agent("ann", presence="away", idle_since=1), agent("bob")],
                 "wait", {"h1": "bob"}, id="away-never-offered"),
    pytest.param([conv()], [agent("ann", presence="away")], "wait", {}, id="only-away-no-offer"),
    # transfer to a named agent
    pytest.param([conv(target_agent="ann")], [agent("ann", presence="offline"), agent("bob")],
                 "wait", {}, id="target-offline-no-offer"),
    pytest.param([conv(target_agent="ann")], [agent("ann", load=2, capacity=2), agent("bob")],
                 "wait", {}, id="target-full-no-offer"),
    pytest.param([conv(target_agent="nobody")], [agent("bob")], "wait", {}, id="target-unknown-no-offer"),
    pytest.param([conv(language="zh", skill="returns", target_agent="ann", excluded=["ann"])],
                 [agent("ann", ["en"], ["orders"], load=1, idle_since=9),
                  agent("bob", ["zh"], ["returns"], idle_since=1)],
                 "wait", {"h1": "ann"}, id="target-online-ignores-language-skill-excluded"),
    # one offer each; an unservable head of the queue does not block the rest
    pytest.param([conv()], [agent("ann"), agent("bob"), agent("cid")], "wait", {"h1": "ann"},
                 id="one-offer-per-conversation"),
    pytest.param([conv("z", language="zh", priority="vip", front=True), conv("e", queued_at=5)],
                 [agent("bob", ["en"])], "wait", {"e": "bob"}, id="no-head-of-line-blocking"),
]


@pytest.mark.parametrize("waiting, agents, overflow, expected", PLANS)
def test_plan_offers(waiting, agents, overflow, expected):
    assert plan(waiting, agents, overflow) == expected


def test_plan_offers_returns_offers_in_queue_order():
    waiting = [conv("late", queued_at=9), conv("early", queued_at=1)]
    assert plan_offers(waiting, [agent("ann"), agent("bob", idle_since=200)]) == [
        Offer("early", "ann"), Offer("late", "bob")]


@pytest.mark.parametrize("overflow", ["drop", "", "Translate"])
def test_unknown_overflow_rule_is_rejected(overflow):
    with pytest.raises(ValueError, match="overflow"):
        plan_offers([], [agent("ann")], overflow)


@pytest.mark.parametrize("waiting, expected", [
    pytest.param([conv("n", queued_at=0), conv("c", priority="complaint", queued_at=1),
                  conv("v", priority="vip", queued_at=2)], ["v", "c", "n"],
                 id="vip-complaint-normal-regardless-of-arrival"),
    pytest.param([conv("b", queued_at=5), conv("a", queued_at=3), conv("c", queued_at=4)],
                 ["a", "c", "b"], id="longest-waiting-first-within-priority"),
    pytest.param([conv("v", priority="vip", queued_at=0), conv("f", front=True, queued_at=9)],
                 ["f", "v"], id="front-ahead-of-vip"),
    pytest.param([conv("h2"), conv("h3"), conv("h1")], ["h1", "h2", "h3"],
                 id="same-queued-at-by-handoff-id"),
    pytest.param([conv("n", queued_at=1), conv("x", priority="urgent", queued_at=0),
                  conv("c", priority="complaint", queued_at=2)], ["c", "x", "n"],
                 id="unknown-priority-as-normal"),
])
def test_queue_order(waiting, expected):
    assert [w.handoff_id for w in queue_order(waiting)] == expected


@pytest.mark.parametrize("candidates, expected", [
    pytest.param([agent("ann", load=1, idle_since=1), agent("bob", load=0, idle_since=50)], "bob",
                 id="least-loaded-beats-idle"),
    pytest.param([agent("ann", idle_since=50), agent("bob", idle_since=10)], "bob",
                 id="equal-load-longest-idle"),
    pytest.param([agent("bob"), agent("ann")], "ann", id="equal-idle-name-order"),
])
def test_best_agent(candidates, expected):
    assert best_agent(candidates).name == expected


def test_best_agent_of_nobody_is_none():
    assert best_agent([]) is None


@pytest.mark.parametrize("state, expected", [
    pytest.param(agent("ann", load=1, capacity=2), True, id="online-with-room"),
    pytest.param(agent("ann", load=2, capacity=2), False, id="full"),
    pytest.param(agent("ann", capacity=0), False, id="capacity-zero"),
    pytest.param(agent("ann", presence="away"), False, id="away"),
    pytest.param(agent("ann", presence="offline"), False, id="offline"),
])
def test_is_free(state, expected):
    assert is_free(state) is expected


def test_without_language_speaker_lists_ids_in_queue_order():
    waiting = [conv("zh-late", "zh", queued_at=5), conv("en", "en"), conv("zh-vip", "zh", priority="vip")]
    agents = [agent("zoe", ["zh"], presence="away"), agent("lin", ["zh"], presence="offline"),
              agent("bob", ["en"], load=2, capacity=2)]
    assert without_language_speaker(waiting, agents) == ["zh-vip", "zh-late"]


def test_queue_positions_are_one_based_in_queue_order():
    waiting = [conv("n", queued_at=0), conv("v", priority="vip", queued_at=5), conv("f", front=True)]
    assert queue_positions(waiting) == {"f": 1, "v": 2, "n": 3}


@pytest.mark.parametrize("position, serving, average, expected", [
    pytest.param(1, 0, 300, 300, id="nobody-serving-counts-as-one"),
    pytest.param(3, 0, 300, 900, id="nobody-serving-is-finite"),
    pytest.param(2, 2, 300, 300, id="within-first-round"),
    pytest.param(4, 2, 300, 600, id="exact-multiple"),
    pytest.param(5, 2, 300, 900, id="rounds-up"),
    pytest.param(1, 1, 90.4, 90, id="rounded-to-int"),
])
def test_expected_wait_seconds(position, serving, average, expected):
    assert expected_wait_seconds(position, serving, average) == expected
