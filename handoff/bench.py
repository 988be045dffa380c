"""`python -m handoff.bench [--seconds 30] [--customers 200] [--agents 50]`: handoff relay latency.

Starts its own Rasa (the trained model, real Redis tracker store) and handoff service on free ports,
with a Redis key prefix, a Kafka topic and a consumer group of their own, so nothing real is touched.
Every agent logs in on a WebSocket and accepts its conversations; then, for --seconds, each customer
writes every 1-2 s (as Rasa's event broker would: a user event on Kafka) and each agent answers in
each conversation every 3-7 s over the socket (--interval and --agent-interval change the pace,
--only loads one direction alone).

Prints a Markdown table, writes .run/results/handoff_bench.json, and exits 1 when a message was lost,
duplicated or reordered or a request failed; the latency target is reported, not enforced.
BENCH_SECONDS and BENCH_USERS change the defaults of --seconds and --customers.
"""
import argparse
import asyncio
import json
import os
import sys
import uuid
from typing import List, Optional

from confluent_kafka.admin import AdminClient, NewTopic

from handoff.bench_load import run
from handoff.bench_report import markdown, summarize
from handoff.bench_setup import Plan
from ops.apps import MODEL_PATH, HandoffService, RasaServer
from ops.leftovers import refuse_leftovers, remove_leftovers
from ops.measure import usage_of
from ops.paths import RUN_DIR
from ops.process import free_port, start, stop
from ops.rasa import prepare_environment
from ops.servers import SERVERS
from ops.settings import backends

PARTITIONS = 4
RESULT_FILE = RUN_DIR / "results" / "handoff_bench.json"


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m handoff.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS") or 30))
    parser.add_argument("--customers", type=int, default=int(os.environ.get("BENCH_USERS") or 200))
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--agent-interval", type=float, default=5.0,
                        help="mean seconds between two agent replies in a conversation")
    parser.add_argument("--interval", type=float, default=1.5,
                        help="mean seconds between two messages of one conversation, each direction "
                             "(jittered by a third either way)")
    parser.add_argument("--only", choices=("customer-to-agent", "agent-to-customer"),
                        help="load one direction alone, to see what each costs")
    return parser.parse_args(argv)


def create_topic(admin: AdminClient, topic: str) -> None:
    # LogAppendTime: each record carries the moment the broker stored it, which splits a customer
    # message's latency into Kafka's part and the handoff service's part.
    spec = NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1,
                    config={"message.timestamp.type": "LogAppendTime"})
    admin.create_topics([spec])[topic].result(30)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if not MODEL_PATH.exists():
        print(f"no trained model at {MODEL_PATH}: run `make train`", file=sys.stderr)
        return 2
    prepare_environment()
    run_id = uuid.uuid4().hex[:8]
    prefix, group = f"hobench{run_id}", f"handoff-bench-{run_id}"
    # Rasa and the service inherit os.environ: Rasa publishes to the bench topic, the service reads it
    # in its own group, and the real rasa_events topic and handoff-relay group stay untouched.
    os.environ["KAFKA_EVENTS_TOPIC"] = f"handoff_bench_{run_id}"
    os.environ["HANDOFF_KAFKA_GROUP"] = group
    local = backends()
    # An action server URL where nothing listens: the bench must never reach a dev action server.
    rasa = RasaServer(name="rasa-bench", port=free_port(),
                      action_server_url=f"http://127.0.0.1:{free_port()}/webhook")
    service = HandoffService(name="handoff-bench", port=free_port(), rasa_url=rasa.address(),
                             key_prefix=prefix, kafka_group=group)
    refuse_leftovers([rasa, service])
    plan = Plan(service_url=service.address(), rasa_url=rasa.address(), rasa_token=os.environ["RASA_TOKEN"],
                service_token=os.environ["HANDOFF_SERVICE_TOKEN"], redis_url=local.redis_url,
                kafka_bootstrap=local.kafka_bootstrap, topic=os.environ["KAFKA_EVENTS_TOPIC"], prefix=prefix,
                customers=args.customers, agents=args.agents, seconds=args.seconds, interval=args.interval,
                agent_interval=args.agent_interval,
                only=args.only or "")
    admin = AdminClient({"bootstrap.servers": local.kafka_bootstrap})
    watched = {"handoff service": service, "rasa": rasa,
               **{server.name: server for server in SERVERS if server.name in ("redis", "kafka")}}
    started = []
    try:
        create_topic(admin, plan.topic)
        for server in (rasa, service):
            print(f"starting {server.name} (Rasa loads its model for a minute or two)...", flush=True)
            print(start(server), flush=True)
            started.append(server)
        raw = asyncio.run(run(plan, lambda: usage_of(watched, "bench (this process)")))
        final = usage_of(watched, "bench (this process)")  # before stopping: peak RSS and total CPU of the live processes
    finally:
        for server in reversed(started):
            print(stop(server), flush=True)
        remove_leftovers(plan.redis_url, f"*{plan.prefix}*", plan.kafka_bootstrap, [plan.topic], [group])
    config = {"customers": plan.customers, "agents": plan.agents, "capacity": plan.capacity,
              "seconds": plan.seconds, "interval": plan.interval,
              "agent_interval": plan.agent_interval, "only": plan.only or "both",
              "kafka_partitions": PARTITIONS, "topic": plan.topic, "key_prefix": prefix}
    result = summarize(raw, config, final)
    RESULT_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULT_FILE.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(markdown(result))
    print(f"\n(JSON in {RESULT_FILE})")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
