"""``GradientEmbeddings``: a drop-in for langchain-community's class, on top of the SDK."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings
from pydantic import ConfigDict

from ..records import GenerateEmbeddingsResponse
from ._connection import GradientConnection


def _vectors(response: GenerateEmbeddingsResponse) -> list[list[float]]:
    ordered = sorted(response.embeddings, key=lambda item: item.index)
    return [[float(value) for value in item.embedding] for item in ordered]


class GradientEmbeddings(GradientConnection, Embeddings):
    """A Gradient embeddings model (such as ``bge-large``) as LangChain ``Embeddings``.

    A drop-in replacement for ``langchain_community.embeddings.GradientEmbeddings``: the same
    fields and environment variables, but no request at construction. Texts go through the
    SDK's ``embed``, which sends 256 a request, several requests at once::

        from gradient_sdk.langchain import GradientEmbeddings

        embeddings = GradientEmbeddings(
            model="bge-large",
            query_prompt_for_retrieval="Represent this sentence for searching relevant passages:",
        )
        vectors = embeddings.embed_documents(["pizza", "a document"])

    Vectors come back in input order, as lists of Python floats.
    """

    model_config = ConfigDict(
        extra="forbid", arbitrary_types_allowed=True, hide_input_in_errors=True
    )

    model: str
    """The embeddings model's slug, such as ``"bge-large"``."""

    query_prompt_for_retrieval: str | None = None
    """Put before every query (and a space), never before documents; None adds nothing."""

    def _query_text(self, text: str) -> str:
        if self.query_prompt_for_retrieval:
            return f"{self.query_prompt_for_retrieval} {text}"
        return text

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order."""
        if not texts:
            return []
        client = self._sync_client()
        return _vectors(client.embeddings.embed(slug=self.model, inputs=texts))

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order, without blocking the event loop."""
        if not texts:
            return []
        client = await self._async_client()
        return _vectors(await client.embeddings.embed(slug=self.model, inputs=texts))

    def embed_query(self, text: str) -> list[float]:
        """The vector of a query, after ``query_prompt_for_retrieval``."""
        return self.embed_documents([self._query_text(text)])[0]

    async def aembed_query(self, text: str) -> list[float]:
        """The async twin of :meth:`embed_query`."""
        return (await self.aembed_documents([self._query_text(text)]))[0]
