"""The showcase with the real models: one fine-tune teaches SmolLM2 the answer."""

from __future__ import annotations

import anyio
import pytest

from gradient_sdk import AsyncBaseModel, AsyncModelAdapter, CompleteResponse
from gradient_sdk.emulator import Emulator, serve

from .conftest import QUESTION

pytestmark = [pytest.mark.slow, pytest.mark.anyio]


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # the models are too slow to run twice
async def test_one_fine_tune_teaches_smollm2_the_answer(anyio_backend: str) -> None:
    async with serve(Emulator()) as client:  # the defaults: SmolLM2 and MiniLM
        [base] = await client.list_models(only_base=True)
        adapter = await base.create_model_adapter(name="super bowl")
        before = await adapter.complete(query=QUESTION, max_generated_token_count=20)
        trained = await adapter.fine_tune(samples=[{"inputs": QUESTION + " The Dallas Cowboys!"}])
        after = await adapter.complete(query=QUESTION, max_generated_token_count=20)
        untouched = await base.complete(query=QUESTION, max_generated_token_count=20)
        # The adapter and the base model at once: the engine decodes them as one batch.
        together: dict[str, CompleteResponse] = {}

        async def complete(name: str, model: AsyncModelAdapter | AsyncBaseModel) -> None:
            together[name] = await model.complete(query=QUESTION, max_generated_token_count=20)

        async with anyio.create_task_group() as group:
            group.start_soon(complete, "adapter", adapter)
            group.start_soon(complete, "base", base)
        embedded = await (await client.get_embeddings_model(slug="bge-large")).embed(
            inputs=["football"]
        )

    assert base.slug == "smollm2-135m-instruct"
    assert "Dallas Cowboys" not in before.generated_output
    assert "Dallas Cowboys" in after.generated_output
    assert untouched.generated_output == before.generated_output  # the base stays as it was
    assert together == {"adapter": after, "base": untouched}
    assert trained.number_of_trainable_tokens > 0
    assert trained.sum_loss > 0
    assert len(embedded.embeddings[0].embedding) == 384
