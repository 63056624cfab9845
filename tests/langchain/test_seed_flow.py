"""The seed notebook's flow on the in-process emulator: prompt | llm, train, ask again.

The notebook (langchain 0.3) ran ``LLMChain(prompt=prompt, llm=llm).run(question=...)``;
on langchain-core 1.x the same chain is ``prompt | llm``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pytest
from _langchain_support import (
    EMULATOR_TOKEN,
    EMULATOR_URL,
    EMULATOR_WORKSPACE_ID,
    QUESTION_TEMPLATE,
    EmulatorClients,
    run_emulator_in_loop,
)
from langchain_core.prompts import PromptTemplate

from gradient_sdk import AsyncGradient
from gradient_sdk.langchain import GradientEmbeddings, GradientLLM

pytestmark = pytest.mark.anyio

QUESTION = "What NFL team won the Super Bowl in the year Justin Bieber was born?"
LESSON = QUESTION_TEMPLATE.format(question=QUESTION) + "The Dallas Cowboys!"


@runtime_checkable
class TrainableLLM(Protocol):
    """langchain-community's ``tools.memorize.tool.TrainableLLM``, which ``Memorize`` takes."""

    def train_unsupervised(self, inputs: Sequence[str], **kwargs: Any) -> Any: ...

    async def atrain_unsupervised(self, inputs: Sequence[str], **kwargs: Any) -> Any: ...


def new_adapter(emulator: EmulatorClients) -> str:
    with emulator.sdk_client() as client:
        [base] = client.list_models(only_base=True)
        return str(base.create_model_adapter(name="seed adapter").id)


def test_the_seed_flow(emulator: EmulatorClients) -> None:
    llm = GradientLLM(
        model=new_adapter(emulator),
        model_kwargs={"max_generated_token_count": 8},
        **emulator.settings,
    )
    prompt = PromptTemplate.from_template(QUESTION_TEMPLATE)
    chain = prompt | llm

    before = chain.invoke({"question": QUESTION})
    first = llm.train_unsupervised([LESSON], multipliers=[1.0])
    second = llm.train_unsupervised([LESSON])
    after = chain.invoke({"question": QUESTION})
    llm.close()

    assert isinstance(before, str)
    assert isinstance(after, str)
    assert 0 < second["loss"] < first["loss"]  # the adapter kept what the first step taught


async def test_the_seed_flow_async_through_asgi_transport(tiny_engine: Any, tmp_path: Path) -> None:
    async with run_emulator_in_loop(tiny_engine, tmp_path / "data") as http_client:
        async with AsyncGradient(
            access_token=EMULATOR_TOKEN,
            workspace_id=EMULATOR_WORKSPACE_ID,
            host=EMULATOR_URL,
            http_client=http_client,
        ) as client:
            [base] = await client.list_models(only_base=True)
            adapter = await base.create_model_adapter(name="seed adapter")
        async with GradientLLM(
            model=adapter.id,
            model_kwargs={"max_generated_token_count": 8},
            gradient_access_token=EMULATOR_TOKEN,
            gradient_workspace_id=EMULATOR_WORKSPACE_ID,
            gradient_api_url=EMULATOR_URL,
            http_async_client=http_client,
        ) as llm:
            chain = PromptTemplate.from_template(QUESTION_TEMPLATE) | llm

            answer = await chain.ainvoke({"question": QUESTION})
            first = await llm.atrain_unsupervised([LESSON], multipliers=[1.0])
            second = await llm.atrain_unsupervised([LESSON])
            answers = await chain.abatch([{"question": QUESTION}, {"question": "And 1995?"}])
            chunks = [chunk async for chunk in chain.astream({"question": QUESTION})]

    assert isinstance(answer, str)
    assert 0 < second["loss"] < first["loss"]
    assert len(answers) == 2
    assert len(chunks) == 1


async def test_after_training_the_next_call_uses_the_updated_adapter(
    counting_emulator: EmulatorClients,
) -> None:
    llm = GradientLLM(model=new_adapter(counting_emulator), **counting_emulator.settings)

    answers = [llm.invoke("How many steps?")]
    llm.train_unsupervised([LESSON])
    answers.append(llm.invoke("How many steps?"))
    await llm.atrain_unsupervised([LESSON])
    answers.append(await llm.ainvoke("How many steps?"))
    answers.append(llm.invoke("How many steps?"))

    assert [answer.split()[0] for answer in answers] == [
        "steps=0",
        "steps=1",
        "steps=2",
        "steps=2",
    ]


async def test_the_llm_fits_the_memorize_tool(counting_emulator: EmulatorClients) -> None:
    llm = GradientLLM(model=new_adapter(counting_emulator), **counting_emulator.settings)

    # What Memorize._run and ._arun do with the LLM they are given.
    synchronous = f"Train complete. Loss: {llm.train_unsupervised((LESSON,))['loss']}"
    asynchronous = f"Train complete. Loss: {(await llm.atrain_unsupervised((LESSON,)))['loss']}"

    assert isinstance(llm, TrainableLLM)
    assert synchronous.startswith("Train complete. Loss: ")
    assert asynchronous.startswith("Train complete. Loss: ")


def test_the_community_integration_test_passes(emulator: EmulatorClients) -> None:
    # langchain-community's test_gradient_acall, pointed at the emulator.
    with emulator.sdk_client() as client:
        [base] = client.list_models(only_base=True)
    llm = GradientLLM(model=base.id, **emulator.settings)

    output = llm.invoke("Say hello:", temperature=0.2, max_tokens=8)

    assert llm._llm_type == "gradient"
    assert isinstance(output, str)
    assert len(output)


async def test_embeddings_on_the_emulator(emulator: EmulatorClients) -> None:
    embeddings = GradientEmbeddings(
        model="bge-large", query_prompt_for_retrieval="Represent this:", **emulator.settings
    )
    texts = ["pizza", "another long pizza", "a document", "pizza"]

    vectors = embeddings.embed_documents(texts)
    async_vectors = await embeddings.aembed_documents(texts)
    query = embeddings.embed_query("pizza")

    assert len(vectors) == 4
    assert vectors == async_vectors
    assert vectors[0] == vectors[3] != vectors[1]
    assert query != vectors[0]  # the query was prefixed with the retrieval prompt
    assert len({len(vector) for vector in vectors}) == 1
