"""`python -m bench`: turn latency under load, ours against plain Rasa on the same machine in one run.

Starts everything `make run` starts, on free ports with a Kafka topic, consumer groups and a handoff
key prefix of its own (so a running dev setup is left alone), plus the baseline: plain Rasa with our
NLU pipeline and responses and nothing else (bench/baseline.py). Neo4j is brought to full speed
first (kg/warm.py; not with --quick). Each system gets a short warm-up, then --users simulated
customers for --seconds (bench/load.py), in slices of about 15 s, the two systems taking turns.
Trackers tell where each turn type's time goes (bench/breakdown.py); --profile samples our Rasa
and action servers with py-spy meanwhile.

Writes bench/results/load-<time>.json and .md (and latest.json/.md) and prints the table. Exits 1 when
a turn of ours failed; the latency targets are reported, not enforced.
"""
import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Tuple

from bench import baseline
from bench.breakdown import breakdown
from bench.load import LoadPlan, LoadResult, run_load
from bench.profile import finish_recording, start_recording, top_functions
from bench.report import add_usage, compare, markdown, processes_during, system_summary
from bench.scripts import demo_order_ids
from ops.apps import MODEL_PATH, ActionServer, HandoffService, OrdersApi, RasaServer, StreamProcessor, \
    load_graph_if_empty, warm_graph
from ops.kafka_topics import ensure_topic
from ops.leftovers import refuse_leftovers, remove_leftovers
from ops.measure import usage_of
from ops.paths import ROOT, RUN_DIR
from ops.process import LocalServer, free_port, our_pid, start, stop
from ops.rasa import prepare_environment
from ops.servers import SERVERS
from ops.settings import backends

RESULTS = ROOT / "bench" / "results"
QUICK_SECONDS = 15
LOAD_GENERATOR = "bench (load generator)"
# The systems take turns in slices of about this long, so that a drift in the machine's speed
# reaches both alike: loaded one after the other for a minute each, the ratio of the same code
# moved between 1.36x and 1.94x from run to run.
SLICE_SECONDS = 15.0


class Target(NamedTuple):
    server: RasaServer
    watched: Dict[str, LocalServer]


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS") or 60),
                        help="load time per system (BENCH_SECONDS; default 60)")
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS") or 20),
                        help="concurrent customers (BENCH_USERS; default 20)")
    parser.add_argument("--think", default="1-3", help="seconds a customer waits between a reply and its "
                                                       "next message, a range (default 1-3)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SECONDS} s per system")
    parser.add_argument("--only", choices=("ours", "baseline"), help="load one system alone")
    parser.add_argument("--profile", action="store_true", help="sample our Rasa and action servers with py-spy meanwhile")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = min(args.seconds, QUICK_SECONDS)
    args.think = think_range(args.think)
    return args


def think_range(text: str) -> Tuple[float, float]:
    low, _, high = text.partition("-")
    try:
        bounds = (float(low), float(high or low))
    except ValueError:
        raise SystemExit(f"--think {text!r}: expected seconds or a range like 1-3") from None
    if not 0 <= bounds[0] <= bounds[1]:
        raise SystemExit(f"--think {text!r}: expected 0 <= low <= high")
    return bounds


