"""The embeddings area: which models there are, and vectors for texts."""

from __future__ import annotations

import anyio

from ...records import (
    Embedding,
    EmbeddingsModelInfo,
    GenerateEmbeddingsRequest,
    GenerateEmbeddingsResponse,
    ListEmbeddingsModelsResponse,
)
from ..engines.base import EmbeddingEngine
from ..errors import ApiError
from .workers import Workers

#: The slug clients ask for (the only one the service had, and the only one the official
#: clients accept in a listing); the emulator serves its own embeddings model under it.
COMPATIBLE_EMBEDDINGS_SLUG = "bge-large"


class EmbeddingsService:
    """Embeds texts with one engine, listed as ``bge-large``.

    The engine also answers to its own name (``minilm``, ``hashing``) when asked for it by
    slug, but that name is not listed: gradientai, LangChain and llama-index refuse a listing
    with any slug but ``bge-large``.
    """

    def __init__(self, engine: EmbeddingEngine, *, own_slug: str | None, workers: Workers) -> None:
        self.engine = engine
        self.slugs = tuple(dict.fromkeys([COMPATIBLE_EMBEDDINGS_SLUG, *filter(None, [own_slug])]))
        self._workers = workers
        # One batch at a time: the model already uses every core for one.
        self._lock = anyio.Lock()

    def list_models(self) -> ListEmbeddingsModelsResponse:
        """The listed slug."""
        return ListEmbeddingsModelsResponse(
            embeddings_models=(EmbeddingsModelInfo(slug=COMPATIBLE_EMBEDDINGS_SLUG),)
        )

    async def embed(self, texts: list[str]) -> list[list[float]]:
        """One unit vector per text, in order."""
        async with self._lock:
            return await self._workers.model(self.engine.embed, texts)

    async def generate(
        self, slug: str, request: GenerateEmbeddingsRequest
    ) -> GenerateEmbeddingsResponse:
        """One normalised vector per input, in input order."""
        if slug not in self.slugs:
            known = ", ".join(self.slugs)
            raise ApiError(404, f"no embeddings model with slug {slug!r}; available: {known}")
        vectors = await self.embed([item.input for item in request.inputs])
        return GenerateEmbeddingsResponse(
            embeddings=tuple(
                Embedding(embedding=tuple(vector), index=index)
                for index, vector in enumerate(vectors)
            )
        )
