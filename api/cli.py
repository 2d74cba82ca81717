"""`store-assistant`: serve, chat in the terminal, run the demo, load a catalog."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from agent.phones import normalize_phone
from api.logs import configure_logging
from api.runtime import open_runtime, server_urls
from api.settings import DEFAULT_ADMIN_TOKEN, Settings
from ingestion.files import read_catalog_file

SAMPLE_CATALOG = "sample_catalog.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="store-assistant", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    for name, text in (
        ("serve", "run the HTTP service"),
        ("demo", "serve with the sample catalog loaded"),
    ):
        serve = commands.add_parser(name, help=text)
        serve.add_argument("--host")
        serve.add_argument("--port", type=int)
        serve.add_argument(
            "--workers", type=int, help="processes serving requests (default: WORKERS, 1)"
        )

    chat = commands.add_parser("chat", help="talk to the assistant in this terminal")
    chat.add_argument("--phone", help="the customer's phone (omit to be asked for it)")

    voice = commands.add_parser(
        "voice", help="talk to the assistant by voice (microphone, or audio files)"
    )
    voice.add_argument("--phone", help="the customer's phone (omit to be asked for it)")
    voice.add_argument(
        "--input",
        type=Path,
        action="append",
        help="an audio file to say (repeat for several turns); default: the microphone "
        "when one is usable, else file paths typed at the prompt",
    )
    voice.add_argument(
        "--save", type=Path, help="write each spoken answer here (reply-1.wav, reply-2.wav…)"
    )
    voice.add_argument("--quiet", action="store_true", help="do not play the answers")

    for name, text in (
        ("ingest", "sync a catalog file (JSON in either format, or CSV) into the catalog"),
        ("load-catalog", "the same as ingest"),
    ):
        ingest = commands.add_parser(name, help=text)
        ingest.add_argument("file", type=Path)
        ingest.add_argument(
            "--full-sync",
            action="store_true",
            help="the file is the whole catalog: products absent from it become inactive",
        )
        ingest.add_argument(
            "--sequence", type=int, help="snapshot version (default: now, in milliseconds)"
        )

    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level)
    if args.command in ("serve", "demo"):
        workers = args.workers or settings.workers
        if workers < 1:
            parser.error("--workers must be at least 1")
        return _serve(settings, args.host, args.port, workers, demo=args.command == "demo")
    if args.command in ("chat", "voice"):
        phone = None
        if args.phone:
            phone = normalize_phone(args.phone, settings.default_phone_region)
            if phone is None:
                print(f"not a phone number: {args.phone}", file=sys.stderr)
                return 2
        if args.command == "chat":
            return asyncio.run(_chat(settings, phone))
        from api.voice_cli import VoiceOptions, voice_chat

        options = VoiceOptions(phone, args.input or [], args.save, play=not args.quiet)
        return asyncio.run(voice_chat(settings, options))
    try:
        items = read_catalog_file(args.file)
    except (OSError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    return asyncio.run(_ingest(settings, items, full_sync=args.full_sync, version=args.sequence))


def _serve(
    settings: Settings, host: str | None, port: int | None, workers: int, *, demo: bool
) -> int:
    import uvicorn

    from api.main import create_app

    if demo:
        code = asyncio.run(_ingest(settings, _sample_catalog(), full_sync=False, version=None))
        if code:
            return code
        asyncio.run(_demo_customer(settings))
    host, port = host or settings.host, port or settings.port
    print(
        f"Store Assistant on http://{host}:{port}  (web chat: http://{host}:{port}/chat,"
        f" API docs: http://{host}:{port}/docs)"
    )
    token = settings.admin_api_token.get_secret_value()
    shown = token if token == DEFAULT_ADMIN_TOKEN else "your ADMIN_API_TOKEN"
    print(f"operator console: http://{host}:{port}/console  (token: {shown})")
    log_level = settings.log_level.lower()
    if workers == 1:
        uvicorn.run(
            create_app(settings, serving=True),
            host=host,
            port=port,
            log_level=log_level,
            log_config=None,
            timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        )
        return 0
    # Several processes share one PostgreSQL and one Redis: embedded ones are started
    # here, once, and the workers are pointed at them.
    with server_urls(settings) as (database_url, redis_url):
        os.environ["DATABASE_URL"] = database_url
        os.environ["REDIS_URL"] = redis_url
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # The workers' metrics, added up by whichever worker /metrics reaches.
            metrics_dir = settings.data_dir / "prometheus"
            shutil.rmtree(metrics_dir, ignore_errors=True)
            metrics_dir.mkdir(parents=True)
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        uvicorn.run(
            "api.main:create_worker_app",
            factory=True,
            log_config=None,
            timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
            workers=workers,
            host=host,
            port=port,
            log_level=log_level,
        )
    return 0


def _sample_catalog() -> list[Any]:
    text = (resources.files("ingestion") / "data" / SAMPLE_CATALOG).read_text(encoding="utf-8")
    items: list[Any] = json.loads(text)
    return items


DEMO_CUSTOMER = ("+584141112233", "Ana Pérez", "Av. Libertador 10, Caracas")


async def _demo_customer(settings: Settings) -> None:
    """A known customer, so the demo can be asked for products straight away."""
    async with open_runtime(settings) as runtime:
        if await runtime.services.customers.get_by_phone(DEMO_CUSTOMER[0]) is None:
            await runtime.services.customers.save(*DEMO_CUSTOMER)
    print(f"demo customer: {DEMO_CUSTOMER[1]}, {DEMO_CUSTOMER[0]} (other phones register)")


async def _ingest(
    settings: Settings, items: list[Any], *, full_sync: bool, version: int | None
) -> int:
    from tqdm import tqdm

    bars: dict[str, tqdm[Any]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="rec", file=sys.stderr)
        bar.update(done - bar.n)

    async with open_runtime(settings) as runtime:
        report = await runtime.sync_catalog(
            items, full_sync=full_sync, version=version, progress=progress
        )
    for bar in bars.values():
        bar.close()
    for error in report.errors:
        print(
            f"rejected #{error.position} ({error.item_code or '?'}): {error.reason}",
            file=sys.stderr,
        )
    counts = report.counts.as_dict()
    print("catalog: " + ", ".join(f"{key} {value}" for key, value in counts.items()))
    return 0


async def _chat(settings: Settings, phone: str | None) -> int:
    """`phone`: E.164, or None to be asked for it."""
    identity = phone or "terminal"
    async with open_runtime(settings) as runtime:
        print("Chatting with the store assistant. Ctrl-D or 'exit' to quit.")
        while True:
            try:
                text = await asyncio.to_thread(input, "you> ")
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            if text.strip().lower() in ("exit", "quit"):
                return 0
            if not text.strip():
                continue
            result = await runtime.turns.run(
                channel="terminal", identity=identity, text=text, customer_phone=phone
            )
            print(f"bot> {result.reply}" if result.reply else "bot> (paused: a person will answer)")


if __name__ == "__main__":
    sys.exit(main())