class Run:
    """The processes of one bench run, named and wired so that nothing of a dev setup is touched."""

    def __init__(self, run_id: str):
        self.run_id = run_id
        self.events_topic = f"bench_events_{run_id}"
        self.stream_topic = f"bench_messages_{run_id}"
        self.groups = [f"bench-handoff-{run_id}", f"bench-stream-{run_id}"]
        self.handoff_prefix = f"bench{run_id}"
        # Rasa and the stream processor inherit os.environ: Rasa publishes to the run's topic.
        os.environ["KAFKA_EVENTS_TOPIC"] = self.events_topic
        self.orders_db = RUN_DIR / "bench" / f"orders-{run_id}.sqlite3"
        rasa_port = free_port()
        self.orders = OrdersApi(name="bench-orders", port=free_port(),
                                database_url=f"sqlite+aiosqlite:///{self.orders_db}")
        self.handoff = HandoffService(name="bench-handoff", port=free_port(), rasa_url=f"http://127.0.0.1:{rasa_port}",
                                      key_prefix=self.handoff_prefix, kafka_group=self.groups[0])
        self.stream = StreamProcessor(name="bench-stream", port=free_port(), events_topic=self.events_topic,
                                      topic=self.stream_topic, group=self.groups[1])
        self.actions = ActionServer(name="bench-actions", port=free_port(), orders_url=self.orders.address(),
                                    handoff_url=self.handoff.address())
        self.rasa = RasaServer(name="bench-rasa", port=rasa_port, action_server_url=self.actions.webhook_url(),
                               handoff_url=self.handoff.address())
        self.baseline = RasaServer(name="bench-baseline", port=free_port(), model=baseline.MODEL_PATH,
                                   project=baseline.PROJECT, plain=True)

    def ours(self) -> Dict[str, LocalServer]:
        return {"rasa": self.rasa, "actions": self.actions, "orders": self.orders, "handoff": self.handoff,
                "stream": self.stream, **{server.name: server for server in SERVERS}}

    def targets(self, only: Optional[str]) -> Dict[str, Target]:
        """The systems to load, each its Rasa server and the processes to watch."""
        both = {"baseline": Target(self.baseline, {"rasa": self.baseline}), "ours": Target(self.rasa, self.ours())}
        return {name: target for name, target in both.items() if only in (None, name)}

    def app_groups(self, only: Optional[str]) -> List[List[LocalServer]]:
        """What to start: each group in order, the groups side by side."""
        ours = [self.orders, self.handoff, self.stream, self.actions, self.rasa]
        return {"ours": [ours], "baseline": [[self.baseline]]}.get(only, [ours, [self.baseline]])


def start_side_by_side(groups: List[List[LocalServer]], started: List[LocalServer]) -> None:
    """Both Rasa servers load their models at once: half a minute saved on every run."""
    def start_in_order(group: List[LocalServer]) -> None:
        for app in group:
            print(start(app), flush=True)
            started.append(app)

    with ThreadPoolExecutor(len(groups)) as pool:
        for done in [pool.submit(start_in_order, group) for group in groups]:
            done.result()  # a failed start is raised here, after the other group has finished


def slice_lengths(seconds: float) -> List[float]:
    """`seconds` of load cut into slices of about SLICE_SECONDS."""
    count = max(1, round(seconds / SLICE_SECONDS))
    return [seconds / count] * count


def warm_up(name: str, server: RasaServer, run: Run, order_ids: List[str]) -> None:
    plan = LoadPlan(server.address(), users=2, seconds=6, think=(0.2, 0.2), order_ids=order_ids,
                    name=f"bench-{run.run_id}-{name}-warmup")
    asyncio.run(run_load(plan))


def load_in_turns(targets: Dict[str, Target], args: argparse.Namespace, run: Run,
                  order_ids: List[str]) -> Dict[str, Tuple[LoadResult, Dict[str, Dict]]]:
    """Each system's load in slices, the systems taking turns; per system, its slices' load merged
    and its processes' CPU summed over them."""
    slices = slice_lengths(args.seconds)
    print(f"{' and '.join(targets)} take turns: {len(slices)} slice(s) of {slices[0]:.0f} s with "
          f"{args.users} customers each", flush=True)
    loads = {name: LoadResult(seconds=0.0) for name in targets}
    usage: Dict[str, Dict[str, Dict]] = {name: {} for name in targets}
    for index, seconds in enumerate(slices):
        for name, (server, watched) in targets.items():
            plan = LoadPlan(server.address(), users=args.users, seconds=seconds, think=args.think,
                            order_ids=order_ids, name=f"bench-{run.run_id}-{name}-s{index}")
            before = usage_of(watched, LOAD_GENERATOR)
            loads[name].extend(asyncio.run(run_load(plan)))
            add_usage(usage[name], before, usage_of(watched, LOAD_GENERATOR))
    return {name: (loads[name], usage[name]) for name in targets}


