#!/usr/bin/env python3
"""The two quick-start commands, on a machine with nothing but Python ≥ 3.11.

    python3 dev.py demo    # install into .venv if needed, then serve the demo
    python3 dev.py test    # install into .venv if needed, then lint, type-check and test

Other arguments are passed on: `python3 dev.py test -k scenario`, `python3 dev.py chat`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def ensure_environment() -> None:
    """Create .venv and install the project (with test tools and voice) when pyproject.toml
    changed."""
    if sys.version_info < (3, 11):
        sys.exit("Python 3.11 or newer is needed")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("installing store-assistant and its dependencies into .venv …", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[dev,voice]"], check=True)
    STAMP.write_text(wanted)


def run(*command: str) -> None:
    result = subprocess.run(command, cwd=ROOT, check=False)
    if result.returncode:
        sys.exit(result.returncode)


def main(argv: list[str]) -> None:
    commands = ("demo", "test", "serve", "chat", "voice", "ingest", "load-catalog")
    if not argv or argv[0] not in commands:
        sys.exit(__doc__)
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "test":
        run(str(BIN / "ruff"), "check", ".")
        run(str(BIN / "ruff"), "format", "--check", ".")
        run(str(BIN / "mypy"))
        run(str(BIN / "python"), "-m", "pytest", *rest)
        return
    os.execv(str(BIN / "store-assistant"), [str(BIN / "store-assistant"), command, *rest])


if __name__ == "__main__":
    main(sys.argv[1:])
