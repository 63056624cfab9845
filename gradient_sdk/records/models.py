"""Records of the models area: base models, adapters, completions and fine-tuning.

Records are plain frozen data. Their wire names (camelCase) live in :mod:`gradient_sdk._wire`;
request records validate their values on construction, so bad input fails before any request.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Literal

import attrs

from ._validators import (
    enforces,
    enum_member,
    in_range,
    non_empty,
    optional_bool,
    optional_int_in_range,
    text,
)

#: The API's bound on ``maxGeneratedTokenCount``: greater than 0 and less than 512.
MAX_GENERATED_TOKEN_COUNT = 511
#: The API's bound on a LoRA rank: 0 < rank <= 32.
MAX_LORA_RANK = 32


class BaseModelCapability(str, enum.Enum):
    """What a base model can do."""

    COMPLETE = "complete"
    FINE_TUNE = "fineTune"


class CapabilityFilter(str, enum.Enum):
    """The ``capability`` filter of ``list_models``."""

    ANY = "any"
    COMPLETE = "complete"
    FINE_TUNE = "fineTune"


#: A capability filter as a member or as its wire string; None (as gradientai 1.13.1 took
#: it) means any.
CapabilityLike = CapabilityFilter | Literal["any", "complete", "fineTune"] | None


def to_capability_filter(value: CapabilityLike) -> CapabilityFilter:
    """``CapabilityFilter(value)``, None meaning any, with an error that names the values
    allowed."""
    return CapabilityFilter.ANY if value is None else enum_member(CapabilityFilter, value)


@attrs.frozen
class BaseModelInfo:
    """A base model as the API lists it."""

    id: str
    slug: str
    name: str
    capabilities: tuple[BaseModelCapability, ...] = ()
    type: Literal["baseModel"] = "baseModel"


@attrs.frozen
class ModelAdapterInfo:
    """A model adapter (a LoRA fine-tune of a base model) as the API describes it."""

    id: str
    name: str
    base_model_id: str
    latest_update_time: datetime | None = None
    type: Literal["modelAdapter"] = "modelAdapter"


ModelInfo = BaseModelInfo | ModelAdapterInfo


@attrs.frozen
class ListModelsResponse:
    """Body of ``GET /models``."""

    models: tuple[ModelInfo, ...]


@attrs.frozen
class LoraHyperparameters:
    """LoRA settings of a new adapter; None lets the server choose."""

    rank: int | None = attrs.field(default=None, validator=optional_int_in_range(1, MAX_LORA_RANK))


@attrs.frozen
class TrainingArguments:
    """Optimiser settings of a new adapter; None lets the server choose."""

    learning_rate: float | None = attrs.field(
        default=None, validator=in_range(0, 1, low_inclusive=False, high_inclusive=False)
    )


@attrs.frozen
class InitialHyperparameters:
    """The hyperparameters an adapter starts with."""

    lora_hyperparameters: LoraHyperparameters | None = attrs.Factory(LoraHyperparameters)
    training_arguments: TrainingArguments | None = attrs.Factory(TrainingArguments)


@attrs.frozen
class NewModelAdapter:
    """The ``model`` part of a create-adapter request."""

    base_model_id: str = attrs.field(validator=text)
    name: str = attrs.field(validator=text)


@attrs.frozen
class CreateModelRequest:
    """Body of ``POST /models``."""

    model: NewModelAdapter
    initial_hyperparameters: InitialHyperparameters | None = attrs.Factory(InitialHyperparameters)


@attrs.frozen
class CreateModelResponse:
    """Body of a successful ``POST /models``."""

    id: str


def _choices(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise TypeError("guidance choices must be a list of strings, not one string")
    return tuple(values)


@enforces(
    {
        "minItems": 1,
        "maxItems": 10,
        "items": {"type": "string", "minLength": 1, "maxLength": 32},
    }
)
def _check_choices(
    instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]
) -> None:
    if not 1 <= len(value) <= 10:
        raise ValueError(f"guidance needs 1 to 10 choices, got {len(value)}")
    for choice in value:
        if not isinstance(choice, str) or not 1 <= len(choice) <= 32:
            raise ValueError(f"each guidance choice must be 1 to 32 characters: {choice!r}")


@attrs.frozen
class Guidance:
    """Constrains a completion to one of a few choices (1 to 10, each 1 to 32 characters)."""

    value: tuple[str, ...] = attrs.field(converter=_choices, validator=_check_choices)
    type: Literal["choice"] = "choice"


@attrs.frozen
class RagOptions:
    """Retrieve context from a RAG collection before completing."""

    collection_id: str = attrs.field(validator=text)


@attrs.frozen
class CompleteRequest:
    """Body of ``POST /models/{id}/complete``. Field order follows the official client."""

    query: str = attrs.field(validator=text)
    auto_template: bool | None = attrs.field(default=None, validator=optional_bool)
    guidance: Guidance | None = None
    max_generated_token_count: int | None = attrs.field(
        default=None, validator=optional_int_in_range(1, MAX_GENERATED_TOKEN_COUNT)
    )
    rag: RagOptions | None = None
    temperature: float | None = attrs.field(default=None, validator=in_range(0, 1))
    top_k: int | None = attrs.field(default=None, validator=optional_int_in_range(1, 2**31 - 1))
    top_p: float | None = attrs.field(default=None, validator=in_range(0, 1))


@attrs.frozen
class CompleteResponse:
    """What a completion returns."""

    finish_reason: str
    generated_output: str


@attrs.frozen
class StructuredInput:
    """One piece of a fine-tuning sample, with per-piece training switches."""

    value: str = attrs.field(validator=text)
    trainable: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))
    parse_special_tokens: bool = attrs.field(
        default=True, validator=attrs.validators.instance_of(bool)
    )


def _freeze_inputs(value: str | Sequence[StructuredInput]) -> str | tuple[StructuredInput, ...]:
    return value if isinstance(value, str) else tuple(value)


def _check_inputs(
    instance: object, attribute: attrs.Attribute[Any], value: str | tuple[StructuredInput, ...]
) -> None:
    if isinstance(value, str):
        non_empty(instance, attribute, value)
        return
    if not isinstance(value, tuple) or not value:
        raise ValueError(
            "inputs must be a non-empty string or a non-empty list of structured inputs"
        )
    for item in value:
        if not isinstance(item, StructuredInput):
            raise TypeError(f"structured inputs must be StructuredInput, got {type(item).__name__}")


@attrs.frozen
class Sample:
    """One fine-tuning sample: text (or structured pieces) and an optional loss multiplier."""

    inputs: str | tuple[StructuredInput, ...] = attrs.field(
        converter=_freeze_inputs, validator=_check_inputs
    )
    multiplier: float | None = attrs.field(
        default=None, validator=in_range(0, math.inf, low_inclusive=False)
    )


def _samples(values: Iterable[Sample]) -> tuple[Sample, ...]:
    return tuple(values)


@attrs.frozen
class FineTuneRequest:
    """Body of ``POST /models/{id}/fine-tune``."""

    samples: tuple[Sample, ...] = attrs.field(converter=_samples, validator=non_empty)


@attrs.frozen
class FineTuneResponse:
    """What one fine-tuning call returns."""

    number_of_trainable_tokens: int
    sum_loss: float
