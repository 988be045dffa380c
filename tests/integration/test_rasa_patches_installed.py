"""The Rasa and action servers started the project's way run with bot/rasa_patches.py installed."""
from pathlib import Path

import pytest

from ops.process import our_pid

pytestmark = [pytest.mark.services, pytest.mark.rasa]


@pytest.mark.parametrize("app", ["rasa", "actions"])
def test_servers_run_through_the_patched_rasa_command(apps, app):
    command = Path(f"/proc/{our_pid(apps[app])}/cmdline").read_bytes().split(b"\0")
    assert b"bot.rasa_cli" in command, command
