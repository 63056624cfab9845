"""What callers pass in: option sets declared once, and gradientai-style dicts as records.

Each option set is one ``TypedDict`` that every method taking those options unpacks
(``**options: Unpack[CompleteOptions]``), so a new option is one edit here, and type checkers
still see every keyword with its type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, TypedDict, TypeVar

from typing_extensions import NotRequired

from ._exports import publish
from .records import (
    AnswerSource,
    CompleteRequest,
    CreateModelRequest,
    DocumentSource,
    EmbeddingInput,
    ExtractSchemaValue,
    ExtractSchemaValueType,
    Guidance,
    InitialHyperparameters,
    LoraHyperparameters,
    NewModelAdapter,
    RagOptions,
    RAGSource,
    Sample,
    Sentiment,
    SentimentExample,
    StructuredInput,
    SummarizeExample,
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


class SummarizeExampleDict(TypedDict):
    """gradientai's ``SummarizeParamsExample``: a document and the summary wanted of it."""

    document: str
    summary: str


class SentimentExampleDict(TypedDict):
    """gradientai's ``AnalyzeSentimentParamsExample``: a document and its sentiment."""

    document: str
    sentiment: Sentiment | Literal["negative", "neutral", "positive"]


class ExtractSchemaValueDict(TypedDict):
    """gradientai's ``ExtractParamsSchemaValue``: a value's type, and whether it must be
    found."""

    type: ExtractSchemaValueType | Literal["string", "number", "boolean"]
    required: NotRequired[bool | None]


class DocumentSourceDict(TypedDict):
    """gradientai's document source: answer from ``value``."""

    type: Literal["document"]
    value: str


class RAGSourceDict(TypedDict, total=False):
    """gradientai's RAG source: answer from what the collection retrieves. Its TypedDict
    says ``collection_id`` and its wire ``collectionId``; either key is taken."""

    type: Literal["rag"]
    collection_id: str
    collectionId: str


#: gradientai's name for a source given as a dict (a document or a RAG collection).
AnswerParamsSource = DocumentSourceDict | RAGSourceDict

SampleLike = Sample | SampleDict
SummarizeExampleLike = SummarizeExample | SummarizeExampleDict
SentimentExampleLike = SentimentExample | SentimentExampleDict
ExtractSchemaValueLike = ExtractSchemaValue | ExtractSchemaValueDict
GuidanceLike = Guidance | GuidanceDict
EmbeddingInputLike = str | EmbeddingInput | EmbeddingInputDict
RAGLike = RagOptions | RAGDict
AnswerSourceLike = AnswerSource | DocumentSourceDict | RAGSourceDict


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


def to_answer_source(source: AnswerSourceLike) -> AnswerSource:
    """A record from a record or a gradientai-style ``{"type": ..., ...}`` dict."""
    if isinstance(source, DocumentSource | RAGSource):
        return source
    if not isinstance(source, Mapping):
        raise TypeError(
            f"source must be a dict, DocumentSource or RAGSource, got {type(source).__name__}"
        )
    given: dict[str, object] = dict(source)
    kind = given.get("type")
    if kind == "document":
        _keys(
            given, allowed={"type", "value"}, required={"type", "value"}, what="a document source"
        )
        value = given["value"]
        if not isinstance(value, str):
            raise TypeError(f"a document source's value must be a string, got {value!r}")
        return DocumentSource(value=value)
    if kind == "rag":
        # gradientai 1.13.1 fails on its own documented key; both spellings work here.
        ids = {key for key in given if key in {"collection_id", "collectionId"}}
        if len(ids) != 1 or set(given) - ids != {"type"}:
            raise TypeError(f"a RAG source takes type and one collection_id; got {sorted(given)}")
        collection_id = given[ids.pop()]
        if not isinstance(collection_id, str):
            raise TypeError(f"a RAG source's collection_id must be a string, got {collection_id!r}")
        return RAGSource(collection_id=collection_id)
    raise ValueError(f"source type must be 'document' or 'rag', got {kind!r}")


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


R = TypeVar("R")


def _record_of(
    value: object, record_type: type[R], *, allowed: set[str], required: set[str], what: str
) -> R:
    """``value`` if it is a ``record_type`` already, else the record a dict of its fields
    makes (unknown or missing keys are a ``TypeError``)."""
    if isinstance(value, record_type):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be a dict or {record_type.__name__}, got {value!r}")
    fields: Mapping[str, Any] = value  # pyright: ignore[reportUnknownVariableType]
    _keys(fields, allowed=allowed, required=required, what=what)
    return record_type(**fields)


def _examples(examples: object, record_type: type[R], keys: set[str]) -> tuple[R, ...] | None:
    if examples is None:
        return None
    if isinstance(examples, str | Mapping) or not isinstance(examples, Iterable):
        raise TypeError(f"examples must be a list of {sorted(keys)} examples")
    items: Iterable[object] = examples  # pyright: ignore[reportUnknownVariableType]
    what = f"a {record_type.__name__}"
    return tuple(
        _record_of(item, record_type, allowed=keys, required=keys, what=what) for item in items
    )


def to_summarize_examples(
    examples: Iterable[SummarizeExampleLike] | None,
) -> tuple[SummarizeExample, ...] | None:
    """Records for few-shot summaries given as records or gradientai-style dicts."""
    return _examples(examples, SummarizeExample, {"document", "summary"})


def to_sentiment_examples(
    examples: Iterable[SentimentExampleLike] | None,
) -> tuple[SentimentExample, ...] | None:
    """Records for few-shot sentiments given as records or gradientai-style dicts."""
    return _examples(examples, SentimentExample, {"document", "sentiment"})


def to_extract_schema(
    schema: Mapping[str, ExtractSchemaValueLike],
) -> dict[str, ExtractSchemaValue]:
    """Records for an ``extract`` schema whose values are records or gradientai-style dicts."""
    if not isinstance(schema, Mapping):
        raise TypeError(f"schema_ must be a dict of key -> {{'type', 'required'}}, got {schema!r}")
    return {
        key: _record_of(
            value,
            ExtractSchemaValue,
            allowed={"type", "required"},
            required={"type"},
            what=f"schema_[{key!r}]",
        )
        for key, value in schema.items()
    }


publish(__name__, globals())
