"""Starting and stopping one managed process, with throwaway commands instead of real servers."""
import sys

import pytest

from ops.process import LocalServer, StartFailed, our_pid, start, stop


class FakeServer(LocalServer):
    def __init__(self, home, script, answers=lambda: False):
        self.name = "fake"
        self._home, self._script, self._answers = home, script, answers

    @property
    def home(self):
        return self._home

    def external(self):
        return False

    def address(self):
        return "fake://"

    def command(self):
        return [sys.executable, "-c", self._script]

    def ping(self, ours):
        return self._answers()


def test_a_server_that_dies_while_starting_is_named_with_its_log(tmp_path):
    server = FakeServer(tmp_path, "print('port 7687 already in use'); raise SystemExit(3)")
    with pytest.raises(StartFailed) as failure:
        start(server)
    message = str(failure.value)
    assert "fake exited with code 3" in message and "port 7687 already in use" in message
    assert our_pid(server) is None


def test_a_server_that_never_answers_times_out_and_is_stopped(tmp_path):
    server = FakeServer(tmp_path, "import time; print('stuck', flush=True); time.sleep(60)")
    server.start_timeout = 1.0
    with pytest.raises(StartFailed) as failure:
        start(server)
    assert "did not answer" in str(failure.value) and "stuck" in str(failure.value)
    assert our_pid(server) is None, "a half-started process must not be left running"


def test_ctrl_c_while_a_server_loads_stops_it(tmp_path):
    def interrupted():
        raise KeyboardInterrupt
    server = FakeServer(tmp_path, "import time; time.sleep(60)", answers=interrupted)
    with pytest.raises(KeyboardInterrupt):
        start(server)
    assert our_pid(server) is None, "an interrupted start must not leave the process running"


def test_stop_leaves_a_process_that_is_not_ours_alone(tmp_path):
    server = FakeServer(tmp_path, "")
    (tmp_path / "server.pid").write_text("1")  # pid 1 runs elsewhere: not our working directory
    assert "nothing to stop" in stop(server)
    assert not (tmp_path / "server.pid").exists(), "a stale pid file is cleaned up"
