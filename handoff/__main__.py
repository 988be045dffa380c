"""`python -m handoff serve` runs the service; `python -m handoff agent add|list|disable` manages agents.

    python -m handoff agent add NAME --role agent --languages zh,en \\
        --skills orders,returns,product,complaint,general --capacity 3   (password from stdin)
"""
import argparse
import asyncio
import getpass
import sys

import redis.asyncio as aioredis

from handoff.auth import ROLES, hash_password
from handoff.config import ConfigError, Settings
from handoff.packets import LANGUAGES, SKILLS
from handoff.store import Agent, Store


def _choices(allowed):
    def parse(raw: str):
        values = [value.strip() for value in raw.split(",") if value.strip()]
        unknown = [value for value in values if value not in allowed]
        if unknown or not values:
            raise argparse.ArgumentTypeError(f"use a comma-separated list of {', '.join(allowed)}")
        return values
    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m handoff")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the handoff service")
    agent = commands.add_parser("agent", help="manage agents").add_subparsers(dest="action", required=True)
    add = agent.add_parser("add", help="add an agent or update one (password read from stdin)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="agent")
    add.add_argument("--languages", type=_choices(LANGUAGES), default=list(LANGUAGES))
    add.add_argument("--skills", type=_choices(SKILLS), default=["general"])
    add.add_argument("--capacity", type=int, default=3)
    add.add_argument("--translation", action="store_true", help="may take languages they don't speak")
    agent.add_parser("list", help="list agents")
    disable = agent.add_parser("disable", help="disable an agent (their tokens stop working at once)")
    disable.add_argument("name")
    return parser


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("password: ")
    return sys.stdin.readline().rstrip("\n")


async def _agents(args, settings: Settings) -> int:
    store = Store(aioredis.Redis.from_url(settings.redis_url, decode_responses=True), settings.key_prefix)
    try:
        if args.action == "add":
            if not 0 <= args.capacity <= 50:
                print("--capacity must be between 0 and 50", file=sys.stderr)
                return 2
            try:
                password_hash = hash_password(_read_password())
            except ValueError as error:
                print(error, file=sys.stderr)
                return 2
            await store.save_agent(Agent(args.name, args.role, args.languages, args.skills, args.capacity,
                                         translation=args.translation, password_hash=password_hash))
            print(f"agent {args.name} saved ({args.role}; {','.join(args.languages)}; "
                  f"{','.join(args.skills)}; capacity {args.capacity})")
        elif args.action == "list":
            for agent in await store.agents():
                presence = await store.presence(agent.name)
                state = "disabled" if agent.disabled else presence["status"]
                print(f"{agent.name:16} {agent.role:10} {','.join(agent.languages):6} "
                      f"{','.join(agent.skills):40} cap {agent.capacity}  {state}")
        elif args.action == "disable":
            agent = await store.agent(args.name)
            if agent is None:
                print(f"no agent named {args.name}", file=sys.stderr)
                return 1
            agent.disabled = True
            await store.save_agent(agent)
            await store.set_presence(agent.name, "offline")
            print(f"agent {args.name} disabled")
        return 0
    finally:
        await store.redis.close()


def main(argv=None) -> int:
    from ops.devenv import load_dev_env

    args = _parser().parse_args(argv)
    load_dev_env()
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    if args.command == "serve":
        from handoff.app import serve

        serve(settings)
        return 0
    return asyncio.run(_agents(args, settings))


if __name__ == "__main__":
    sys.exit(main())
