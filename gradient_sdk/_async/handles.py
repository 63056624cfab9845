"""Handles: a record plus the resource that acts on it, so ``adapter.complete(...)`` works.

Handles hold no logic of their own; every method delegates to a resource.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from typing_extensions import Unpack

from .._exports import publish
from .._params import AdapterOptions, CompleteOptions, EmbeddingInputLike, SampleLike
from ..errors import IngestionFailedError
from ..records import (
    BaseModelCapability,
    BaseModelInfo,
    Chunker,
    CompleteResponse,
    EmbeddingsModelInfo,
    FineTuneResponse,
    GenerateEmbeddingsResponse,
    ModelAdapterInfo,
    RAGCollectionInfo,
    RAGCollectionSummary,
    RAGFileInfo,
)

if TYPE_CHECKING:
    from .embeddings import AsyncEmbeddings
    from .models import AsyncModels
    from .rag import AsyncRAGCollections


class _AsyncModel:
    """What base models and adapters share: an id, a workspace, and ``complete``."""

    __slots__ = ("_models",)

    def __init__(self, models: AsyncModels) -> None:
        self._models = models

    @property
    def id(self) -> str:
        """The model's id."""
        raise NotImplementedError

    @property
    def workspace_id(self) -> str:
        """The workspace the model belongs to."""
        return self._models.workspace_id

    async def complete(self, *, query: str, **options: Unpack[CompleteOptions]) -> CompleteResponse:
        """Complete ``query`` (not empty) with this model.

        The options (``max_generated_token_count``, ``temperature``, ``top_k``, ``top_p``,
        ``guidance``, ``rag_collection_id`` or ``rag``, ``auto_template``) are described in
        :class:`~gradient_sdk.CompleteOptions`.
        """
        return await self._models.complete(model_id=self.id, query=query, **options)

    # unasync: async-only-start
    acomplete = complete
    # unasync: async-only-end


class AsyncBaseModel(_AsyncModel):
    """A base model: complete with it, or create an adapter of it."""

    __slots__ = ("info",)

    def __init__(self, info: BaseModelInfo, models: AsyncModels) -> None:
        super().__init__(models)
        self.info = info

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, slug={self.slug!r})"

    @property
    def id(self) -> str:
        """The base model's id."""
        return self.info.id

    @property
    def slug(self) -> str:
        """The short name, such as ``"nous-hermes2"``."""
        return self.info.slug

    @property
    def name(self) -> str:
        """The display name."""
        return self.info.name

    @property
    def capabilities(self) -> tuple[BaseModelCapability, ...]:
        """What the model can do."""
        return self.info.capabilities

    async def create_model_adapter(
        self, *, name: str, **options: Unpack[AdapterOptions]
    ) -> AsyncModelAdapter:
        """Create a LoRA adapter of this base model, named ``name`` (not empty).

        ``rank`` (1 to 32) and ``learning_rate`` (in (0, 1)) are optional; see
        :class:`~gradient_sdk.AdapterOptions`.
        """
        return await self._models.create_model_adapter(base_model_id=self.id, name=name, **options)


class AsyncModelAdapter(_AsyncModel):
    """A model adapter: complete with it, fine-tune it, delete it."""

    __slots__ = ("info",)

    def __init__(self, info: ModelAdapterInfo, models: AsyncModels) -> None:
        super().__init__(models)
        self.info = info

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, name={self.name!r})"

    @property
    def id(self) -> str:
        """The adapter's id."""
        return self.info.id

    @property
    def name(self) -> str:
        """The adapter's name."""
        return self.info.name

    @property
    def base_model_id(self) -> str:
        """The id of the base model it adapts."""
        return self.info.base_model_id

    @property
    def latest_update_time(self) -> datetime | None:
        """When it was last fine-tuned, if the server said."""
        return self.info.latest_update_time

    async def fine_tune(self, *, samples: Iterable[SampleLike]) -> FineTuneResponse:
        """Train the adapter one step on ``samples``.

        Each sample is ``{"inputs": "text"}``, or ``{"inputs": [{"value": ..., "trainable":
        False}, ...]}`` to train on some pieces only, with an optional ``"multiplier"`` that
        weighs its loss. Returns the number of trainable tokens and the summed loss.
        """
        return await self._models.fine_tune(model_adapter_id=self.id, samples=samples)

    async def delete(self) -> None:
        """Delete the adapter."""
        await self._models.delete_model_adapter(model_adapter_id=self.id)


