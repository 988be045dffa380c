"""`python -m stream serve`: the stream processor, with GET /health on STREAM_PORT for the launcher.

    {"status": "ok", "consumed": 120, "produced": 64, "assigned_partitions": 3}

"status" is "failed" (HTTP 503) if the processing loop has died, and the process then ends; the
log says why. Logs name records by topic, partition and offset, never by content or sender id.
"""
import argparse
import asyncio
import logging
import os
import signal
import sys

from aiohttp import web

from stream.config import ConfigError, Settings
from stream.processor import StreamProcessor

COMPONENTS = web.AppKey("components", dict)  # the processor, and the task that runs it
log = logging.getLogger("stream")


async def health(request: web.Request) -> web.Response:
    processor, task = request.app[COMPONENTS]["processor"], request.app[COMPONENTS]["task"]
    failed = task is None or task.done()
    return web.json_response({"status": "failed" if failed else "ok", "consumed": processor.consumed,
                              "produced": processor.produced,
                              "assigned_partitions": processor.partitions},
                             status=503 if failed else 200)


async def _run_processor(app: web.Application):
    processor = app[COMPONENTS]["processor"]
    task = app[COMPONENTS]["task"] = asyncio.create_task(processor.run())
    task.add_done_callback(_report_end)
    yield
    # Let the current batch finish (its Kafka calls run in threads, which cancelling cannot stop).
    processor.stop()
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout=20)
    except (asyncio.TimeoutError, Exception):
        log.warning("the processor did not stop cleanly; uncommitted records are read again on start")


def _report_end(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the processing loop stopped; exiting", exc_info=task.exception())
        # A process that looks alive but processes nothing is worse than one that ends: `make run`
        # reports it, and a restart reads the uncommitted batch again.
        os.kill(os.getpid(), signal.SIGTERM)


def create_app(settings: Settings) -> web.Application:
    app = web.Application()
    app[COMPONENTS] = {"processor": StreamProcessor(settings), "task": None}
    app.router.add_get("/health", health)
    app.cleanup_ctx.append(_run_processor)
    return app


def main(argv=None) -> int:
    from ops.devenv import load_dev_env

    parser = argparse.ArgumentParser(prog="python -m stream")
    parser.add_subparsers(dest="command", required=True).add_parser(
        "serve", help="run the stream processor (Rasa's events -> masked envelopes)")
    parser.parse_args(argv)
    load_dev_env()
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log.info("reading %s, writing %s as group %s", settings.events_topic, settings.topic, settings.group)
    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
