"""``gradient emulator``: the emulator's own argparse command, its arguments passed through."""

from __future__ import annotations

import argparse

import click

from .exits import Failure


def emulator_parser(width: int | None = None) -> argparse.ArgumentParser:
    """The parser of ``gradient emulator``; ``width`` fixes the help's width (for the docs)."""
    from ..emulator import cli as emulator_cli

    parser = argparse.ArgumentParser(
        prog="gradient emulator",
        description="Serve the Gradient API locally with a real model.",
        formatter_class=lambda prog: argparse.HelpFormatter(prog, width=width),
    )
    emulator_cli.add_arguments(parser)
    return parser


class PassThrough(click.Command):
    """A command whose arguments, ``--help`` included, go to an argparse parser."""

    def get_help(self, ctx: click.Context) -> str:
        """The argparse parser's help, so the reference shows the options that apply."""
        return _parser(ctx.terminal_width).format_help().rstrip("\n")


def _parser(width: int | None = None) -> argparse.ArgumentParser:
    try:
        return emulator_parser(width)
    except ImportError as error:
        missing = error.name or "a dependency"
        raise Failure(
            f'gradient emulator needs {missing}: pip install "gradient-llm-sdk[emulator]"'
        ) from None


@click.command(
    cls=PassThrough,
    add_help_option=False,
    context_settings={"ignore_unknown_options": True},
    short_help="Serve the Gradient API locally with a real model.",
)
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def emulator(arguments: tuple[str, ...]) -> None:
    """Serve the Gradient API locally; see ``gradient emulator --help``."""
    parsed = _parser().parse_args(arguments)
    from ..emulator import cli as emulator_cli  # importable: _parser found it

    raise click.exceptions.Exit(emulator_cli.run(parsed))
