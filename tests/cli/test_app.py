"""What every command shares: help, version, credentials, one-line errors and exit codes."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from gradient_sdk import __version__
from gradient_sdk.cli import main
from gradient_sdk.cli.app import COMMANDS
from gradient_sdk.cli.exits import failure_for

from .conftest import TOKEN, WORKSPACE_ID, CommandLine


def test_help_lists_every_command(gradient: CommandLine) -> None:
    run = gradient("--help")

    assert run.exit_code == 0
    for command in COMMANDS:
        assert f"  {command.name} " in run.stdout


def test_version(gradient: CommandLine) -> None:
    run = gradient("--version")

    assert (run.exit_code, run.stdout) == (0, f"gradient-llm-sdk {__version__}\n")


def test_no_command_shows_the_usage_and_exits_2(gradient: CommandLine) -> None:
    run = gradient()

    assert run.exit_code == 2
    assert "Usage: gradient [OPTIONS] COMMAND [ARGS]..." in run.stderr
    assert run.stdout == ""


def test_a_usage_error_is_one_line_pointing_at_the_help(gradient: CommandLine) -> None:
    run = gradient("model", "list", "--capability", "everything")

    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith("Error: Invalid value for '--capability'")
    assert run.stderr.endswith("(see 'gradient model list --help')\n")


def test_missing_credentials_name_the_options_and_variables(gradient: CommandLine) -> None:
    run = gradient("model", "list", credentials=False)

    assert run.exit_code == 2
    assert run.stderr == (
        "Error: missing credentials: pass --access-token (or set GRADIENT_ACCESS_TOKEN)"
        " and --workspace-id (or set GRADIENT_WORKSPACE_ID)\n"
    )


def test_options_override_the_environment(gradient: CommandLine) -> None:
    run = gradient(
        "--access-token",
        TOKEN,
        "--workspace-id",
        WORKSPACE_ID,
        "workspace",
        "list",
        env={"GRADIENT_ACCESS_TOKEN": "a-token-from-the-environment"},
    )

    assert run.exit_code == 0
    assert WORKSPACE_ID in run.stdout


def test_a_wrong_token_is_one_line_and_exit_1(gradient: CommandLine) -> None:
    wrong = "wrong-token-8f2e4a6c0d"

    run = gradient("model", "list", env={"GRADIENT_ACCESS_TOKEN": wrong})

    assert run.exit_code == 1
    assert run.stdout == ""
    assert run.stderr == (
        "Error: Gradient API returned 401: the access token is not valid"
        " (check --access-token or GRADIENT_ACCESS_TOKEN)\n"
    )


def test_a_workspace_the_token_does_not_own_is_one_line(gradient: CommandLine) -> None:
    run = gradient("--workspace-id", "someone-elses_workspace", "model", "list")

    assert run.exit_code == 1
    assert run.stderr.count("\n") == 1
    assert "403" in run.stderr
    assert run.stderr.endswith("(check --workspace-id or GRADIENT_WORKSPACE_ID)\n")


def test_debug_adds_the_traceback(gradient: CommandLine) -> None:
    run = gradient("--debug", "model", "list", env={"GRADIENT_ACCESS_TOKEN": "wrong-token-1"})

    assert run.exit_code == 1
    assert run.stderr.startswith("Traceback (most recent call last):")
    assert "AuthenticationError" in run.stderr
    assert run.stderr.splitlines()[-1].startswith("Error: Gradient API returned 401")


def test_an_unreachable_host_is_one_line(gradient: CommandLine) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"

    run = gradient("--host", url, "model", "list")

    assert run.exit_code == 1
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith(f"Error: cannot reach the API: GET {url}/models failed")
    assert run.stderr.endswith("(check --host or GRADIENT_API_URL)\n")


def test_a_host_that_is_not_a_url_is_bad_usage(gradient: CommandLine) -> None:
    run = gradient("--host", "api.gradient.ai", "model", "list")

    assert run.exit_code == 2
    assert run.stderr == "Error: host must be an http(s) URL, got 'api.gradient.ai'\n"


@pytest.mark.parametrize(
    "command",
    [
        ("workspace", "list", "--json"),
        ("model", "list"),
        ("--debug", "model", "get", "no-such-model"),
    ],
)
def test_the_token_is_never_printed(gradient: CommandLine, command: tuple[str, ...]) -> None:
    run = gradient(*command)

    assert TOKEN not in run.stdout + run.stderr


def test_shell_completion_comes_from_click(gradient: CommandLine) -> None:
    run = gradient(env={"_GRADIENT_COMPLETE": "bash_source"})

    assert run.exit_code == 0
    assert "_gradient_completion()" in run.stdout


def test_main_returns_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["model", "list"])

    assert status == 2
    assert capsys.readouterr().err.startswith("Error: missing credentials")


def test_main_returns_the_status_argparse_exits_with(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["emulator", "--help"])

    assert status == 0
    assert capsys.readouterr().out.startswith("usage: gradient emulator")


def test_python_m_runs_gradient() -> None:
    command = [sys.executable, "-m", "gradient_sdk.cli", "--version"]

    finished = subprocess.run(command, capture_output=True, text=True, check=False)

    assert (finished.returncode, finished.stdout) == (0, f"gradient-llm-sdk {__version__}\n")


def test_without_the_cli_extra_gradient_says_what_to_install() -> None:
    as_if_rich_were_missing = (
        "import sys; sys.modules['rich'] = None; from gradient_sdk.cli import main;"
        " sys.exit(main(['model', 'list']))"
    )

    finished = subprocess.run(
        [sys.executable, "-c", as_if_rich_were_missing], capture_output=True, text=True, check=False
    )

    assert finished.returncode == 1
    assert finished.stderr == 'gradient needs rich: pip install "gradient-llm-sdk[cli]"\n'


def test_an_unexpected_exception_is_one_line_pointing_at_debug() -> None:
    failure = failure_for(RuntimeError("the disk is on fire"))

    assert failure.exit_code == 1
    assert failure.message == "unexpected RuntimeError: the disk is on fire (--debug shows where)"
