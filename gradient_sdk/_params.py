"""What callers pass in: option sets declared once, and gradientai-style dicts as records.

Each option set is one ``TypedDict`` that every method taking those options unpacks
(``**options: Unpack[CompleteOptions]``), so a new option is one edit here, and type checkers
still see every keyword with its type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, TypedDict

from typing_extensions import NotRequired

from .records import (
    CompleteRequest,
    CreateModelRequest,
    EmbeddingInput,
    Guidance,
    InitialHyperparameters,
    LoraHyperparameters,
    NewModelAdapter,
    RagOptions,
    Sample,
    StructuredInput,
    TrainingArguments,
)


class StructuredInputDict(TypedDict):
    """gradientai's ``StructuredInput``: a piece of a sample with training switches."""

    value: str
    trainable: NotRequired[bool]
    parse_special_tokens: NotRequired[bool]


class SampleDict(TypedDict):
    """gradientai's ``Sample``: text or structured pieces, and an optional loss multiplier."""

    inputs: str | Sequence[StructuredInput | StructuredInputDict]
    multiplier: NotRequired[float]


class GuidanceDict(TypedDict):
    """gradientai's ``Guidance``: the completion must be one of ``value``."""

    type: Literal["choice"]
    value: Sequence[str]


class EmbeddingInputDict(TypedDict):
    """gradientai's embeddings input: ``{"input": text}``."""

    input: str


class RAGDict(TypedDict):
    """gradientai's ``RAG``: complete with context from this collection."""

    collection_id: str


SampleLike = Sample | SampleDict
GuidanceLike = Guidance | GuidanceDict
EmbeddingInputLike = str | EmbeddingInput | EmbeddingInputDict
RAGLike = RagOptions | RAGDict


class CompleteOptions(TypedDict, total=False):
    """The options of ``complete``, on models, adapters and ``client.models``.

    Every one may be left out (or None) to let the server choose.
    """

    #: At most this many new tokens (1 to 511).
    max_generated_token_count: int | None
    #: Sampling temperature in [0, 1]; 0 picks the likeliest token.
    temperature: float | None
    #: Sample among the ``top_k`` likeliest tokens (at least 1).
    top_k: int | None
    #: Sample among the likeliest tokens whose probabilities add up to ``top_p``.
    top_p: float | None
    #: ``{"type": "choice", "value": [...]}``: answer with exactly one of the choices.
    guidance: GuidanceLike | None
    #: Retrieve context from this RAG collection first (needs ``auto_template``).
    rag_collection_id: str | None
    #: gradientai's other spelling of ``rag_collection_id``: ``{"collection_id": ...}``.
    rag: RAGLike | None
    #: Wrap the query in the model's recommended prompt template.
    auto_template: bool | None


class AdapterOptions(TypedDict, total=False):
    """The hyperparameters of a new adapter; None lets the server choose."""

    #: LoRA rank, 1 to 32.
    rank: int | None
    #: The learning rate, in (0, 1).
    learning_rate: float | None


COMPLETE_OPTIONS = frozenset(CompleteOptions.__annotations__)
ADAPTER_OPTIONS = frozenset(AdapterOptions.__annotations__)


def _keys(value: Mapping[str, Any], *, allowed: set[str], required: set[str], what: str) -> None:
    unknown = set(value) - allowed
    if unknown:
        raise TypeError(
            f"unexpected key(s) in {what}: {sorted(unknown)}; allowed: {sorted(allowed)}"
        )
    missing = required - set(value)
    if missing:
        raise TypeError(f"{what} is missing {sorted(missing)}")


def _options(options: Mapping[str, Any], allowed: frozenset[str], what: str) -> None:
    # Unpack[...] types the keywords for type checkers; at run time **options takes anything.
    unknown = set(options) - allowed
    if unknown:
        raise TypeError(
            f"unexpected keyword argument(s) of {what}: {sorted(unknown)}; allowed: "
            f"{sorted(allowed)}"
        )


def complete_request(query: str, options: CompleteOptions) -> CompleteRequest:
    """The body of a completion, checked before anything is sent."""
    _options(options, COMPLETE_OPTIONS, "complete")
    return CompleteRequest(
        query=query,
        auto_template=options.get("auto_template"),
        guidance=to_guidance(options.get("guidance")),
        max_generated_token_count=options.get("max_generated_token_count"),
        rag=to_rag(options.get("rag_collection_id"), options.get("rag")),
        temperature=options.get("temperature"),
        top_k=options.get("top_k"),
        top_p=options.get("top_p"),
    )


