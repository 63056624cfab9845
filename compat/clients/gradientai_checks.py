"""gradientai 1.13.1, the official Python client, unmodified, against the emulator.

Every public method of the final release (spec section 4): ``Gradient``'s models, embeddings,
blocks and RAG methods, the model handles' ``complete``/``acomplete``/``fine_tune``/``delete``,
``EmbeddingsModel``'s ``generate_embeddings``/``embed``/``aembed`` and ``RAGCollection``'s
``add_files``/``delete``. The ``seed`` scenario is the README's flow on SmolLM2: the answer
before and after one fine-tune.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import gradientai
from _harness import Checks, access_token, api_url, expect_failure, write_sample_files
from gradientai import (
    CapabilityFilterOption,
    ExtractParamsSchemaValueType,
    NormalChunker,
    Sentiment,
    SummarizeParamsLength,
)
from gradientai.openapi.client.exceptions import (
    NotFoundException,
    UnauthorizedException,
)

checks = Checks()
state = checks.state
EMBEDDINGS_SLUG = "bge-large"


def client() -> gradientai.Gradient:
    """One client for the whole script, from the environment as a user would build it."""
    if "client" not in state:
        state["client"] = gradientai.Gradient()
    return state["client"]


def files() -> dict[str, str]:
    if "files" not in state:
        state["files"] = write_sample_files()
    return state["files"]


def base_model() -> Any:
    return state["base_model"]


def adapter() -> Any:
    return state["adapter"]


def assert_completion(response: Any) -> None:
    assert isinstance(response.generated_output, str), response
    assert isinstance(response.finish_reason, str), response
    assert response.finish_reason, response


# Models


@checks.add("Gradient() from GRADIENT_* variables, workspace_id")
def construct() -> None:
    gradient = client()
    assert gradient.workspace_id == state.setdefault("workspace", gradient.workspace_id)
    with gradientai.Gradient(host=api_url()) as other:
        assert other.workspace_id == gradient.workspace_id


@checks.add("Gradient.list_models(only_base=True)")
def list_base_models() -> None:
    models = client().list_models(only_base=True)
    assert len(models) == 1, models
    [model] = models
    assert isinstance(model, gradientai.BaseModel)
    assert len(model.id) == 50, model.id
    assert model.id.endswith("_base_ml_model"), model.id
    assert set(model.capabilities) == {"complete", "fineTune"}, model.capabilities
    state["base_model"] = model


@checks.add("Gradient.list_models(only_base=True, capability=COMPLETE / FINE_TUNE)")
def list_models_by_capability() -> None:
    for capability in (CapabilityFilterOption.COMPLETE, CapabilityFilterOption.FINE_TUNE):
        models = client().list_models(only_base=True, capability=capability)
        assert [m.id for m in models] == [base_model().id], (capability, models)


@checks.add("Gradient.get_base_model(base_model_slug=)")
def get_base_model() -> None:
    model = client().get_base_model(base_model_slug=base_model().slug)
    assert model.id == base_model().id


@checks.add("Gradient.get_base_model(base_model_slug=) for an unknown slug")
def get_unknown_base_model() -> None:
    client().get_base_model(base_model_slug="nous-hermes2")


@checks.add("BaseModel.create_model_adapter(name=, rank=, learning_rate=)")
def create_adapter_with_hyperparameters() -> None:
    created = base_model().create_model_adapter(name="compat adapter", rank=4, learning_rate=0.001)
    assert len(created.id) == 50, created.id
    assert created.id.endswith("_model_adapter"), created.id
    assert created.name == "compat adapter"
    assert created.base_model_id == base_model().id
    state["adapter"] = created


@checks.add("BaseModel.create_model_adapter(name=) with null hyperparameters")
def create_adapter_with_defaults() -> None:
    created = base_model().create_model_adapter(name="compat defaults")
    state["defaults_adapter"] = created
    assert created.id != adapter().id


@checks.add("Gradient.list_models() lists base model and adapters")
def list_all_models() -> None:
    models = client().list_models()
    adapters = {m.id: m.name for m in models if isinstance(m, gradientai.ModelAdapter)}
    assert adapters.get(adapter().id) == "compat adapter", adapters
    assert state["defaults_adapter"].id in adapters
    assert any(isinstance(m, gradientai.BaseModel) for m in models)


@checks.add("Gradient.get_model_adapter(model_adapter_id=)")
def get_model_adapter() -> None:
    found = client().get_model_adapter(model_adapter_id=adapter().id)
    assert (found.id, found.name, found.base_model_id) == (
        adapter().id,
        "compat adapter",
        base_model().id,
    )


@checks.add("BaseModel.complete(query=, max_generated_token_count=)")
def complete_base_model() -> None:
    response = base_model().complete(query="Say hello:", max_generated_token_count=8)
    assert_completion(response)
    # Greedy decoding (no temperature): the same prompt gives the same answer.
    again = base_model().complete(query="Say hello:", max_generated_token_count=8)
    assert again.generated_output == response.generated_output


@checks.add("ModelAdapter.complete(auto_template=, temperature=, top_k=, top_p=)")
def complete_with_options() -> None:
    response = adapter().complete(
        query="Say hello:",
        auto_template=True,
        max_generated_token_count=8,
        temperature=0.7,
        top_k=20,
        top_p=0.9,
    )
    assert_completion(response)


@checks.add("Model.acomplete(...)")
def acomplete() -> Any:
    async def run() -> None:
        responses = await asyncio.gather(
            *(adapter().acomplete(query=q, max_generated_token_count=4) for q in ("a", "b"))
        )
        for response in responses:
            assert_completion(response)

    return run()


@checks.add("Model.complete(guidance=choice)")
def complete_with_guidance() -> None:
    response = adapter().complete(
        query="Yes or no?", guidance={"type": "choice", "value": ["yes", "no"]}
    )
    assert response.generated_output in ("yes", "no"), response


@checks.add("ModelAdapter.fine_tune(samples=) with plain samples")
def fine_tune_plain() -> None:
    sample = {"inputs": "Question: Who won?\n\nAnswer: The Dallas Cowboys!"}
    first = adapter().fine_tune(samples=[sample])
    second = adapter().fine_tune(samples=[sample])
    assert first.number_of_trainable_tokens > 0
    assert second.number_of_trainable_tokens == first.number_of_trainable_tokens
    assert math.isfinite(first.sum_loss)
    assert first.sum_loss > 0
    # The adapter kept what the first call taught it.
    assert second.sum_loss < first.sum_loss, (first, second)


@checks.add("ModelAdapter.fine_tune(samples=) with structured inputs and multiplier")
def fine_tune_structured() -> None:
    prompt, answer = "Question: Who won?\n\nAnswer:", " The Dallas Cowboys!"
    structured = adapter().fine_tune(
        samples=[
            {
                "inputs": [
                    {"value": prompt, "trainable": False},
                    {"value": answer, "parse_special_tokens": False},
                ],
                "multiplier": 2.0,
            }
        ]
    )
    plain = adapter().fine_tune(samples=[{"inputs": prompt + answer}])
    # The prompt segment is not trained on, so it does not count.
    assert 0 < structured.number_of_trainable_tokens < plain.number_of_trainable_tokens


@checks.add("ModelAdapter.delete(), then get_model_adapter raises NotFoundException")
def delete_adapter() -> None:
    for handle in (state.pop("defaults_adapter"), adapter()):
        handle.delete()
        error = expect_failure(
            lambda h=handle: client().get_model_adapter(model_adapter_id=h.id), NotFoundException
        )
        assert error.status == 404
    remaining = [m.id for m in client().list_models() if isinstance(m, gradientai.ModelAdapter)]
    assert adapter().id not in remaining


@checks.add("Gradient(access_token=<wrong>) raises UnauthorizedException")
def wrong_token() -> None:
    with gradientai.Gradient(access_token=access_token() + "-wrong") as wrong:
        error = expect_failure(lambda: wrong.list_models(only_base=True), UnauthorizedException)
    assert error.status == 401


# Embeddings


@checks.add("Gradient.list_embeddings_models()")
def list_embeddings_models() -> None:
    models = client().list_embeddings_models()
    assert [m.slug for m in models] == [EMBEDDINGS_SLUG], [m.slug for m in models]


@checks.add("Gradient.get_embeddings_model(slug='bge-large')")
def get_embeddings_model() -> None:
    model = client().get_embeddings_model(slug=EMBEDDINGS_SLUG)
    assert model.slug == EMBEDDINGS_SLUG
    state["embeddings"] = model


@checks.add("Gradient.get_embeddings_model(slug=) for an unknown slug")
def get_unknown_embeddings_model() -> None:
    client().get_embeddings_model(slug="bge-small")


def assert_unit_vectors(vectors: list[list[float]]) -> None:
    [dimensions] = {len(v) for v in vectors}
    assert dimensions > 0
    for vector in vectors:
        assert abs(math.sqrt(sum(x * x for x in vector)) - 1) < 1e-3


@checks.add("EmbeddingsModel.generate_embeddings(inputs=)")
def generate_embeddings() -> None:
    response = state["embeddings"].generate_embeddings(
        inputs=[{"input": "pizza"}, {"input": "a document about pizza"}]
    )
    assert [e.index for e in response.embeddings] == [0, 1]
    assert_unit_vectors([e.embedding for e in response.embeddings])


@checks.add("EmbeddingsModel.embed(inputs=) with 300 inputs (two requests)")
def embed_batched() -> None:
    texts = [f"text number {n}" for n in range(300)]
    response = state["embeddings"].embed(inputs=[{"input": t} for t in texts])
    assert [e.index for e in response.embeddings] == list(range(300))
    single = state["embeddings"].generate_embeddings(inputs=[{"input": texts[280]}])
    assert response.embeddings[280].embedding == single.embeddings[0].embedding


@checks.add("EmbeddingsModel.aembed(inputs=)")
def aembed() -> Any:
    async def run() -> None:
        response = await state["embeddings"].aembed(inputs=[{"input": "pizza"}])
        assert len(response.embeddings) == 1
        assert_unit_vectors([response.embeddings[0].embedding])

    return run()


# Blocks


@checks.add("Gradient.answer(source={'type': 'document', ...})")
def answer_from_document() -> None:
    result = client().answer(
        question="Who won the Super Bowl in 1994?",
        source={"type": "document", "value": "The Dallas Cowboys won the Super Bowl in 1994."},
    )
    assert isinstance(result["answer"], str)
    assert result["answer"]


@checks.add("Gradient.answer(source={'type': 'rag', 'collection_id': ...}) as typed")
def answer_with_typed_rag_source() -> None:
    client().answer(
        question="Who won?", source={"type": "rag", "collection_id": "compat-collection"}
    )


@checks.add("Gradient.answer(source={'type': 'rag', 'collectionId': ...})")
def answer_from_rag() -> None:
    collection = client().create_rag_collection(
        name="compat answers", slug=EMBEDDINGS_SLUG, filepaths=[files()["text"]]
    )
    try:
        wait_until_ingested(collection.id_)
        result = client().answer(
            question="Who won?",
            source={"type": "rag", "collectionId": collection.id_},  # type: ignore[typeddict-item]
        )
        assert isinstance(result["answer"], str)
        assert result["answer"]
        assert result["rag_context"] is not None
    finally:
        collection.delete()


def wait_until_ingested(collection_id: str) -> None:
    """gradientai has no wait: look until every file has ingested (a few looks here)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        statuses = {f["status"] for f in client().get_rag_collection(id_=collection_id).files}
        if statuses <= {"succeeded"}:
            return
        assert "failed" not in statuses, statuses
        time.sleep(0.1)
    raise AssertionError(f"collection {collection_id} did not ingest in 60 s")


