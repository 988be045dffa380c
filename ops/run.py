"""`make run`: the backing servers and our apps in one terminal; Ctrl-C stops what it started.

Servers that were already running (from `make services` or elsewhere) are used and left running.
"""
import signal
import sys
import threading
from typing import List

from ops.apps import MODEL_PATH, ActionServer, OrdersApi, RasaServer, load_graph_if_empty
from ops.devenv import load_dev_env
from ops.paths import DEV_ENV_FILE
from ops.process import LocalServer, StartFailed, our_pid, start, stop
from ops.rasa import prepare_environment
from ops.servers import SERVERS


def start_all(processes: List[LocalServer]) -> List[LocalServer]:
    """Starts what is missing, in order; returns the processes this call started."""
    started: List[LocalServer] = []
    for process in processes:
        was_running = our_pid(process) is not None
        try:
            print(start(process), flush=True)
        except StartFailed as failure:
            print(f"ERROR: {failure}", file=sys.stderr)
            stop_all(started)
            raise SystemExit(1)
        if not was_running and our_pid(process) is not None:
            started.append(process)
    return started


def stop_all(processes: List[LocalServer]) -> None:
    for process in reversed(processes):
        print(stop(process), flush=True)


def main() -> int:
    load_dev_env()
    prepare_environment()
    if not MODEL_PATH.exists():
        print(f"no trained model at {MODEL_PATH}: run `make train` first", file=sys.stderr)
        return 1
    started = start_all(list(SERVERS))
    load_graph_if_empty()
    orders = OrdersApi()
    actions = ActionServer(orders_url=orders.address())
    rasa = RasaServer(action_server_url=actions.webhook_url())
    started += start_all([orders, actions, rasa])

    print(f"""
Running:
  Rasa server     {rasa.address()}   REST channel: POST {rasa.address()}/webhooks/rest/webhook
                  HTTP API token: RASA_TOKEN in {DEV_ENV_FILE}
  action server   {actions.address()}
  order API       {orders.address()}   (tokens ORDERS_READ_TOKEN / ORDERS_ADMIN_TOKEN in {DEV_ENV_FILE})
  logs            .run/<name>/server.log
Try: curl -s {rasa.address()}/webhooks/rest/webhook -d '{{"sender": "me", "message": "你好"}}'
Press Ctrl-C to stop what this command started.""", flush=True)

    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    while not stopping.wait(timeout=5):
        dead = [p.name for p in started if our_pid(p) is None]
        if dead:
            print(f"ERROR: {', '.join(dead)} stopped unexpectedly; see .run/<name>/server.log",
                  file=sys.stderr)
            break
    stop_all(started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
