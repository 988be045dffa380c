"""Command line: `python -m orders seed` loads the demo data, `python -m orders serve` runs the API."""
import argparse
import asyncio
import json
import sys

from orders.config import ConfigError, Settings
from orders.logs import setup_logging


def _seed(settings: Settings) -> int:
    from orders.seed import seed  # the server stack is imported only by the command that needs it

    counts = asyncio.run(seed(settings.database_url))
    print(json.dumps({"loaded": counts}))
    return 0


def _serve(settings: Settings) -> int:
    from orders.app import create_app

    app = create_app(settings)
    app.run(host=settings.host, port=settings.port, access_log=False, motd=False, workers=1)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orders", description="Reference order API")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("seed", help="create the tables and load the deterministic demo data (idempotent)")
    commands.add_parser("serve", help="run the HTTP API (ORDERS_HOST, ORDERS_PORT)")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        setup_logging(settings.log_level)
        if args.command == "seed":
            return _seed(settings)
        settings.require_tokens()
        return _serve(settings)
    except ConfigError as exc:
        print(f"orders: configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