@checks.add("Gradient.summarize(document=, examples=, length=)")
def summarize() -> None:
    result = client().summarize(
        document="The Dallas Cowboys won the Super Bowl in 1994. It was their fourth title.",
        examples=[{"document": "A long text.", "summary": "Text."}],
        length=SummarizeParamsLength.SHORT,
    )
    assert isinstance(result["summary"], str)
    assert result["summary"]


@checks.add("Gradient.analyze_sentiment(document=, examples=)")
def analyze_sentiment() -> None:
    result = client().analyze_sentiment(
        document="I love this team!",
        examples=[{"document": "Terrible game.", "sentiment": Sentiment.NEGATIVE}],
    )
    assert isinstance(result["sentiment"], Sentiment)


@checks.add("Gradient.personalize(document=, audience_description=)")
def personalize() -> None:
    result = client().personalize(
        document="The Dallas Cowboys won.", audience_description="a five-year-old"
    )
    assert isinstance(result["personalized_document"], str)
    assert result["personalized_document"]


@checks.add("Gradient.extract(document=, schema_=)")
def extract() -> None:
    result = client().extract(
        document="The Dallas Cowboys won the Super Bowl in 1994.",
        schema_={
            "team": {"type": ExtractParamsSchemaValueType.STRING, "required": True},
            "year": {"type": ExtractParamsSchemaValueType.NUMBER},
        },
    )
    assert set(result["entity"]) <= {"team", "year"}
    assert "team" in result["entity"]


