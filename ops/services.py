"""`python -m ops.services start|stop|status [NAME...]`: the local Redis, Neo4j and Kafka.

start  reuses a server that already answers, starts the missing ones, and waits until each one
       really answers a request (Redis PING, Bolt RETURN 1, Kafka metadata).
stop   stops only processes this launcher started (pid file + working directory check).
status prints each server's state, pid and resident memory.
"""
import sys
from typing import Iterable, List

from ops.devenv import load_dev_env
from ops.process import StartFailed, start, status, stop
from ops.servers import SERVERS, LocalServer, server_named


def selected(names: Iterable[str]) -> List[LocalServer]:
    chosen = []
    for name in names:
        server = server_named(name)
        if server is None:
            raise SystemExit(f"unknown server {name!r}; choose from {[s.name for s in SERVERS]}")
        chosen.append(server)
    return chosen or list(SERVERS)


def main(argv: List[str]) -> int:
    if not argv or argv[0] not in {"start", "stop", "status"}:
        print(__doc__)
        return 2
    load_dev_env()
    command, servers = argv[0], selected(argv[1:])
    if command == "start":
        for server in servers:
            try:
                print(start(server), flush=True)
            except StartFailed as failure:
                print(f"ERROR: {failure}", file=sys.stderr)
                return 1
    elif command == "stop":
        for server in reversed(servers):
            print(stop(server))
    else:
        for server in servers:
            print(status(server))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
