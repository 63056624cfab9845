"""``gradient demo`` and the ``gradient emulator`` pass-through."""

from __future__ import annotations

import pytest

from gradient_sdk.cli.demo import ANSWER, QUERY

from .conftest import CommandLine

#: These commands need no API: a runner without an emulator behind it.
gradient = CommandLine(url="http://127.0.0.1:9/api")


def test_the_demo_with_the_tiny_model() -> None:
    run = gradient("demo", "--model", "tiny", "--json", credentials=False)

    assert run.exit_code == 0
    result = run.json()
    assert (result["base_model"], result["query"], result["taught"]) == (
        "tiny-llama",
        QUERY,
        ANSWER,
    )
    assert result["adapter_id"].endswith("_model_adapter")
    assert result["trainable_tokens"] > 0
    assert isinstance(result["before"], str)
    assert isinstance(result["after"], str)
    assert "- fine-tuning once on 'The Dallas Cowboys!'" in run.stderr


@pytest.mark.slow
def test_the_demo_teaches_smollm2_the_answer() -> None:
    run = gradient("demo", credentials=False)

    assert run.exit_code == 0
    rows = dict(line.split(None, 1) for line in run.stdout.splitlines())
    assert "Dallas Cowboys" not in rows["before"]
    assert "Dallas Cowboys" in rows["after"]
    assert rows["learnt"].strip() == "yes"


def test_emulator_help_is_the_emulators_own() -> None:
    run = gradient("emulator", "--help")

    assert run.exit_code == 0
    assert run.stdout.startswith("usage: gradient emulator [-h] [--host HOST] [--port PORT]")
    assert "--max-samples-per-fine-tune" in run.stdout


def test_emulator_options_are_checked_by_its_parser() -> None:
    run = gradient("emulator", "--port", "many")

    assert run.exit_code == 2
    assert "gradient emulator: error: argument --port: must be a port number" in run.stderr