def create_model_request(
    base_model_id: str, name: str, options: AdapterOptions
) -> CreateModelRequest:
    """The body that creates an adapter; unset hyperparameters are sent as null."""
    _options(options, ADAPTER_OPTIONS, "create_model_adapter")
    return CreateModelRequest(
        model=NewModelAdapter(base_model_id=base_model_id, name=name),
        initial_hyperparameters=InitialHyperparameters(
            lora_hyperparameters=LoraHyperparameters(rank=options.get("rank")),
            training_arguments=TrainingArguments(learning_rate=options.get("learning_rate")),
        ),
    )


def to_rag(collection_id: str | None, rag: RAGLike | None) -> RagOptions | None:
    """The RAG options from ``rag_collection_id=`` or gradientai's ``rag=`` (not both)."""
    if rag is None:
        return None if collection_id is None else RagOptions(collection_id=collection_id)
    if collection_id is not None:
        raise TypeError("give rag_collection_id or rag, not both")
    if isinstance(rag, RagOptions):
        return rag
    if not isinstance(rag, Mapping):
        raise TypeError(f"rag must be a dict or RagOptions, got {type(rag).__name__}")
    # gradientai's TypedDict says collection_id; its wire says collectionId: take either.
    given: dict[str, object] = dict(rag)
    if set(given) not in ({"collection_id"}, {"collectionId"}):
        raise TypeError(f"rag takes one key, collection_id; got {sorted(given)}")
    (value,) = given.values()
    if not isinstance(value, str):
        raise TypeError(f"rag's collection_id must be a string, got {value!r}")
    return RagOptions(collection_id=value)


def to_structured_input(value: StructuredInput | StructuredInputDict) -> StructuredInput:
    """A record from a record or a dict."""
    if isinstance(value, StructuredInput):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"a structured input must be a dict or StructuredInput, got {value!r}")
    allowed = {"value", "trainable", "parse_special_tokens"}
    _keys(value, allowed=allowed, required={"value"}, what="a structured input")
    return StructuredInput(**value)


def to_sample(value: SampleLike) -> Sample:
    """A record from a record or a gradientai-style dict."""
    if isinstance(value, Sample):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"a sample must be a dict or Sample, got {type(value).__name__}")
    _keys(value, allowed={"inputs", "multiplier"}, required={"inputs"}, what="a sample")
    inputs = value["inputs"]
    if not isinstance(inputs, str):
        if not isinstance(inputs, Iterable):
            raise TypeError(f"sample inputs must be a string or a list, got {inputs!r}")
        inputs = tuple(to_structured_input(piece) for piece in inputs)
    return Sample(inputs=inputs, multiplier=value.get("multiplier"))


def to_samples(samples: Iterable[SampleLike]) -> tuple[Sample, ...]:
    """Records for every sample; raises before any request if one is malformed."""
    if isinstance(samples, str | Mapping):
        raise TypeError("samples must be a list of samples")
    converted = tuple(to_sample(sample) for sample in samples)
    if not converted:
        raise ValueError("samples must not be empty")
    return converted


def to_guidance(value: GuidanceLike | None) -> Guidance | None:
    """A record from a record, a gradientai-style dict, or None."""
    if value is None or isinstance(value, Guidance):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"guidance must be a dict or Guidance, got {type(value).__name__}")
    _keys(value, allowed={"type", "value"}, required={"value"}, what="guidance")
    if value.get("type", "choice") != "choice":
        raise ValueError(f"the only guidance type is 'choice', got {value['type']!r}")
    return Guidance(value=value["value"])


def to_embedding_inputs(inputs: Iterable[EmbeddingInputLike]) -> list[EmbeddingInput]:
    """Records for texts given as strings, records or ``{"input": ...}`` dicts."""
    if isinstance(inputs, str | Mapping):
        raise TypeError("inputs must be a list of texts")
    converted: list[EmbeddingInput] = []
    for item in inputs:
        if isinstance(item, EmbeddingInput):
            converted.append(item)
        elif isinstance(item, str):
            converted.append(EmbeddingInput(input=item))
        elif isinstance(item, Mapping):
            _keys(item, allowed={"input"}, required={"input"}, what="an embeddings input")
            converted.append(EmbeddingInput(input=item["input"]))
        else:
            raise TypeError(f"an embeddings input must be a str or {{'input': str}}, got {item!r}")
    if not converted:
        raise ValueError("inputs must not be empty")
    return converted
