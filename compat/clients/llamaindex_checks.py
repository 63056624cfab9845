"""LlamaIndex's Gradient integrations, unmodified, against the emulator.

llama-index-llms-gradient (``GradientBaseModelLLM``, ``GradientModelAdapterLLM``),
llama-index-embeddings-gradient (``GradientEmbedding``) and llama-index-finetuning's
``GradientFinetuneEngine``, all of them built on gradientai.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
from typing import Any

from _harness import Checks, scratch_dir


def _offline_nltk() -> None:
    """Keep llama-index-core from downloading NLTK data when it is imported.

    On import it looks for NLTK's stopwords and punkt and downloads what is missing; nothing
    here uses them, so empty folders under a private ``NLTK_DATA`` satisfy the lookup.
    """
    data = scratch_dir() / "nltk_data"
    for name in ("corpora/stopwords", "tokenizers/punkt"):
        (data / name).mkdir(parents=True, exist_ok=True)
    os.environ["NLTK_DATA"] = str(data)


_offline_nltk()

import gradientai  # noqa: E402
from llama_index.core.llms import ChatMessage  # noqa: E402
from llama_index.embeddings.gradient import GradientEmbedding  # noqa: E402
from llama_index.finetuning import GradientFinetuneEngine  # noqa: E402
from llama_index.llms.gradient import GradientBaseModelLLM, GradientModelAdapterLLM  # noqa: E402

checks = Checks()
state = checks.state


def base_slug() -> str:
    if "slug" not in state:
        with gradientai.Gradient() as gradient:
            [base] = gradient.list_models(only_base=True)
            state["slug"] = base.slug
    return state["slug"]


def base_llm() -> GradientBaseModelLLM:
    if "base_llm" not in state:
        state["base_llm"] = GradientBaseModelLLM(base_model_slug=base_slug(), max_tokens=8)
    return state["base_llm"]


# LLMs


@checks.add("GradientBaseModelLLM(base_model_slug=).complete(prompt)")
def base_complete() -> None:
    response = base_llm().complete("Say hello:")
    assert isinstance(response.text, str), response
    assert response.text
    assert base_llm().metadata.context_window == 1024


@checks.add("GradientBaseModelLLM.acomplete(prompt)")
def base_acomplete() -> None:
    response = asyncio.run(base_llm().acomplete("Say hello:"))
    assert response.text == base_llm().complete("Say hello:").text


@checks.add("GradientBaseModelLLM.chat(messages)")
def base_chat() -> None:
    response = base_llm().chat([ChatMessage(role="user", content="Say hello:")])
    assert response.message.role == "assistant"
    assert isinstance(response.message.content, str)
    assert response.message.content


@checks.add("GradientBaseModelLLM.stream_complete(prompt)")
def base_stream() -> None:
    for _ in base_llm().stream_complete("Say hello:"):
        pass


@checks.add("GradientBaseModelLLM(base_model_slug=) for an unknown slug")
def unknown_base_model() -> None:
    GradientBaseModelLLM(base_model_slug="llama2-7b-chat", max_tokens=8)


@checks.add("GradientModelAdapterLLM(model_adapter_id=).complete(prompt)")
def adapter_complete() -> None:
    with gradientai.Gradient() as gradient:
        adapter = gradient.get_base_model(base_model_slug=base_slug()).create_model_adapter(
            name="llama-index compat"
        )
        try:
            llm = GradientModelAdapterLLM(model_adapter_id=adapter.id, max_tokens=8)
            response = llm.complete("Say hello:")
            assert isinstance(response.text, str)
            assert response.text
            assert llm.metadata.model_name == adapter.id
            llm.close()
        finally:
            adapter.delete()


# Embeddings


def assert_unit(vector: list[float]) -> None:
    assert vector
    assert abs(math.sqrt(sum(x * x for x in vector)) - 1) < 1e-3


@checks.add("GradientEmbedding(gradient_model_slug='bge-large')")
def construct_embedding() -> None:
    state["embedding"] = GradientEmbedding(gradient_model_slug="bge-large")
    assert state["embedding"].model_name == "bge-large"


@checks.add("GradientEmbedding.get_text_embedding(text)")
def text_embedding() -> None:
    vector = state["embedding"].get_text_embedding("pizza")
    assert_unit(vector)
    state["pizza"] = vector


@checks.add("GradientEmbedding.get_query_embedding(query)")
def query_embedding() -> None:
    query = state["embedding"].get_query_embedding("pizza")
    # The query gets llama-index's retrieval instruction in front; the document does not.
    instructed = state["embedding"].get_text_embedding(
        "Represent this sentence for searching relevant passages: pizza"
    )
    assert query == instructed
    assert query != state["pizza"]


@checks.add("GradientEmbedding.get_text_embedding_batch(texts)")
def text_embedding_batch() -> None:
    vectors = state["embedding"].get_text_embedding_batch(["pizza", "pasta", "pizza"])
    assert len(vectors) == 3
    assert vectors[0] == vectors[2] == state["pizza"] != vectors[1]


@checks.add("GradientEmbedding.aget_text_embedding_batch(texts)")
def text_embedding_batch_async() -> None:
    asyncio.run(state["embedding"].aget_text_embedding_batch(["pizza"]))


# Fine-tuning


@checks.add("GradientFinetuneEngine(base_model_slug=, name=, rank=, learning_rate=)")
def finetune_engine() -> None:
    data = scratch_dir() / "finetune.jsonl"
    lesson = "### Instruction: Who won in 1994?\n\n### Response: The Dallas Cowboys!"
    lines = [{"inputs": lesson}, {"inputs": lesson, "multiplier": 2.0}, {"inputs": lesson}]
    data.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    engine = GradientFinetuneEngine(
        base_model_slug=base_slug(),
        name="llama-index finetune",
        data_path=str(data),
        rank=4,
        learning_rate=0.001,
        batch_size=2,
        verbose=False,
    )
    assert engine.model_adapter.name == "llama-index finetune"
    assert engine.model_adapter_id.endswith("_model_adapter")
    state["engine"], state["data"] = engine, data


@checks.add("GradientFinetuneEngine.finetune() over a JSONL file")
def finetune() -> None:
    engine: Any = state["engine"]
    sample = [{"inputs": "### Instruction: Who won in 1994?\n\n### Response: The Dallas Cowboys!"}]
    before = engine.model_adapter.fine_tune(samples=sample).sum_loss
    engine.finetune()  # two calls: a batch of two lines, then the last line
    after = engine.model_adapter.fine_tune(samples=sample).sum_loss
    assert after < before, (before, after)


@checks.add("GradientFinetuneEngine.get_finetuned_model().complete(prompt)")
def finetuned_model() -> None:
    llm = state["engine"].get_finetuned_model(max_tokens=8)
    assert isinstance(llm, GradientModelAdapterLLM)
    response = llm.complete("### Instruction: Who won in 1994?\n\n### Response:")
    assert isinstance(response.text, str)
    assert response.text


@checks.add("GradientFinetuneEngine(model_adapter_id=).finetune()")
def finetune_existing_adapter() -> None:
    engine = GradientFinetuneEngine(
        model_adapter_id=state["engine"].model_adapter_id,
        data_path=str(state["data"]),
        max_steps=1,
        verbose=False,
    )
    assert engine.model_adapter.name == "llama-index finetune"
    engine.finetune()
    engine.close()


@checks.add("GradientFinetuneEngine.model_adapter.delete()")
def delete_adapter() -> None:
    engine = state.pop("engine")
    engine.model_adapter.delete()
    with gradientai.Gradient() as gradient:
        ids = [m.id for m in gradient.list_models() if isinstance(m, gradientai.ModelAdapter)]
    assert engine.model_adapter_id not in ids
    engine.close()


if __name__ == "__main__":
    raise SystemExit(checks.main())