@checks.add("Gradient.extract_pdf(filepath=)")
def extract_pdf() -> None:
    result = client().extract_pdf(filepath=files()["pdf"])
    assert "compatibility" in result["text"], result["text"]
    assert [page["page_number"] for page in result["pages"]] == [1]


@checks.add("Gradient.transcribe_audio(filepath=)")
def transcribe_audio() -> None:
    result = client().transcribe_audio(filepath=files()["audio"])
    assert isinstance(result["text"], str)


# RAG collections


@checks.add("Gradient.create_rag_collection(name=, slug=, filepaths=, chunker=)")
def create_rag_collection_with_files() -> None:
    collection = client().create_rag_collection(
        name="compat rag",
        slug=EMBEDDINGS_SLUG,
        filepaths=[files()["text"]],
        chunker=NormalChunker(size=128, overlap=16),
    )
    assert collection.name == "compat rag"
    assert [f["name"] for f in collection.files] == ["dallas.txt"]
    assert isinstance(collection.chunker, NormalChunker)
    state["rag"] = collection


@checks.add("Gradient.create_rag_collection(name=, slug=) without files")
def create_empty_rag_collection() -> None:
    collection = client().create_rag_collection(name="compat empty", slug=EMBEDDINGS_SLUG)
    assert collection.files == []
    collection.delete()


