"""The load bench's customers against the real Rasa server of the tests: both channels, both languages,
every turn type answered, and the steps read from the trackers add up to what the customers measured."""
import os

import pytest

from bench.breakdown import NLU_STEP, REPLY_STEP, breakdown
from bench.clients import RestCustomer, SocketCustomer, TurnFailed
from bench.load import LoadPlan, run_load
from bench.scripts import TURN_TYPES, demo_order_ids

pytestmark = [pytest.mark.services, pytest.mark.rasa]


async def test_simulated_customers_get_every_turn_answered_on_both_channels(rasa_server, sender_id):
    plan = LoadPlan(rasa_server.address(), users=4, seconds=12, think=(0.1, 0.3), order_ids=demo_order_ids(),
                    name=f"{sender_id}-load")
    result = await run_load(plan)
    assert not result.errors, result.error_examples
    assert {s.channel for s in result.samples} == {"rest", "socketio"}
    assert {s.language for s in result.samples} == {"zh", "en"}
    assert {s.kind for s in result.samples} == set(TURN_TYPES)
    assert all(0 < s.first_ms <= s.complete_ms < 10_000 for s in result.samples)

    steps = await breakdown(rasa_server.address(), os.environ["RASA_TOKEN"], result.samples)
    assert set(steps) == set(TURN_TYPES)
    assert steps["order_status"]["action_order_status"] > 0
    assert steps["faq"]["action_answer_faq"] > 0
    for kind, by_step in steps.items():
        assert by_step[NLU_STEP] > 0 and by_step[REPLY_STEP] >= 0, (kind, by_step)
        measured = [s.complete_ms for s in result.samples if s.kind == kind]
        # Means of the steps add up to the mean latency (to rounding).
        assert sum(by_step.values()) == pytest.approx(sum(measured) / len(measured), abs=1.0), (kind, by_step)


async def test_a_server_that_is_not_there_is_a_named_failure(sender_id):
    import aiohttp

    async with aiohttp.ClientSession() as http:
        with pytest.raises(TurnFailed) as failure:
            await RestCustomer(http, "http://127.0.0.1:9", sender_id).say("hi")
    assert failure.value.kind == "connection"
    with pytest.raises(TurnFailed) as failure:
        await SocketCustomer("http://127.0.0.1:9", sender_id).start()
    assert failure.value.kind == "socket connect"
