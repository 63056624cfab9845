"""Records of the embeddings area."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from ._validators import enforces, text

#: The API's limit of inputs in one embeddings request.
MAX_EMBEDDING_INPUTS = 256


@attrs.frozen
class EmbeddingsModelInfo:
    """An embeddings model as the API lists it."""

    slug: str


@attrs.frozen
class ListEmbeddingsModelsResponse:
    """Body of ``GET /embeddings``."""

    embeddings_models: tuple[EmbeddingsModelInfo, ...]


@attrs.frozen
class EmbeddingInput:
    """One text to embed."""

    input: str = attrs.field(validator=text)


def _inputs(values: Iterable[EmbeddingInput]) -> tuple[EmbeddingInput, ...]:
    return tuple(values)


@enforces({"minItems": 1, "maxItems": MAX_EMBEDDING_INPUTS})
def _one_request_worth(
    instance: object, attribute: attrs.Attribute[Any], value: tuple[EmbeddingInput, ...]
) -> None:
    if not 1 <= len(value) <= MAX_EMBEDDING_INPUTS:
        raise ValueError(f"one request takes 1 to {MAX_EMBEDDING_INPUTS} inputs, got {len(value)}")


@attrs.frozen
class GenerateEmbeddingsRequest:
    """Body of ``POST /embeddings/{slug}``."""

    inputs: tuple[EmbeddingInput, ...] = attrs.field(
        converter=_inputs, validator=_one_request_worth
    )


@attrs.frozen
class Embedding:
    """One vector, with the position of its input in the request."""

    embedding: tuple[float, ...]
    index: int


@attrs.frozen
class GenerateEmbeddingsResponse:
    """Body of a successful ``POST /embeddings/{slug}``; also what ``embed`` returns."""

    embeddings: tuple[Embedding, ...]
