"""`python -m kg load | validate | export-lookups | stats | tune-faq | warm`.

Exit codes: 0 done, 1 the seed (or held-out file) has problems, 2 the graph cannot be reached or
is not configured (or, for warm, is empty).
"""
import argparse
import asyncio
import sys
from pathlib import Path
from typing import List, Optional

from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

from kg.config import ConfigError, Neo4jSettings, create_driver, load_dev_env
from kg.loader import load_seed
from kg.lookups import DEFAULT_JIEBA_FILE, DEFAULT_LOOKUP_FILE, export_lookups
from kg.schema import ensure_schema
from kg.stats import format_counts, graph_counts, is_loaded
from kg.validation import DEFAULT_SEED_DIR, SeedError, display_path, read_catalog
from kg.warm import DEFAULT_MAX_SECONDS, EmptyGraph, warm_up


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kg", description="Neo4j knowledge graph tools")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("load", "validate the seed, then load it in one transaction"),
                            ("validate", "check the seed files without touching the graph")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--seed-dir", type=Path, default=DEFAULT_SEED_DIR,
                             help="folder with the seed YAML files (default: kg/seed)")
        if name == "load":
            command.add_argument("--if-empty", action="store_true",
                                 help="bring the indexes up to date, and load only when the graph has no "
                                      "products, or no FAQ vectors because an older version loaded it "
                                      "(used by make run and the tests)")
    export = commands.add_parser("export-lookups", help="write Rasa NLU product lookup and synonyms")
    export.add_argument("--out", type=Path, default=DEFAULT_LOOKUP_FILE, help="default: data/nlu/products.yml")
    export.add_argument("--jieba-out", type=Path,
                        help="Jieba dictionary of Chinese product names (default: data/jieba/products.txt, "
                             "or beside --out as NAME.jieba.txt when --out is given)")
    commands.add_parser("stats", help="print node and relationship counts")
    warm = commands.add_parser("warm", help="run the actions' queries until a freshly started Neo4j "
                                            "answers them at its steady speed (kg/warm.py)")
    warm.add_argument("--max-seconds", type=float, default=DEFAULT_MAX_SECONDS,
                      help=f"stop here even if queries still get faster (default {DEFAULT_MAX_SECONDS:g})")
    tune = commands.add_parser("tune-faq", help="pick FAQ score thresholds on a held-out question set")
    tune.add_argument("heldout", type=Path, nargs="+",
                      help="YAML lists of {text, expect: faq id or null}, tuned on together")
    return parser


async def _with_driver(args: argparse.Namespace) -> int:
    settings = Neo4jSettings.from_env()
    async with create_driver(settings) as driver:
        await driver.verify_connectivity()  # fail at once, not after the driver's retries
        database = settings.database
        if args.command == "load" and args.if_empty and is_loaded(await graph_counts(driver, database)):
            await ensure_schema(driver, database)  # a graph an older version loaded gets today's indexes
            print("The graph already has products and FAQ vectors; indexes checked, nothing loaded "
                  "(drop --if-empty to reload).")
        elif args.command == "load":
            counts = await load_seed(driver, args.seed_dir, database)
            print(f"Loaded {display_path(args.seed_dir)}:\n{format_counts(counts)}")
        elif args.command == "export-lookups":
            jieba_out = args.jieba_out or (DEFAULT_JIEBA_FILE if args.out == DEFAULT_LOOKUP_FILE
                                           else args.out.with_suffix(".jieba.txt"))
            count = await export_lookups(driver, args.out, database, jieba_out)
            print(f"Wrote {display_path(args.out)} ({count} products)")
        elif args.command == "stats":
            print(format_counts(await graph_counts(driver, database)))
        elif args.command == "warm":
            print(f"Warming Neo4j up (at most {args.max_seconds:g} s)...", flush=True)
            print((await warm_up(driver, database, args.max_seconds)).describe())
        elif args.command == "tune-faq":
            from kg.tuning import tune_faq_thresholds  # only this command needs it

            print(await tune_faq_thresholds(driver, args.heldout, database))
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            catalog = read_catalog(args.seed_dir)
            print(f"{display_path(args.seed_dir)}: {len(catalog.products)} products, {len(catalog.faqs)} FAQs, "
                  f"{len(catalog.policies)} policies, {len(catalog.synonyms)} synonym groups: OK")
            return 0
        load_dev_env()
        return asyncio.run(_with_driver(args))
    except SeedError as error:
        print(f"Nothing was loaded; fix these {len(error.problems)} problem(s) first:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except ConfigError as error:
        print(f"Configuration: {error}", file=sys.stderr)
        return 2
    except EmptyGraph as error:
        print(f"Nothing to warm up: {error}", file=sys.stderr)
        return 2
    except (ServiceUnavailable, AuthError) as error:
        print(f"Cannot reach Neo4j: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # e.g. the --out folder is not writable
        print(f"{error}", file=sys.stderr)
        return 2
    except Neo4jError as error:
        print(f"Neo4j refused the operation, nothing was changed: {error}", file=sys.stderr)
        return 2
