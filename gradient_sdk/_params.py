"""The shapes callers may pass in (records or gradientai-style dicts), turned into records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, TypedDict

from typing_extensions import NotRequired

from .records import EmbeddingInput, Guidance, Sample, StructuredInput


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


SampleLike = Sample | SampleDict
GuidanceLike = Guidance | GuidanceDict
EmbeddingInputLike = str | EmbeddingInput | EmbeddingInputDict


def _keys(value: Mapping[str, Any], *, allowed: set[str], required: set[str], what: str) -> None:
    unknown = set(value) - allowed
    if unknown:
        raise TypeError(
            f"unexpected key(s) in {what}: {sorted(unknown)}; allowed: {sorted(allowed)}"
        )
    missing = required - set(value)
    if missing:
        raise TypeError(f"{what} is missing {sorted(missing)}")


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
