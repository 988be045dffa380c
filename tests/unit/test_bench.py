"""The load bench's arithmetic and its baseline project, without servers (the load itself runs against
real Rasa in tests/integration/test_bench_load.py)."""
import pytest
import yaml

from bench import baseline
from bench.__main__ import slice_lengths, think_range
from bench.breakdown import NLU_STEP, REPLY_STEP, split_turns, turn_steps
from bench.load import LoadResult, TurnSample, wrong_language
from bench.report import add_usage, compare, markdown, processes_during, system_summary
from bench.scripts import TURN_TYPES, WORDINGS, Turn, conversation, demo_order_ids
from ops.paths import ROOT


def action(name, at):
    return {"event": "action", "name": name, "timestamp": at}


# A new session's first turn (session start before the user event), then a second turn.
EVENTS = [
    action("action_session_start", 100.010), {"event": "session_started", "timestamp": 100.011},
    action("action_listen", 100.012),
    {"event": "user", "text": "你好", "timestamp": 100.040},
    action("utter_greet", 100.050), {"event": "bot", "timestamp": 100.050},
    action("action_listen", 100.055),
    {"event": "user", "text": "A10001到哪了", "timestamp": 103.030},
    action("order_status_form", 103.045), action("action_order_status", 103.100), action("action_listen", 103.104),
]


def sample(index, sent_at, complete_ms, kind="greet"):
    return TurnSample("s", index, kind, "zh", "rest", sent_at, complete_ms, complete_ms)


def test_turns_are_split_at_user_events_with_the_session_start_before_the_first():
    turns = split_turns(EVENTS)
    assert [t["user"]["text"] for t in turns] == ["你好", "A10001到哪了"]
    assert [a["name"] for a in turns[0]["before"]] == ["action_session_start", "action_listen"]
    assert [a["name"] for a in turns[0]["actions"]] == ["utter_greet", "action_listen"]
    assert turns[1]["before"] == []
    assert [a["name"] for a in turns[1]["actions"]] == ["order_status_form", "action_order_status", "action_listen"]


def test_steps_of_a_turn_add_up_to_its_latency():
    turns = split_turns(EVENTS)
    second = sample(1, 103.000, 110.0, "order_status")
    steps = turn_steps(second, turns[1]["user"], turns[1]["actions"], turns[1]["before"])
    assert steps[NLU_STEP] == pytest.approx(30.0)
    assert steps["action_order_status"] == pytest.approx(55.0)
    assert steps[REPLY_STEP] == pytest.approx(6.0)
    assert sum(steps.values()) == pytest.approx(110.0)
    first = turn_steps(sample(0, 100.000, 60.0), turns[0]["user"], turns[0]["actions"], turns[0]["before"])
    assert first["action_session_start"] == pytest.approx(10.0)
    assert sum(first.values()) == pytest.approx(60.0)


def test_the_answer_must_be_in_the_customers_language():
    assert wrong_language(Turn("greet", "zh", "你好"), ["Hi! How can I help?"])
    assert wrong_language(Turn("greet", "en", "hi"), ["您好！"])
    assert not wrong_language(Turn("greet", "en", "hi"), ["Hi!", "Order A10001"])
    assert not wrong_language(Turn("faq", "zh", "运费"), ["运费 10 元 (shipping)"])
    # English answers may quote Chinese data, such as a carrier's tracking note.
    assert not wrong_language(Turn("order_status", "en", "where is A10054"),
                              ["Order A10054: shipped. Carrier ZTO Express. Latest update: 上海青浦仓: 快件已发出"])
    assert wrong_language(Turn("order_status", "en", "where is A10054"), ["订单 A10054 已发货，快件已到达上海青浦仓"])


def test_conversations_cover_every_turn_type_with_real_order_ids():
    import random
    order_ids = demo_order_ids()
    assert order_ids and all(order_id.startswith("A") for order_id in order_ids)
    turns = conversation("en", order_ids, random.Random(1))
    assert [t.kind for t in turns] == list(TURN_TYPES)
    assert any(order_id in turns[1].text for order_id in order_ids)
    assert set(WORDINGS["zh"]) == set(WORDINGS["en"]) == set(TURN_TYPES)


