"""The ``gradient`` command. Its subcommands come with the extras that implement them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._version import __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``gradient`` with ``argv`` (default: the command line); returns the exit status."""
    arguments = build_parser().parse_args(argv)
    status: int = arguments.run(arguments)
    return status


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``gradient`` and its subcommands; each sets ``run`` to its entry point."""
    parser = argparse.ArgumentParser(prog="gradient", description="Gradient SDK tools.")
    parser.add_argument("--version", action="version", version=f"gradient-sdk {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    emulator = commands.add_parser(
        "emulator",
        help="serve the Gradient API locally with a real model",
        description="Serve the Gradient API locally with a real model.",
    )
    try:
        from .emulator import cli as emulator_cli
    except ImportError as error:
        missing = error.name or "a dependency"
        emulator.add_argument("ignored", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
        emulator.set_defaults(run=lambda _: _needs_extra("emulator", missing))
    else:
        emulator_cli.add_arguments(emulator)
        emulator.set_defaults(run=emulator_cli.run)
    return parser


def _needs_extra(extra: str, missing: str) -> int:
    print(f'gradient {extra} needs {missing}: pip install "gradient-sdk[{extra}]"', file=sys.stderr)
    return 1
