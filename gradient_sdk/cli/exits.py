"""How a failure becomes one line on stderr and an exit status.

0 is success, 1 an API error (or any failure on the way to the API), 2 bad usage or input,
130 a run stopped with Ctrl+C. Tracebacks are shown only with ``--debug``.
"""

from __future__ import annotations

import click

from .. import (
    APIConnectionError,
    AuthenticationError,
    ConfigurationError,
    GradientError,
    PermissionDeniedError,
)
from .session import ACCESS_TOKEN_ENV, API_URL_ENV, WORKSPACE_ID_ENV

API_ERROR = 1
USAGE_ERROR = 2
INTERRUPTED = 130


class Failure(click.ClickException):
    """A failure already worded for the user: an API error, or one on the way to the API."""

    exit_code = API_ERROR


class BadInput(Failure):
    """Input the command cannot use: a malformed file, a missing credential."""

    exit_code = USAGE_ERROR


def failure_for(error: Exception) -> Failure:
    """The one-line report of an exception a command raised (other than a click one)."""
    if isinstance(error, AuthenticationError):
        return Failure(f"{error} (check --access-token or {ACCESS_TOKEN_ENV})")
    if isinstance(error, PermissionDeniedError):
        return Failure(f"{error} (check --workspace-id or {WORKSPACE_ID_ENV})")
    if isinstance(error, APIConnectionError):
        return Failure(f"cannot reach the API: {error} (check --host or {API_URL_ENV})")
    if isinstance(error, ConfigurationError):
        return BadInput(str(error))
    if isinstance(error, GradientError):
        return Failure(str(error))
    if isinstance(error, ValueError):  # the SDK's records refuse a value before sending it
        return BadInput(f"invalid input: {error}")
    return Failure(f"unexpected {type(error).__name__}: {error} (--debug shows where)")


def one_line(error: click.ClickException) -> str:
    """The line printed for a click error, a usage error pointing at the help to read."""
    message = " ".join(error.format_message().split())
    if isinstance(error, click.UsageError) and error.ctx is not None:
        message += f" (see '{error.ctx.command_path} --help')"
    return f"Error: {message}"
