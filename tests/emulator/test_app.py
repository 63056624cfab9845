"""The emulator through the SDK: models, adapters, completions, fine-tuning, embeddings."""

from __future__ import annotations

import math
from datetime import datetime

import httpx
import pytest

from gradient_sdk import AsyncGradient, NotFoundError, SampleDict, StructuredInput
from gradient_sdk.emulator import Emulator, serve
from gradient_sdk.emulator.engines import TextEngine

from .conftest import QUESTION, WORKSPACE_ID, Harness
from .fakes import FAKE_MODEL_NAME

pytestmark = pytest.mark.anyio


async def test_the_tiny_model_runs_the_whole_flow(tiny: Harness) -> None:
    client = tiny.client()
    [base] = await client.list_models(only_base=True)
    adapter = await base.create_model_adapter(name="my adapter")
    sample: SampleDict = {"inputs": QUESTION + "The Dallas Cowboys!"}

    completion = await adapter.complete(query=QUESTION, max_generated_token_count=8)
    first = await adapter.fine_tune(samples=[sample])
    second = await adapter.fine_tune(samples=[sample])
    await adapter.delete()

    assert base.slug == "tiny-llama"
    assert completion.finish_reason in {"length", "stop"}
    assert first.number_of_trainable_tokens == second.number_of_trainable_tokens > 0
    assert second.sum_loss < first.sum_loss  # the first call taught it something
    assert [model.id for model in await client.list_models()] == [base.id]


async def test_the_base_model_is_listed_with_a_50_character_id(client: AsyncGradient) -> None:
    [base] = await client.list_models(only_base=True)

    assert len(base.id) == 50
    assert base.id.endswith("_base_ml_model")
    assert base.slug == "fake-model-1b"
    assert base.name == FAKE_MODEL_NAME
    assert [c.value for c in base.capabilities] == ["complete", "fineTune"]


@pytest.mark.parametrize(
    ("only_base", "adapters_listed"),
    [("True", False), ("true", False), ("False", True), ("false", True), (None, True)],
)
async def test_only_base_takes_both_spellings_of_a_boolean(
    client: AsyncGradient, raw: httpx.AsyncClient, only_base: str | None, adapters_listed: bool
) -> None:
    [base] = await client.list_models(only_base=True)
    await base.create_model_adapter(name="listed?")
    params = {} if only_base is None else {"onlyBase": only_base}

    response = await raw.get("/models", params=params)

    types = [model["type"] for model in response.json()["models"]]
    assert types == (["baseModel", "modelAdapter"] if adapters_listed else ["baseModel"])


@pytest.mark.parametrize("capability", ["any", "complete", "fineTune"])
async def test_every_capability_keeps_the_base_model(
    raw: httpx.AsyncClient, capability: str
) -> None:
    response = await raw.get("/models", params={"capability": capability, "onlyBase": "True"})

    assert response.status_code == 200
    assert [model["type"] for model in response.json()["models"]] == ["baseModel"]


async def test_an_adapter_is_described_as_created(client: AsyncGradient) -> None:
    [base] = await client.list_models(only_base=True)
    created = await base.create_model_adapter(name="described", rank=4, learning_rate=0.01)

    described = await client.get_model_adapter(model_adapter_id=created.id)

    assert len(created.id) == 50
    assert created.id.endswith("_model_adapter")
    assert described.name == "described"
    assert described.base_model_id == base.id
    assert isinstance(described.latest_update_time, datetime)
    assert described.latest_update_time.tzinfo is not None


async def test_explicit_nulls_take_the_defaults(
    raw: httpx.AsyncClient, client: AsyncGradient
) -> None:
    [base] = await client.list_models(only_base=True)
    body = {  # what gradientai sends when no hyperparameters are given
        "initialHyperparameters": {
            "loraHyperparameters": {"rank": None},
            "trainingArguments": {"learningRate": None},
        },
        "model": {"baseModelId": base.id, "name": "defaults"},
    }
    created = (await raw.post("/models", json=body)).json()

    completion = await raw.post(
        f"/models/{created['id']}/complete",
        json={  # gradientai's complete(query="Hi"), byte for byte in content
            "query": "Hi",
            "autoTemplate": None,
            "guidance": None,
            "maxGeneratedTokenCount": None,
            "rag": None,
            "temperature": None,
            "topK": None,
            "topP": None,
        },
    )

    assert completion.status_code == 200
    assert completion.json() == {
        "finishReason": "length",
        "generatedOutput": "steps=0 template=False max=64",
    }


