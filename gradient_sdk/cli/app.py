"""The ``gradient`` group: global options, the error policy, and the list of commands.

A new area of the API is one module with a click command or group, added to ``COMMANDS``.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click
from click.core import ParameterSource

from .. import __version__
from . import blocks, complete, demo, embed, emulator, fine_tune, model, rag, workspace
from .exits import API_ERROR, INTERRUPTED, failure_for, one_line
from .session import ACCESS_TOKEN_ENV, API_URL_ENV, DEFAULT_HOST, WORKSPACE_ID_ENV, Session

COMMANDS: tuple[click.Command, ...] = (
    workspace.workspace,
    model.model,
    complete.complete,
    fine_tune.fine_tune,
    embed.embed,
    embed.embeddings,
    rag.rag,
    blocks.answer,
    blocks.summarize,
    blocks.sentiment,
    blocks.personalize,
    blocks.extract,
    blocks.extract_pdf,
    blocks.transcribe,
    emulator.emulator,
    demo.demo,
)


class GradientGroup(click.Group):
    """A group that ends every failure with one line on stderr and its exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; an exception it raises becomes a :class:`Failure`."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            session = ctx.find_object(Session)
            if session is not None and session.debug:
                traceback.print_exception(error)
            raise failure_for(error) from error

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the group as click does, but print errors as one line and exit with 0/1/2/130."""
        try:
            outcome = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            status = outcome if isinstance(outcome, int) else 0
        except click.exceptions.NoArgsIsHelpError as error:
            error.show()
            status = error.exit_code
        except click.ClickException as error:
            click.echo(one_line(error), err=True)
            status = error.exit_code
        except click.Abort as error:
            interrupted = isinstance(error.__cause__, KeyboardInterrupt)
            click.echo("Interrupted." if interrupted else "Aborted.", err=True)
            status = INTERRUPTED if interrupted else API_ERROR
        if standalone_mode:
            sys.exit(status)
        return status


@click.group(
    cls=GradientGroup,
    name="gradient",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--host",
    envvar=API_URL_ENV,
    show_envvar=True,
    metavar="URL",
    help=f"The API's base URL  [default: {DEFAULT_HOST}]",
)
@click.option(
    "--access-token",
    envvar=ACCESS_TOKEN_ENV,
    show_envvar=True,
    metavar="TOKEN",
    help="Your access token (never printed).",
)
@click.option(
    "--workspace-id",
    envvar=WORKSPACE_ID_ENV,
    show_envvar=True,
    metavar="ID",
    help="The workspace to act in.",
)
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
@click.version_option(__version__, prog_name="gradient-llm-sdk", message="%(prog)s %(version)s")
@click.pass_context
def cli(
    ctx: click.Context,
    host: str | None,
    access_token: str | None,
    workspace_id: str | None,
    debug: bool,
) -> None:
    """Use the Gradient API from the shell.

    Credentials come from the options below or their environment variables. Every command
    prints a table or text, or one JSON document with --json. Exit status: 0 success, 1 an
    API error, 2 bad usage or input, 130 stopped by Ctrl+C.
    """

    def given(name: str) -> bool:
        return ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE

    replay: list[str] = []
    for option, name, value in (
        ("--host", "host", host),
        ("--workspace-id", "workspace_id", workspace_id),
    ):
        if value and given(name):
            replay += [option, value]
    if debug:
        replay.append("--debug")
    ctx.obj = Session(
        host=host,
        access_token=access_token,
        workspace_id=workspace_id,
        debug=debug,
        replay=tuple(replay),
        token_on_command_line=given("access_token"),
    )


for _command in COMMANDS:
    cli.add_command(_command)


def run(argv: Sequence[str] | None = None) -> int:
    """Run ``gradient`` with ``argv`` (default: the command line); returns the exit status."""
    try:
        status: int = cli.main(argv, prog_name="gradient", standalone_mode=False)
    except SystemExit as exited:  # argparse (in `gradient emulator`) exits by itself
        code = exited.code
        return code if isinstance(code, int) else int(code is not None)
    return status
