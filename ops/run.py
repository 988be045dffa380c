"""`make run`: the backing servers and our apps in one terminal; Ctrl-C stops what it started.

Servers that were already running (from `make services` or elsewhere) are used and left running.
"""
import os
import signal
import subprocess
import sys
import threading
from typing import List

from ops.apps import (MODEL_PATH, ActionServer, HandoffService, OrdersApi, RasaServer, StreamProcessor,
                      load_graph_if_empty)
from ops.devenv import load_dev_env
from ops.paths import DEV_ENV_FILE
from ops.process import LocalServer, StartFailed, our_pid, start, stop
from ops.rasa import prepare_environment
from ops.servers import SERVERS


def start_all(processes: List[LocalServer], started: List[LocalServer]) -> None:
    """Starts what is missing, in order, adding each process this call started to `started`."""
    for process in processes:
        was_running = our_pid(process) is not None
        print(start(process), flush=True)
        if not was_running and our_pid(process) is not None:
            started.append(process)


def stop_all(processes: List[LocalServer]) -> None:
    for process in reversed(processes):
        print(stop(process), flush=True)


def wait_until_stopped(started: List[LocalServer]) -> None:
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    while not stopping.wait(timeout=5):
        dead = [p.name for p in started if our_pid(p) is None]
        if dead:
            print(f"ERROR: {', '.join(dead)} stopped unexpectedly; see .run/<name>/server.log",
                  file=sys.stderr)
            return


def main() -> int:
    load_dev_env()
    prepare_environment()
    if not MODEL_PATH.exists():
        print(f"no trained model at {MODEL_PATH}: run `make train` first", file=sys.stderr)
        return 1
    orders = OrdersApi()
    rasa = RasaServer()
    handoff = HandoffService(rasa_url=rasa.address())
    stream = StreamProcessor()
    stream_topic = os.environ.get("STREAM_TOPIC", "cs.messages")
    actions = ActionServer(orders_url=orders.address(), handoff_url=handoff.address())
    rasa.action_server_url = actions.webhook_url()
    rasa.handoff_url = handoff.address()
    started: List[LocalServer] = []
    # Whatever happens (a failed start, Ctrl-C while Rasa loads), stop what this run started.
    try:
        start_all(list(SERVERS), started)
        load_graph_if_empty()
        start_all([orders, handoff, stream, actions, rasa], started)
        print(f"""
Running:
  Rasa server     {rasa.address()}   REST channel: POST {rasa.address()}/webhooks/rest/webhook
                  HTTP API token: RASA_TOKEN in {DEV_ENV_FILE}
  action server   {actions.address()}
  order API       {orders.address()}   (tokens ORDERS_READ_TOKEN / ORDERS_ADMIN_TOKEN in {DEV_ENV_FILE})
  handoff service {handoff.address()}   agents: .venv/bin/python -m handoff agent add NAME (see README)
  stream          {stream.address()}   masked messages on Kafka topic {stream_topic}
  logs            .run/<name>/server.log
Try: curl -s {rasa.address()}/webhooks/rest/webhook -d '{{"sender": "me", "message": "你好"}}'
Press Ctrl-C to stop what this command started.""", flush=True)
        wait_until_stopped(started)
        return 0
    except StartFailed as failure:
        print(f"ERROR: {failure}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as failure:
        print(f"ERROR: {' '.join(failure.cmd[1:])} failed (exit {failure.returncode})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        stop_all(started)


if __name__ == "__main__":
    sys.exit(main())