class AsyncEmbeddingsModel:
    """An embeddings model: turn texts into vectors."""

    __slots__ = ("_embeddings", "info")

    def __init__(self, info: EmbeddingsModelInfo, embeddings: AsyncEmbeddings) -> None:
        self.info = info
        self._embeddings = embeddings

    def __repr__(self) -> str:
        return f"{type(self).__name__}(slug={self.slug!r})"

    @property
    def slug(self) -> str:
        """The model's slug, such as ``"bge-large"``."""
        return self.info.slug

    @property
    def workspace_id(self) -> str:
        """The workspace the model is used in."""
        return self._embeddings.workspace_id

    async def embed(self, *, inputs: Iterable[EmbeddingInputLike]) -> GenerateEmbeddingsResponse:
        """Embed any number of texts; more than 256 are sent as concurrent requests.

        The result lists one embedding per input, in input order, with ``index`` counting
        across all of them.
        """
        return await self._embeddings.embed(slug=self.slug, inputs=inputs)

    async def generate_embeddings(
        self, *, inputs: Iterable[EmbeddingInputLike]
    ) -> GenerateEmbeddingsResponse:
        """Embed up to 256 texts in one request."""
        return await self._embeddings.generate_embeddings(slug=self.slug, inputs=inputs)

    # unasync: async-only-start
    aembed = embed
    # unasync: async-only-end


class AsyncRAGCollection:
    """A RAG collection: its files and their ingestion, and what to do with it.

    A handle from :meth:`~gradient_sdk.AsyncGradient.list_rag_collections` has no files
    (the listing leaves them out) until :meth:`refresh`.
    """

    __slots__ = ("_rag", "info")

    def __init__(
        self, info: RAGCollectionInfo | RAGCollectionSummary, rag: AsyncRAGCollections
    ) -> None:
        self.info = info
        self._rag = rag

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, name={self.name!r})"

    @property
    def id(self) -> str:
        """The collection's id."""
        return self.info.id

    @property
    def id_(self) -> str:
        """gradientai's name for :attr:`id`."""
        return self.info.id

    @property
    def name(self) -> str:
        """The collection's name."""
        return self.info.name

    @property
    def slug(self) -> str:
        """The embeddings model it retrieves with."""
        return self.info.slug

    @property
    def chunker(self) -> Chunker:
        """How its files are cut into chunks."""
        return self.info.chunker

    @property
    def files(self) -> tuple[RAGFileInfo, ...]:
        """Its files, each with its ``status`` (empty for a handle from a listing)."""
        return self.info.files if isinstance(self.info, RAGCollectionInfo) else ()

    async def refresh(self) -> AsyncRAGCollection:
        """Read the collection again (files and their status); returns this handle."""
        fresh = await self._rag.get_rag_collection(id_=self.id)
        self.info = fresh.info
        return self

    async def add_files(self, *, filepaths: Iterable[str | os.PathLike[str]]) -> None:
        """Upload files and add them, then read the files again (as gradientai does)."""
        await self._rag.add_files(collection_id=self.id, filepaths=filepaths)
        await self.refresh()

    async def wait_until_ready(self, *, timeout: float | None = 300.0) -> AsyncRAGCollection:
        """Wait until no file is pending or running, with growing pauses and at most
        ``timeout`` seconds; returns this handle with its files read again.

        Raises :class:`~gradient_sdk.IngestionFailedError` naming the files that failed, or
        :class:`~gradient_sdk.IngestionTimeoutError` naming those unfinished in time.
        """
        try:
            self.info = await self._rag.wait_until_ready(collection_id=self.id, timeout=timeout)
        except IngestionFailedError as error:
            self.info = error.collection  # every file has finished: keep what was read
            raise
        return self

    async def delete(self) -> None:
        """Delete the collection, its files and chunks."""
        await self._rag.delete_rag_collection(collection_id=self.id)


publish(__name__, globals())
