"""``gradient complete``."""

from __future__ import annotations

import pytest

from gradient_sdk import Gradient

from .conftest import CommandLine

QUERY = "Question: what is two plus two?\nAnswer: "


def greedy(client: Gradient, query: str = QUERY) -> str:
    base = client.get_base_model(base_model_slug="tiny-llama")
    return base.complete(query=query, max_generated_token_count=6, temperature=0).generated_output


def test_complete_prints_the_generated_text(gradient: CommandLine, client: Gradient) -> None:
    run = gradient("complete", "tiny-llama", QUERY, "--max-tokens", "6", "--temperature", "0")

    assert run.exit_code == 0
    assert run.stdout == greedy(client) + "\n"


def test_a_query_of_dash_is_read_from_stdin(gradient: CommandLine, client: Gradient) -> None:
    run = gradient(
        "complete",
        "tiny-llama",
        "-",
        "--max-tokens",
        "6",
        "--temperature",
        "0",
        input=QUERY + "\n",
    )

    assert run.exit_code == 0
    assert run.stdout == greedy(client) + "\n"


def test_complete_with_an_adapter_json(gradient: CommandLine, client: Gradient) -> None:
    adapter = client.get_base_model(base_model_slug="tiny-llama").create_model_adapter(name="a")

    run = gradient("complete", adapter.id, QUERY, "--max-tokens", "3", "--top-k", "5", "--json")

    assert run.exit_code == 0
    answer = run.json()
    assert answer["finish_reason"] in {"length", "stop"}
    assert isinstance(answer["generated_output"], str)


@pytest.mark.parametrize(
    ("option", "value"),
    [("--max-tokens", "0"), ("--max-tokens", "512"), ("--temperature", "1.5"), ("--top-k", "0")],
)
def test_out_of_range_options_are_bad_usage(gradient: CommandLine, option: str, value: str) -> None:
    run = gradient("complete", "tiny-llama", QUERY, option, value)

    assert run.exit_code == 2
    assert run.stderr.startswith(f"Error: Invalid value for '{option}'")


def test_an_empty_query_is_bad_input(gradient: CommandLine) -> None:
    run = gradient("complete", "tiny-llama", "")

    assert run.exit_code == 2
    assert run.stderr == "Error: invalid input: query must not be empty\n"


def test_a_guidance_choice_too_long_is_bad_input(gradient: CommandLine) -> None:
    run = gradient("complete", "tiny-llama", QUERY, "--guidance", "yes," + "n" * 40)

    assert run.exit_code == 2
    assert run.stderr.startswith("Error: invalid input: each guidance choice must be 1 to 32")


def test_guidance_reaches_the_api(gradient: CommandLine) -> None:
    run = gradient("complete", "tiny-llama", QUERY, "--guidance", "yes,no")

    assert run.exit_code == 0
    assert run.stdout in {"yes\n", "no\n"}  # the emulator keeps to the choices


def test_rag_reaches_the_api(gradient: CommandLine) -> None:
    run = gradient("complete", "tiny-llama", QUERY, "--rag", "my-collection")

    assert run.exit_code == 1
    assert run.stderr.startswith("Error: Gradient API returned 404 (unknownRagCollection)")


def test_complete_with_an_unknown_model(gradient: CommandLine) -> None:
    run = gradient("complete", "no-such-model", QUERY)

    assert run.exit_code == 1
    assert "no model adapter with id 'no-such-model'" in run.stderr
