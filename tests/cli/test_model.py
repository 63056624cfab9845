"""``gradient workspace`` and ``gradient model``: list, get, create-adapter, delete."""

from __future__ import annotations

import pytest

from gradient_sdk import Gradient, ModelAdapter, NotFoundError

from .conftest import WORKSPACE_ID, CommandLine


@pytest.fixture
def adapter(client: Gradient) -> ModelAdapter:
    return client.list_models(only_base=True)[0].create_model_adapter(name="cli test adapter")


def test_workspace_list_shows_the_workspace_once_the_api_accepts_it(
    gradient: CommandLine, server_url: str
) -> None:
    run = gradient("workspace", "list")

    assert run.exit_code == 0
    header, row = run.stdout.splitlines()
    assert header.split() == ["WORKSPACE", "ID", "HOST", "MODELS"]
    assert row.split()[:2] == [WORKSPACE_ID, server_url]


def test_workspace_list_json(gradient: CommandLine, server_url: str, client: Gradient) -> None:
    run = gradient("workspace", "list", "--json")

    assert run.exit_code == 0
    assert run.json() == {
        "workspaces": [
            {"id": WORKSPACE_ID, "host": server_url, "models": len(client.list_models())}
        ]
    }


def test_model_list_shows_base_models_and_adapters(
    gradient: CommandLine, client: Gradient, adapter: ModelAdapter
) -> None:
    base = client.list_models(only_base=True)[0]

    run = gradient("model", "list")

    assert run.exit_code == 0
    rows = {line.split()[0]: line.split() for line in run.stdout.splitlines()[1:]}
    assert rows[base.id][1:4] == ["base", "tiny-llama", "tiny-llama"]
    assert rows[adapter.id][1:] == ["adapter", "cli", "test", "adapter", "tiny-llama"]


def test_model_list_on_a_pipe_never_folds_a_row(
    gradient: CommandLine, client: Gradient, adapter: ModelAdapter
) -> None:
    run = gradient("model", "list", env={"COLUMNS": None})

    assert run.exit_code == 0
    assert len(run.stdout.splitlines()) == 1 + len(client.list_models())
    assert any(line.startswith(adapter.id) for line in run.stdout.splitlines())


def test_model_list_json_is_the_records(gradient: CommandLine, adapter: ModelAdapter) -> None:
    run = gradient("model", "list", "--json")

    assert run.exit_code == 0
    models = run.json()["models"]
    base = next(model for model in models if model["type"] == "baseModel")
    assert base["slug"] == "tiny-llama"
    assert base["capabilities"] == ["complete", "fineTune"]
    listed = next(model for model in models if model["id"] == adapter.id)
    assert listed["name"] == "cli test adapter"
    assert listed["base_model_id"] == base["id"]


def test_model_list_only_base(gradient: CommandLine, adapter: ModelAdapter) -> None:
    run = gradient("model", "list", "--only-base", "--capability", "fineTune", "--json")

    assert run.exit_code == 0
    assert {model["type"] for model in run.json()["models"]} == {"baseModel"}


def test_model_get_finds_a_base_model_by_slug_and_an_adapter_by_id(
    gradient: CommandLine, adapter: ModelAdapter
) -> None:
    base = gradient("model", "get", "tiny-llama", "--json")
    found = gradient("model", "get", adapter.id, "--json")

    assert (base.exit_code, found.exit_code) == (0, 0)
    assert base.json()["id"] == adapter.base_model_id
    assert found.json()["name"] == "cli test adapter"


def test_model_get_shows_the_fields(gradient: CommandLine, adapter: ModelAdapter) -> None:
    run = gradient("model", "get", "tiny-llama")

    assert run.exit_code == 0
    assert run.stdout.splitlines()[0].split() == ["id", adapter.base_model_id]
    assert "capabilities  complete, fineTune" in run.stdout


def test_an_unknown_model_is_one_line_and_exit_1(gradient: CommandLine) -> None:
    run = gradient("model", "get", "no-such-model")

    assert run.exit_code == 1
    assert run.stderr == (
        "Error: Gradient API returned 404: no model adapter with id 'no-such-model' in this"
        " workspace\n"
    )


def test_create_adapter_prints_the_new_id(gradient: CommandLine, client: Gradient) -> None:
    run = gradient("model", "create-adapter", "tiny-llama", "--name", "made by the cli")

    assert run.exit_code == 0
    created = client.get_model_adapter(model_adapter_id=run.stdout.strip())
    assert created.name == "made by the cli"


def test_create_adapter_json_with_hyperparameters(gradient: CommandLine, client: Gradient) -> None:
    base_id = client.list_models(only_base=True)[0].id

    run = gradient(
        "model",
        "create-adapter",
        base_id,
        "--name",
        "tuned",
        "--rank",
        "4",
        "--learning-rate",
        "0.01",
        "--json",
    )

    assert run.exit_code == 0
    assert run.json()["base_model_id"] == base_id
    assert client.get_model_adapter(model_adapter_id=run.json()["id"]).name == "tuned"


@pytest.mark.parametrize(
    ("option", "value"), [("--rank", "33"), ("--rank", "0"), ("--learning-rate", "1")]
)
def test_create_adapter_refuses_out_of_range_hyperparameters(
    gradient: CommandLine, client: Gradient, option: str, value: str
) -> None:
    before = len(client.list_models())

    run = gradient("model", "create-adapter", "tiny-llama", "--name", "x", option, value)

    assert run.exit_code == 2
    assert f"Invalid value for '{option}'" in run.stderr
    assert len(client.list_models()) == before


def test_create_adapter_of_an_unknown_base_model(gradient: CommandLine) -> None:
    run = gradient("model", "create-adapter", "gpt-17", "--name", "x")

    assert run.exit_code == 1
    assert run.stderr == (
        f"Error: no base model 'gpt-17' in workspace {WORKSPACE_ID}"
        " (see 'gradient model list --only-base')\n"
    )


def test_delete_with_yes(gradient: CommandLine, client: Gradient, adapter: ModelAdapter) -> None:
    run = gradient("model", "delete", adapter.id, "--yes", "--json")

    assert run.exit_code == 0
    assert run.json() == {"deleted": adapter.id}
    with pytest.raises(NotFoundError):
        client.get_model_adapter(model_adapter_id=adapter.id)


def test_delete_asks_first(gradient: CommandLine, client: Gradient, adapter: ModelAdapter) -> None:
    declined = gradient("model", "delete", adapter.id, input="n\n")
    still_there = client.get_model_adapter(model_adapter_id=adapter.id)
    accepted = gradient("model", "delete", adapter.id, input="y\n")

    assert declined.exit_code == 1
    assert "Delete adapter 'cli test adapter'" in declined.stderr
    assert declined.stderr.endswith("Error: not deleted\n")
    assert still_there.id == adapter.id
    assert accepted.exit_code == 0
    assert accepted.stdout == f"Deleted {adapter.id}\n"
    with pytest.raises(NotFoundError):
        client.get_model_adapter(model_adapter_id=adapter.id)


def test_delete_without_an_answer_aborts(
    gradient: CommandLine, client: Gradient, adapter: ModelAdapter
) -> None:
    run = gradient("model", "delete", adapter.id, input="")

    assert run.exit_code == 1
    assert run.stderr.endswith("Aborted.\n")
    assert client.get_model_adapter(model_adapter_id=adapter.id).id == adapter.id


def test_delete_an_unknown_adapter(gradient: CommandLine) -> None:
    run = gradient("model", "delete", "no-such-adapter", "--yes")

    assert run.exit_code == 1
    assert "404" in run.stderr
