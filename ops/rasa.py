"""`python -m ops.rasa [--plain] ARGS...`: runs the `rasa` CLI with the environment endpoints.yml expects.

Fills REDIS_HOST, KAFKA_BOOTSTRAP_SERVERS and friends from ops.settings and the dev secrets, then
replaces this process with rasa (bot.rasa_cli: rasa with bot/rasa_patches.py installed; with
--plain, Rasa as released), so signals and exit codes are rasa's own.
"""
import os
import sys

from ops.devenv import load_dev_env
from ops.paths import ROOT
from ops.settings import rasa_environment


def prepare_environment() -> None:
    load_dev_env()
    for key, value in rasa_environment().items():
        os.environ.setdefault(key, value)
    # Rasa and TensorFlow chatter that hides our own logs; telemetry would try the network.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    # Custom components (bot.components) and actions are imported from the project root.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))


def main() -> None:
    prepare_environment()
    # bot.rasa_cli is the rasa command with our fixes to its hot path (bot/rasa_patches.py).
    args = sys.argv[1:]
    command = "bot.rasa_cli"
    if args[:1] == ["--plain"]:
        args, command = args[1:], "rasa"
    os.execv(sys.executable, [sys.executable, "-m", command, *args])


if __name__ == "__main__":
    main()
