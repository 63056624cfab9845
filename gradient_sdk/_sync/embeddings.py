# Generated from gradient_sdk/_async/embeddings.py by scripts/unasync.py: do not edit.
"""The embeddings area: list embeddings models and embed texts."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from .. import _endpoints as api
from .._lookup import find_by_slug
from .._params import EmbeddingInputLike, to_embedding_inputs
from ..errors import APIResponseValidationError
from ..records import (
    MAX_EMBEDDING_INPUTS,
    Embedding,
    GenerateEmbeddingsRequest,
    GenerateEmbeddingsResponse,
)
from . import _backend
from ._transport import Transport
from .handles import EmbeddingsModel

#: How many embeddings requests ``embed`` runs at once.
EMBED_CONCURRENCY = 8


class Embeddings:
    """Everything under ``/embeddings``. Reached as ``client.embeddings``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    @property
    def workspace_id(self) -> str:
        """The workspace every request acts in."""
        return self._transport.config.workspace_id

    def list_embeddings_models(self) -> list[EmbeddingsModel]:
        """The embeddings models the workspace can use."""
        listing = self._transport.request(api.LIST_EMBEDDINGS)
        return [EmbeddingsModel(info, self) for info in listing.embeddings_models]

    def get_embeddings_model(self, *, slug: str) -> EmbeddingsModel:
        """The embeddings model with this slug; :class:`NotFoundError` if there is none."""
        models = self.list_embeddings_models()
        return find_by_slug(models, slug, what="embeddings model")

    def generate_embeddings(
        self, *, slug: str, inputs: Iterable[EmbeddingInputLike]
    ) -> GenerateEmbeddingsResponse:
        """Embed up to 256 texts in one request."""
        request = GenerateEmbeddingsRequest(inputs=to_embedding_inputs(inputs))
        return self._send(slug, request)

    def embed(
        self, *, slug: str, inputs: Iterable[EmbeddingInputLike]
    ) -> GenerateEmbeddingsResponse:
        """Embed any number of texts, 256 a request, requests running concurrently.

        Embeddings come back in input order, their ``index`` counting across all inputs.
        """
        texts = to_embedding_inputs(inputs)
        batches = [
            GenerateEmbeddingsRequest(inputs=texts[start : start + MAX_EMBEDDING_INPUTS])
            for start in range(0, len(texts), MAX_EMBEDDING_INPUTS)
        ]

        answers = _backend.gather_in_order(
            [partial(self._send, slug, batch) for batch in batches], limit=EMBED_CONCURRENCY
        )
        merged = [
            Embedding(embedding=item.embedding, index=offset + item.index)
            for offset, answer in zip(
                range(0, len(texts), MAX_EMBEDDING_INPUTS), answers, strict=True
            )
            for item in answer.embeddings
        ]
        merged.sort(key=lambda item: item.index)
        return GenerateEmbeddingsResponse(embeddings=tuple(merged))

    def _send(self, slug: str, request: GenerateEmbeddingsRequest) -> GenerateEmbeddingsResponse:
        answer = self._transport.request(api.GENERATE_EMBEDDING, path={"slug": slug}, body=request)
        # Results are matched to inputs by index: a gap or a repeat would shift them silently.
        indexes = sorted(item.index for item in answer.embeddings)
        if indexes != list(range(len(request.inputs))):
            raise APIResponseValidationError(
                f"expected one embedding per input (indexes 0 to {len(request.inputs) - 1}), "
                f"got indexes {indexes[:10]}{'...' if len(indexes) > 10 else ''}",
                status_code=200,
                body=None,
            )
        return answer