def _system(latencies, errors=None):
    load = LoadResult(seconds=10.0)
    load.samples = [sample(i % 5, 0.0, ms, TURN_TYPES[i % 5]) for i, ms in enumerate(latencies)]
    load.errors.update(errors or {})
    return system_summary(load, {"faq": {NLU_STEP: 20.0, "action_answer_faq": 80.0, REPLY_STEP: 5.0}}, {})


def test_report_gives_ratios_to_the_baseline_the_slowest_turn_type_and_the_verdicts():
    baseline_system = _system([50.0] * 50)
    ours = _system([60.0, 60.0, 60.0, 400.0, 60.0] * 10, errors={"timeout": 1})
    result = compare({"users": 20, "seconds": 10, "think_seconds": [1, 3], "cores": 2},
                     {"baseline": baseline_system, "ours": ours})
    assert result["ratio_to_baseline"]["p50"] == 1.2
    assert result["slowest_turn_type"]["kind"] == "faq"
    assert result["slowest_turn_type"]["biggest_step"] == "action_answer_faq"
    assert result["meets_targets"] == {"p95": False, "errors": False, "p50_ratio": True}
    table = markdown(result)
    assert "timeout 1" in table and "**faq**" in table and "p95 <= 300 ms: NO" in table


def test_think_range_reads_seconds_or_a_range_and_refuses_nonsense():
    assert think_range("2") == (2.0, 2.0)
    assert think_range("0.5-1.5") == (0.5, 1.5)
    for bad in ("fast", "3-1", "-1"):
        with pytest.raises(SystemExit):
            think_range(bad)


def test_baseline_answers_every_intent_of_ours_with_a_response_in_both_languages():
    ours = yaml.safe_load((ROOT / "domain.yml").read_text())
    domain = baseline.domain(ours)
    rules = baseline.rules(ours["intents"])["rules"]
    assert [rule["steps"][0]["intent"] for rule in rules] == ours["intents"]
    for rule in rules:
        variations = domain["responses"][rule["steps"][1]["action"]]
        assert {v["condition"][0]["value"] for v in variations} == {"zh", "en"}
    assert "actions" not in domain and "forms" not in domain


def test_baseline_refuses_an_intent_it_has_no_answer_for():
    ours = yaml.safe_load((ROOT / "domain.yml").read_text())
    ours["intents"] = ours["intents"] + ["ask_weather"]
    with pytest.raises(ValueError, match="ask_weather"):
        baseline.domain(ours)


def test_the_load_is_cut_into_slices_of_about_fifteen_seconds():
    assert slice_lengths(60) == [15.0] * 4
    assert slice_lengths(15) == [15.0]
    assert slice_lengths(5) == [5.0]
    assert slice_lengths(50) == [50 / 3] * 3


def test_slices_of_one_system_add_up():
    first, second = LoadResult(seconds=15.0), LoadResult(seconds=14.96)
    first.samples, second.samples = [sample(0, 0.0, 20.0)], [sample(1, 0.0, 30.0), sample(2, 0.0, 40.0)]
    first.errors.update({"timeout": 1})
    second.errors.update({"timeout": 2, "wrong language": 1})
    first.conversations, second.conversations = 3, 4
    first.extend(second)
    assert first.seconds == 30.0 and len(first.samples) == 3 and first.conversations == 7
    assert first.errors == {"timeout": 3, "wrong language": 1}


def test_cpu_is_summed_over_a_systems_slices_only():
    usage = {}
    add_usage(usage, {"rasa": {"cpu_seconds": 10.0}},
              {"rasa": {"cpu_seconds": 13.0, "rss_mib": 900, "peak_rss_mib": 950}})
    # Meanwhile the other system's slice ran: 100 CPU seconds that are not this system's.
    add_usage(usage, {"rasa": {"cpu_seconds": 113.0}},
              {"rasa": {"cpu_seconds": 116.0, "rss_mib": 901, "peak_rss_mib": 960}})
    assert processes_during(usage, 30.0) == {"rasa": {
        "cpu_seconds_during_load": 6.0, "cpu_percent_during_load": 20.0, "rss_mib": 901, "peak_rss_mib": 960}}