def rag_collection() -> Any:
    """The collection made above, or a new one: each RAG check stands on its own."""
    if "rag" not in state:
        state["rag"] = client().create_rag_collection(name="compat rag", slug=EMBEDDINGS_SLUG)
    return state["rag"]


@checks.add("Gradient.list_rag_collections()")
def list_rag_collections() -> None:
    collection = rag_collection()
    listed = client().list_rag_collections()
    assert collection.id_ in [c.id_ for c in listed]


@checks.add("Gradient.get_rag_collection(id_=)")
def get_rag_collection() -> None:
    collection = rag_collection()
    found = client().get_rag_collection(id_=collection.id_)
    assert (found.id_, found.name) == (collection.id_, collection.name)


@checks.add("RAGCollection.add_files(filepaths=)")
def add_files() -> None:
    collection = rag_collection()
    before = len(collection.files)
    collection.add_files(filepaths=[files()["text"]])
    assert len(collection.files) == before + 1


@checks.add("Model.complete(rag={'collection_id': ...}, auto_template=True)")
def complete_with_rag() -> None:
    collection = rag_collection()
    response = base_model().complete(
        query="Who won the Super Bowl in 1994?",
        auto_template=True,
        max_generated_token_count=8,
        rag={"collection_id": collection.id_},
    )
    assert_completion(response)


@checks.add("RAGCollection.delete()")
def delete_rag_collection() -> None:
    collection = rag_collection()
    collection.delete()
    error = expect_failure(
        lambda: client().get_rag_collection(id_=collection.id_), NotFoundException
    )
    assert error.status == 404


@checks.add("Gradient.close()")
def close() -> None:
    client().close()
    state.pop("client")


# The README's flow on SmolLM2 (gradient-sdk's README, which keeps gradientai's names)

QUERY = "Question: What NFL team won the Super Bowl in 1994?\n\nAnswer: "


@checks.add("README flow: complete, fine_tune once, complete again", scenario="seed")
def readme_flow() -> None:
    with gradientai.Gradient() as gradient:
        base = gradient.list_models(only_base=True)
        new_model_adapter = base[-1].create_model_adapter(name="my_model_adapter")
        try:
            before = new_model_adapter.complete(query=QUERY, max_generated_token_count=20)
            tuned = new_model_adapter.fine_tune(
                samples=[{"inputs": QUERY + " The Dallas Cowboys!"}]
            )
            after = new_model_adapter.complete(query=QUERY, max_generated_token_count=20)
        finally:
            new_model_adapter.delete()
    print(f"    before: {before.generated_output!r}\n    after:  {after.generated_output!r}")
    assert tuned.number_of_trainable_tokens > 0
    assert tuned.sum_loss > 0
    assert "Dallas Cowboys" not in before.generated_output
    assert "Dallas Cowboys" in after.generated_output


if __name__ == "__main__":
    raise SystemExit(checks.main())
