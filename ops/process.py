"""Starting, watching and stopping one managed process (a backing server or one of our apps).

A process is ours when its pid file names a live process whose working directory is its home
folder under .run/: a pid file alone could point at a recycled pid.
"""
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict, List, Optional

from ops.paths import RUN_DIR


def free_port() -> int:
    """A port nothing listens on now, for a process started on the side (tests, benchmarks)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerNotReady(Exception):
    """The server is up but cannot be used as configured (wrong credentials, for example)."""


class LocalServer:
    name = ""
    start_timeout = 60.0

    @property
    def home(self) -> Path:
        return RUN_DIR / self.name

    @property
    def log_file(self) -> Path:
        return self.home / "server.log"

    @property
    def pid_file(self) -> Path:
        return self.home / "server.pid"

    def external(self) -> bool:
        raise NotImplementedError

    def address(self) -> str:
        raise NotImplementedError

    def prepare(self) -> None:
        """Creates the data folder and config before a start."""
        self.home.mkdir(parents=True, exist_ok=True)

    def command(self) -> List[str]:
        raise NotImplementedError

    def environment(self) -> Dict[str, str]:
        """Variables added to the inherited environment of the process."""
        return {}

    def ping(self, ours: bool) -> bool:
        """True when the server answers a real request; False while it cannot be reached."""
        raise NotImplementedError


class StartFailed(Exception):
    pass


def our_pid(server: LocalServer) -> Optional[int]:
    """The pid of the server process we started, if it is still alive; cleans a stale pid file."""
    try:
        pid = int(server.pid_file.read_text().strip())
        if Path(os.readlink(f"/proc/{pid}/cwd")) == server.home and _alive(pid):
            return pid
    except (ValueError, OSError):  # no pid file, garbage in it, or no such process
        pass
    server.pid_file.unlink(missing_ok=True)
    return None


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def log_tail(server: LocalServer, lines: int = 30) -> str:
    if not server.log_file.exists():
        return "(no log written)"
    return "\n".join(server.log_file.read_text(errors="replace").splitlines()[-lines:])


def start(server: LocalServer) -> str:
    if server.external():
        _wait_ready(server, None, ours=False, timeout=15)
        return f"{server.name}: using {server.address()} (external, nothing started)"
    pid = our_pid(server)
    try:
        answering = pid is None and server.ping(ours=False)
    except ServerNotReady as problem:
        raise StartFailed(f"{server.name}: {problem}") from None
    if answering:
        return f"{server.name}: already answering at {server.address()} (not started by us), reused"
    if pid is not None:
        _wait_ready(server, None, ours=True, timeout=server.start_timeout)
        return f"{server.name}: already running (pid {pid}) at {server.address()}"
    server.prepare()
    with open(server.log_file, "ab") as log:
        process = subprocess.Popen(
            server.command(), cwd=server.home, env={**os.environ, **server.environment()},
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: survives the launcher and Ctrl-C
        )
    server.pid_file.write_text(str(process.pid))
    started = time.monotonic()
    try:
        _wait_ready(server, process, ours=True, timeout=server.start_timeout)
    except BaseException:  # a failed start, or Ctrl-C while it loads: leave nothing half-started
        stop(server)
        raise
    return (f"{server.name}: started (pid {process.pid}) at {server.address()} "
            f"in {time.monotonic() - started:.1f}s")


def _wait_ready(server: LocalServer, process: Optional[subprocess.Popen], ours: bool,
                timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise StartFailed(f"{server.name} exited with code {process.returncode} while starting. "
                              f"Last lines of {server.log_file}:\n{log_tail(server)}")
        try:
            if server.ping(ours=ours):
                return
        except ServerNotReady as problem:
            raise StartFailed(f"{server.name}: {problem}") from None
        if time.monotonic() > deadline:
            where = f"Last lines of {server.log_file}:\n{log_tail(server)}" if ours else ""
            raise StartFailed(f"{server.name} did not answer at {server.address()} "
                              f"within {timeout:.0f}s. {where}")
        time.sleep(0.5)


def stop(server: LocalServer, timeout: float = 30.0) -> str:
    pid = our_pid(server)
    if pid is None:
        return f"{server.name}: not running from this project, nothing to stop"
    os.killpg(pid, signal.SIGTERM)  # the server leads its own session, see start()
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(pid):
        os.killpg(pid, signal.SIGKILL)
    server.pid_file.unlink(missing_ok=True)
    return f"{server.name}: stopped (pid {pid})"


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def status(server: LocalServer) -> str:
    if server.external():
        state = "answering" if _safe_ping(server) else "NOT answering"
        return f"{server.name:6} external {server.address()} {state}"
    pid = our_pid(server)
    if pid is not None:
        state = "answering" if _safe_ping(server) else "starting or stuck"
        return f"{server.name:6} running  pid {pid} rss {rss_mib(pid):.0f} MiB, {server.address()} {state}"
    if _safe_ping(server):
        return f"{server.name:6} up       {server.address()} (not started by this project)"
    return f"{server.name:6} stopped"


def _safe_ping(server: LocalServer) -> bool:
    try:
        return server.ping(ours=False)
    except ServerNotReady:
        return False