def start_profiles(run: Run, seconds: float) -> Dict[str, Tuple]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    recordings = {}
    for process, app in {"rasa": run.rasa, "actions": run.actions}.items():
        collapsed = RESULTS / f"profile-{run.run_id}-{process}.txt"
        recordings[process] = (start_recording(our_pid(app), seconds, collapsed), collapsed)
    return recordings


def finish_profiles(recordings: Dict[str, Tuple]) -> Dict[str, Dict]:
    profiles = {}
    for process, (recording, collapsed) in recordings.items():
        finish_recording(recording)
        profiles[process] = {"collapsed_stacks": str(collapsed.relative_to(ROOT)), **top_functions(collapsed)}
    return profiles


def measure(targets: Dict[str, Target], args: argparse.Namespace, run: Run,
            order_ids: List[str]) -> Dict[str, Tuple[LoadResult, Dict]]:
    """Warms each system up, loads them in turns, then reads where each one's time went."""
    for name, (server, _) in targets.items():
        print(f"{name}: warming up", flush=True)
        warm_up(name, server, run, order_ids)
    profiling = args.profile and "ours" in targets
    # The recording spans the baseline's slices too: those samples show our servers idle.
    recordings = start_profiles(run, args.seconds * len(targets)) if profiling else {}
    loads = load_in_turns(targets, args, run, order_ids)
    profiles = finish_profiles(recordings)
    measured = {}
    for name, (load, usage) in loads.items():
        steps = asyncio.run(breakdown(targets[name].server.address(), os.environ["RASA_TOKEN"], load.samples))
        summary = system_summary(load, steps, processes_during(usage, load.seconds))
        if name == "ours" and profiles:
            summary["profiles"] = profiles
        measured[name] = (load, summary)
    return measured


def write_results(result: Dict, stamp: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    text, table = json.dumps(result, indent=2, ensure_ascii=False), markdown(result)
    for name in (f"load-{stamp}", "latest"):
        (RESULTS / f"{name}.json").write_text(text)
        (RESULTS / f"{name}.md").write_text(table)
    return RESULTS / f"load-{stamp}.json"


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if not MODEL_PATH.exists():
        print(f"no trained model at {MODEL_PATH}: run `make train`", file=sys.stderr)
        return 2
    prepare_environment()
    if args.only != "ours":
        baseline.ensure_model()
    run = Run(uuid.uuid4().hex[:8])
    refuse_leftovers([app for group in run.app_groups(args.only) for app in group])
    local = backends()
    order_ids = demo_order_ids()
    started: List[LocalServer] = []
    systems: Dict[str, Dict] = {}
    ours_failed = False
    try:
        load_graph_if_empty()
        if args.only != "baseline" and not args.quick:
            # A Neo4j that has just started took minutes of the bench's load to warm up (kg/warm.py).
            warm_graph()
        ensure_topic(local.kafka_bootstrap, run.events_topic)
        start_side_by_side(run.app_groups(args.only), started)
        for name, (load, summary) in measure(run.targets(args.only), args, run, order_ids).items():
            systems[name] = summary
            ours_failed = ours_failed or (name == "ours" and bool(load.errors))
    finally:
        for app in reversed(started):
            print(stop(app), flush=True)
        remove_leftovers(local.redis_url, f"*{run.run_id}*", local.kafka_bootstrap,
                         [run.events_topic, run.stream_topic], run.groups)
        run.orders_db.unlink(missing_ok=True)
    config = {"users": args.users, "seconds": args.seconds, "think_seconds": list(args.think),
              "cores": os.cpu_count(), "run_id": run.run_id, "date": time.strftime("%Y-%m-%d %H:%M:%S"),
              "channels": ["socketio", "rest"], "languages": ["zh", "en"]}
    result = compare(config, systems)
    path = write_results(result, time.strftime("%Y%m%d-%H%M%S"))
    print(markdown(result))
    print(f"(JSON in {path.relative_to(ROOT)})")
    return 1 if ours_failed else 0


if __name__ == "__main__":
    sys.exit(main())
