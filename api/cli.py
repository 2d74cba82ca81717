"""`store-assistant`: serve, chat in the terminal, run the demo, load a catalog."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from api.runtime import open_runtime
from api.settings import Settings
from ingestion.formats import parse_canonical

SAMPLE_CATALOG = "sample_catalog.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="store-assistant", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)

    demo = commands.add_parser("demo", help="serve with the sample catalog loaded")
    demo.add_argument("--host")
    demo.add_argument("--port", type=int)

    chat = commands.add_parser("chat", help="talk to the assistant in this terminal")
    chat.add_argument("--phone", help="the customer's phone (omit to be asked for it)")

    load = commands.add_parser("load-catalog", help="load a canonical JSON catalog file")
    load.add_argument("file", type=Path)

    args = parser.parse_args(argv)
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    if args.command in ("serve", "demo"):
        return _serve(settings, args.host, args.port, demo=args.command == "demo")
    if args.command == "chat":
        return asyncio.run(_chat(settings, args.phone))
    return asyncio.run(_load_catalog(settings, args.file.read_text(encoding="utf-8")))


def _serve(settings: Settings, host: str | None, port: int | None, *, demo: bool) -> int:
    import uvicorn

    from api.main import create_app

    if demo:
        code = asyncio.run(_load_catalog(settings, _sample_catalog()))
        if code:
            return code
    host, port = host or settings.host, port or settings.port
    print(f"Store Assistant on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level=settings.log_level.lower())
    return 0


def _sample_catalog() -> str:
    return (resources.files("ingestion") / "data" / SAMPLE_CATALOG).read_text(encoding="utf-8")


async def _load_catalog(settings: Settings, text: str) -> int:
    try:
        payload: Any = json.loads(text)
    except json.JSONDecodeError as bad_json:
        print(f"not valid JSON: {bad_json}", file=sys.stderr)
        return 2
    items = payload.get("products", []) if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        print('expected a JSON array of products or {"products": [...]}', file=sys.stderr)
        return 2
    records, errors = parse_canonical(items)
    async with open_runtime(settings) as runtime:
        saved = await runtime.services.catalog.save_products(records)
    for error in errors:
        print(
            f"rejected #{error.position} ({error.item_code or '?'}): {error.reason}",
            file=sys.stderr,
        )
    print(f"catalog: {saved} products loaded, {len(errors)} rejected")
    return 0


async def _chat(settings: Settings, phone_arg: str | None) -> int:
    from agent.phones import normalize_phone

    phone = None
    if phone_arg:
        phone = normalize_phone(phone_arg, settings.default_phone_region)
        if phone is None:
            print(f"not a phone number: {phone_arg}", file=sys.stderr)
            return 2
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
