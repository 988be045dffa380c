"""`python -m bot.rasa_cli ARGS...`: the `rasa` command with our fixes to its hot path installed first
(bot/rasa_patches.py). Plain `rasa` works too, only slower under load."""
import sys

from bot import rasa_patches


def main() -> None:
    rasa_patches.install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
