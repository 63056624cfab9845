"""gradient-haystack 0.4.0's components, unmodified, against the emulator.

``GradientGenerator``, ``GradientTextEmbedder`` and ``GradientDocumentEmbedder`` (all on
gradientai), alone and in a Haystack pipeline that embeds documents, stores them and
retrieves the right one for an embedded query.
"""

from __future__ import annotations

import math

import gradientai
from _harness import Checks
from haystack import Document, Pipeline
from haystack.components.retrievers.in_memory import InMemoryEmbeddingRetriever
from haystack.components.writers import DocumentWriter
from haystack.document_stores.in_memory import InMemoryDocumentStore
from haystack_integrations.components.embedders.gradient import (
    GradientDocumentEmbedder,
    GradientTextEmbedder,
)
from haystack_integrations.components.generators.gradient import GradientGenerator

checks = Checks()
state = checks.state


def base_slug() -> str:
    if "slug" not in state:
        with gradientai.Gradient() as gradient:
            [base] = gradient.list_models(only_base=True)
            state["slug"] = base.slug
    return state["slug"]


def assert_unit(vector: list[float]) -> None:
    assert vector
    assert abs(math.sqrt(sum(x * x for x in vector)) - 1) < 1e-3


@checks.add("GradientGenerator(base_model_slug=).run(prompt)")
def generator_base_model() -> None:
    generator = GradientGenerator(base_model_slug=base_slug(), max_generated_token_count=8)
    generator.warm_up()
    [reply] = generator.run(prompt="Say hello:")["replies"]
    assert isinstance(reply, str)
    assert reply
    assert generator.run(prompt="Say hello:")["replies"] == [reply]  # greedy: the same again
    state["reply"] = reply


@checks.add("GradientGenerator(model_adapter_id=).run(prompt)")
def generator_adapter() -> None:
    with gradientai.Gradient() as gradient:
        adapter = gradient.get_base_model(base_model_slug=base_slug()).create_model_adapter(
            name="haystack compat"
        )
        try:
            generator = GradientGenerator(
                model_adapter_id=adapter.id, max_generated_token_count=8, temperature=0.5
            )
            generator.warm_up()
            # A sample may start with the end token, an empty reply (about 1 in 200 on the
            # tiny model); five empty ones in a row would mean it never produced text.
            replies = [generator.run(prompt="Say hello:")["replies"] for _ in range(5)]
            assert all(len(run) == 1 and isinstance(run[0], str) for run in replies), replies
            assert any(run[0] for run in replies), replies
        finally:
            adapter.delete()


@checks.add("GradientGenerator to_dict / from_dict round trip")
def generator_serialisation() -> None:
    generator = GradientGenerator(base_model_slug=base_slug(), max_generated_token_count=8)
    data = generator.to_dict()
    assert data["init_parameters"]["access_token"]["type"] == "env_var"
    restored = GradientGenerator.from_dict(data)
    restored.warm_up()
    assert restored.run(prompt="Say hello:")["replies"] == [state["reply"]]


@checks.add("GradientTextEmbedder(model='bge-large').run(text)")
def text_embedder() -> None:
    embedder = GradientTextEmbedder(model="bge-large")
    embedder.warm_up()
    vector = embedder.run(text="pizza")["embedding"]
    assert_unit(vector)
    assert embedder.run(text="pizza")["embedding"] == vector


@checks.add("GradientDocumentEmbedder(model='bge-large').run(documents)")
def document_embedder() -> None:
    embedder = GradientDocumentEmbedder(model="bge-large", progress_bar=False)
    embedder.warm_up()
    documents = [Document(content="pizza"), Document(content="pasta")]
    embedded = embedder.run(documents=documents)["documents"]
    assert [d.content for d in embedded] == ["pizza", "pasta"]
    for document in embedded:
        assert_unit(document.embedding)
    assert embedded[0].embedding != embedded[1].embedding


@checks.add("Pipeline: embed documents, write, retrieve by an embedded query")
def retrieval_pipeline() -> None:
    store = InMemoryDocumentStore()
    indexing = Pipeline()
    indexing.add_component(
        "embedder", GradientDocumentEmbedder(model="bge-large", progress_bar=False)
    )
    indexing.add_component("writer", DocumentWriter(document_store=store))
    indexing.connect("embedder", "writer")
    indexing.run(
        {
            "embedder": {
                "documents": [
                    Document(content="The Dallas Cowboys won the Super Bowl in 1994."),
                    Document(content="Pasta is boiled in salted water."),
                    Document(content="The stock market fell on Monday."),
                ]
            }
        }
    )
    assert store.count_documents() == 3

    query = Pipeline()
    query.add_component("embedder", GradientTextEmbedder(model="bge-large"))
    query.add_component("retriever", InMemoryEmbeddingRetriever(document_store=store, top_k=1))
    query.connect("embedder.embedding", "retriever.query_embedding")
    result = query.run({"embedder": {"text": "Which team won the Super Bowl?"}})
    [best] = result["retriever"]["documents"]
    assert "Dallas Cowboys" in best.content, best.content


if __name__ == "__main__":
    raise SystemExit(checks.main())