async def test_a_fine_tune_updates_the_adapter(client: AsyncGradient) -> None:
    [base] = await client.list_models(only_base=True)
    adapter = await base.create_model_adapter(name="trained")
    created = (await client.get_model_adapter(model_adapter_id=adapter.id)).latest_update_time

    result = await adapter.fine_tune(samples=[{"inputs": "one two three"}])
    updated = (await client.get_model_adapter(model_adapter_id=adapter.id)).latest_update_time
    completion = await adapter.complete(query="Hi")

    assert result.number_of_trainable_tokens == 3
    assert result.sum_loss == 3.0
    assert created is not None
    assert updated is not None
    assert updated > created
    assert completion.generated_output.startswith("steps=1 ")


async def test_structured_inputs_train_only_their_trainable_pieces(client: AsyncGradient) -> None:
    [base] = await client.list_models(only_base=True)
    adapter = await base.create_model_adapter(name="structured")
    samples: list[SampleDict] = [
        {
            "inputs": [
                StructuredInput(value="context only here", trainable=False),
                {"value": "learn these", "trainable": True, "parse_special_tokens": False},
            ],
            "multiplier": 2.0,
        }
    ]

    result = await adapter.fine_tune(samples=samples)

    assert result.number_of_trainable_tokens == 2


async def test_auto_template_true_applies_the_chat_template(client: AsyncGradient) -> None:
    [base] = await client.list_models(only_base=True)

    templated = await base.complete(query="Hi", auto_template=True, max_generated_token_count=5)
    raw_prompt = await base.complete(query="Hi", auto_template=False, max_generated_token_count=5)

    assert templated.generated_output == "base template=True max=5"
    assert raw_prompt.generated_output == "base template=False max=5"


async def test_a_deleted_adapter_is_gone(client: AsyncGradient) -> None:
    [base] = await client.list_models(only_base=True)
    adapter = await base.create_model_adapter(name="short-lived")

    await adapter.delete()

    with pytest.raises(NotFoundError) as raised:
        await client.get_model_adapter(model_adapter_id=adapter.id)
    assert raised.value.body == {
        "message": f"no model adapter with id {adapter.id!r} in this workspace"
    }
    assert [model.id for model in await client.list_models()] == [base.id]
    with pytest.raises(NotFoundError):
        await adapter.delete()


async def test_delete_answers_an_empty_object(
    raw: httpx.AsyncClient, client: AsyncGradient
) -> None:
    [base] = await client.list_models(only_base=True)
    adapter = await base.create_model_adapter(name="deleted")

    response = await raw.delete(f"/models/{adapter.id}")

    assert response.status_code == 200
    assert response.json() == {}


async def test_the_base_model_cannot_be_deleted(
    raw: httpx.AsyncClient, client: AsyncGradient
) -> None:
    [base] = await client.list_models(only_base=True)

    response = await raw.delete(f"/models/{base.id}")

    assert response.status_code == 400
    assert response.json() == {"message": "base models cannot be deleted"}


async def test_embeddings_are_served_as_bge_large(client: AsyncGradient) -> None:
    slugs = [model.slug for model in await client.list_embeddings_models()]
    model = await client.get_embeddings_model(slug="bge-large")

    result = await model.generate_embeddings(inputs=["the Dallas Cowboys", {"input": "football"}])

    # Only bge-large is listed: the official clients refuse a listing with any other slug.
    assert slugs == ["bge-large"]
    assert [item.index for item in result.embeddings] == [0, 1]
    for item in result.embeddings:
        assert len(item.embedding) == 384
        assert math.isclose(math.fsum(v * v for v in item.embedding), 1.0)


async def test_the_engine_also_answers_to_its_own_name_unlisted(raw: httpx.AsyncClient) -> None:
    by_own_name = await raw.post("/embeddings/hashing", json={"inputs": [{"input": "x"}]})
    by_listed_name = await raw.post("/embeddings/bge-large", json={"inputs": [{"input": "x"}]})
    unknown = await raw.post("/embeddings/minilm", json={"inputs": [{"input": "x"}]})

    assert by_own_name.status_code == 200
    assert by_own_name.json() == by_listed_name.json()
    assert unknown.status_code == 404
    assert unknown.json() == {
        "message": "no embeddings model with slug 'minilm'; available: bge-large, hashing"
    }


async def test_embed_batches_more_than_256_inputs(client: AsyncGradient) -> None:
    model = await client.get_embeddings_model(slug="bge-large")

    result = await model.embed(inputs=[f"text {n}" for n in range(300)])

    assert [item.index for item in result.embeddings] == list(range(300))


async def test_serve_yields_a_client_of_a_running_emulator(tiny_engine: TextEngine) -> None:
    settings = Emulator(model=tiny_engine, embeddings_model="hashing", workspace_id=WORKSPACE_ID)

    async with serve(settings) as client:
        [base] = await client.list_models(only_base=True)

    assert client.workspace_id == WORKSPACE_ID
    assert base.slug == "tiny-llama"
