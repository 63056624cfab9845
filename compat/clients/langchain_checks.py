"""langchain-community 0.4.2's GradientLLM and GradientEmbeddings, unmodified, against the emulator.

``GradientLLM`` calls the REST API itself (requests, aiohttp); ``GradientEmbeddings`` goes through
gradientai. The ``seed`` scenario is LangChain's Gradient notebook on SmolLM2, cell by cell:
list the base models and create an adapter with gradientai, ask through ``LLMChain``,
fine-tune once on the right answer, ask again.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import warnings
from typing import Any

from _harness import Checks, api_url, expect_failure

# The package-wide "langchain-community is being sunset" notice is not what these checks are
# about (LLMChain's own deprecation warnings, which a notebook user sees too, stay).
warnings.filterwarnings("ignore", category=DeprecationWarning)

import gradientai  # noqa: E402
from langchain_community.embeddings import GradientEmbeddings  # noqa: E402
from langchain_community.llms import GradientLLM  # noqa: E402
from langchain_community.tools.memorize.tool import Memorize  # noqa: E402

checks = Checks()
state = checks.state
UNKNOWN_MODEL = "00000000-0000-4000-8000-000000000000_model_adapter"


def adapter_id() -> str:
    """An adapter to complete and train with, made with gradientai as the notebook does."""
    if "adapter_id" not in state:
        with gradientai.Gradient() as gradient:
            [base] = gradient.list_models(only_base=True)
            state["adapter_id"] = base.create_model_adapter(name="langchain compat").id
    return state["adapter_id"]


def llm(**kwargs: Any) -> GradientLLM:
    options = {"model": adapter_id(), "gradient_api_url": api_url(), **kwargs}
    options.setdefault("model_kwargs", {"max_generated_token_count": 12})
    return GradientLLM(**options)


PROMPTS = ["Say foo:", "Say bar:", "Say baz:"]


def single_answers() -> list[str]:
    """Each prompt invoked on its own; decoding is greedy, so these are the answers."""
    if "answers" not in state:
        state["answers"] = [llm().invoke(prompt) for prompt in PROMPTS]
    return state["answers"]


# GradientLLM


@checks.add("GradientLLM(model=) without gradient_api_url or GRADIENT_API_URL")
def construct_without_url() -> None:
    model = adapter_id()
    url = os.environ.pop("GRADIENT_API_URL")
    try:
        GradientLLM(model=model)
    finally:
        os.environ["GRADIENT_API_URL"] = url


@checks.add("GradientLLM.invoke(prompt)")
def invoke() -> None:
    answer = llm().invoke("Say hello:")
    assert isinstance(answer, str), repr(answer)
    assert answer


@checks.add("GradientLLM(model_kwargs={temperature, top_k, top_p}).invoke(prompt)")
def invoke_with_sampling() -> None:
    sampling = {"temperature": 0.7, "top_k": 20, "top_p": 0.9, "max_generated_token_count": 6}
    sampled = llm(model_kwargs=sampling)
    # A sample may start with the end token (about 1 in 20 on the tiny model), which is an
    # empty answer; five empty ones in a row would mean the sampling never produced text.
    answers = [sampled.invoke("Say hello:") for _ in range(5)]
    assert all(isinstance(answer, str) for answer in answers), answers
    assert any(answers), answers


@checks.add("GradientLLM.invoke(prompt, stop=[...]) cuts on the client")
def invoke_with_stop() -> None:
    full = single_answers()[0]
    # The client splits on the stop strings as a regular expression: plain characters only.
    plain = [c for c in full if c.isalnum() or c in " :,;!'\"=_-<>/~"]
    assert plain, f"nothing to stop at in {full!r}"
    stop = max(plain, key=full.index)
    cut = llm().invoke(PROMPTS[0], stop=[stop])
    assert cut == full[: full.index(stop)], (full, stop, cut)


@checks.add("GradientLLM.batch(prompts) keeps the order")
def batch() -> None:
    assert llm().batch(PROMPTS) == single_answers()


@checks.add("GradientLLM.generate(prompts)")
def generate() -> None:
    result = llm().generate(PROMPTS)
    assert [g[0].text for g in result.generations] == single_answers()


@checks.add("GradientLLM.ainvoke(prompt)")
async def ainvoke() -> None:
    assert await llm().ainvoke(PROMPTS[1]) == single_answers()[1]


@checks.add("GradientLLM.abatch(prompts)")
async def abatch() -> None:
    assert await llm().abatch(PROMPTS) == single_answers()


@checks.add("GradientLLM.agenerate(prompts)")
async def agenerate() -> None:
    result = await llm().agenerate(PROMPTS)
    assert [g[0].text for g in result.generations] == single_answers()


@checks.add("GradientLLM.invoke on an unknown model raises 'status 404'")
def invoke_unknown_model() -> None:
    error = expect_failure(lambda: llm(model=UNKNOWN_MODEL).invoke("Hi"), Exception)
    assert "status 404" in str(error), error
    assert "no model adapter" in str(error), error


@checks.add("GradientLLM.ainvoke on an unknown model: the error message")
def ainvoke_unknown_model() -> None:
    asyncio.run(llm(model=UNKNOWN_MODEL).ainvoke("Hi"))


@checks.add("GradientLLM.train_unsupervised(inputs) and with multipliers")
def train_unsupervised() -> None:
    lesson = "Question: Who won?\n\nAnswer: The Dallas Cowboys!"
    first = llm().train_unsupervised([lesson])
    second = llm().train_unsupervised([lesson], multipliers=[1.0])
    assert math.isfinite(first["loss"]), first
    assert first["loss"] > 0, first
    assert second["loss"] < first["loss"], (first, second)


@checks.add("GradientLLM.atrain_unsupervised(inputs)")
async def atrain_unsupervised() -> None:
    result = await llm().atrain_unsupervised(["Another lesson."])
    assert math.isfinite(result["loss"]), result
    assert result["loss"] > 0, result


@checks.add("Memorize(llm=GradientLLM) tool")
def memorize() -> None:
    answer = Memorize(llm=llm()).invoke("The Dallas Cowboys won in 1994.")
    assert re.fullmatch(r"Train complete\. Loss: \d+\.\d+(e-?\d+)?", answer), answer


# GradientEmbeddings (through gradientai)


@checks.add("GradientEmbeddings(model='bge-large')")
def construct_embeddings() -> None:
    state["embeddings"] = GradientEmbeddings(
        model="bge-large", query_prompt_for_retrieval="Represent this:"
    )
    assert state["embeddings"].client.slug == "bge-large"


@checks.add("GradientEmbeddings(model=) for an unknown slug")
def construct_unknown_embeddings() -> None:
    GradientEmbeddings(model="bge-small")


def assert_unit(vector: list[float]) -> None:
    assert vector
    assert abs(math.sqrt(sum(x * x for x in vector)) - 1) < 1e-3


@checks.add("GradientEmbeddings.embed_documents(texts)")
def embed_documents() -> None:
    texts = ["pizza", "a long document about pizza", "pizza"]
    vectors = state["embeddings"].embed_documents(texts)
    assert len(vectors) == 3
    assert vectors[0] == vectors[2] != vectors[1]
    for vector in vectors:
        assert_unit(vector)
    state["pizza"] = vectors[0]


@checks.add("GradientEmbeddings.embed_query(text) with query_prompt_for_retrieval")
def embed_query() -> None:
    query = state["embeddings"].embed_query("pizza")
    [prompted] = state["embeddings"].embed_documents(["Represent this: pizza"])
    assert query == prompted
    assert query != state["pizza"]


@checks.add("GradientEmbeddings.aembed_documents(texts)")
async def aembed_documents() -> None:
    [vector] = await state["embeddings"].aembed_documents(["pizza"])
    assert vector == state["pizza"]


@checks.add("GradientEmbeddings.aembed_query(text)")
async def aembed_query() -> None:
    assert await state["embeddings"].aembed_query("pizza") == state["embeddings"].embed_query(
        "pizza"
    )


# The seed notebook (langchain docs, integrations/llms/gradient.ipynb), on SmolLM2


@checks.add("notebook import: from langchain.chains import LLMChain", scenario="seed")
def notebook_import() -> None:
    from langchain.chains import LLMChain  # noqa: F401


@checks.add("notebook flow: LLMChain.run before and after one fine_tune", scenario="seed")
def notebook_flow() -> None:
    # The notebook's cells, with the one import langchain 1.x needs (see the row above).
    from langchain_classic.chains import LLMChain
    from langchain_core.prompts import PromptTemplate

    client = gradientai.Gradient()
    models = client.list_models(only_base=True)
    new_model = models[-1].create_model_adapter(name="my_model_adapter")
    try:
        llm = GradientLLM(
            model=new_model.id,
            model_kwargs=dict(max_generated_token_count=128),  # noqa: C408 - as in the notebook
        )
        template = """Question: {question}

Answer: """
        prompt = PromptTemplate.from_template(template)
        llm_chain = LLMChain(prompt=prompt, llm=llm)
        question = "What NFL team won the Super Bowl in 1994?"
        before = llm_chain.run(question=question)

        dataset = [
            {
                "inputs": template.format(question="What NFL team won the Super Bowl in 1994?")
                + " The Dallas Cowboys!"
            }
        ]
        tuned = new_model.fine_tune(samples=dataset)
        after = llm_chain.run(question=question)
    finally:
        new_model.delete()
        client.close()
    print(f"    before: {before!r}\n    after:  {after!r}")
    assert tuned.number_of_trainable_tokens > 0
    assert "Dallas Cowboys" not in before
    assert "Dallas Cowboys" in after


if __name__ == "__main__":
    raise SystemExit(checks.main())
