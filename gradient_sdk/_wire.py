"""The one converter that knows the wire format.

Records use snake_case; the API uses camelCase. Responses may carry fields this SDK does not
know yet: they are ignored. Types are checked strictly (a ``"1"`` is not an int, a string is
not a list), and a missing or mistyped field becomes :class:`WireFormatError` naming the
field's path in wire names.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime, timezone
from typing import Any, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .records import (
    BaseModelCapability,
    BaseModelInfo,
    CapabilityFilter,
    ModelAdapterInfo,
    ModelInfo,
    Sample,
)
from .records.models import StructuredInput

__all__ = ["WireFormatError", "camel_case", "converter", "from_wire", "to_wire"]

T = TypeVar("T")


class WireFormatError(ValueError):
    """A JSON document does not match the record it should hold."""


def camel_case(name: str) -> str:
    """``max_generated_token_count`` -> ``maxGeneratedTokenCount``."""
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


@attrs.frozen
class _WireFineTuningParameters:
    multiplier: float | None = None


@attrs.frozen
class _WireSample:
    """A sample as it travels: the multiplier nests in ``fineTuningParameters``."""

    inputs: str | tuple[StructuredInput, ...]
    fine_tuning_parameters: _WireFineTuningParameters | None = None


def _is_homogeneous_tuple(cls: Any) -> bool:
    arguments = get_args(cls)
    return get_origin(cls) is tuple and len(arguments) == 2 and arguments[1] is Ellipsis


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter()

    def structure_attrs(cls: type[Any]) -> Any:
        renames: dict[str, Any] = {
            a.name: override(rename=camel_case(a.name)) for a in attrs.fields(cls)
        }
        from_dict = make_dict_structure_fn(cls, conv, **renames)

        def structure(value: Any, target: type[Any]) -> Any:
            if not isinstance(value, dict):
                raise TypeError(f"expected an object, got {type(value).__name__}")
            return from_dict(value, target)

        return structure

    def unstructure_attrs(cls: type[Any]) -> Any:
        renames: dict[str, Any] = {
            a.name: override(rename=camel_case(a.name)) for a in attrs.fields(cls)
        }
        return make_dict_unstructure_fn(cls, conv, **renames)

    conv.register_structure_hook_factory(attrs.has, structure_attrs)
    conv.register_unstructure_hook_factory(attrs.has, unstructure_attrs)

    # JSON has one number type and Python's bool is an int: check primitives strictly.
    def strict(expected: type[Any] | tuple[type[Any], ...], label: str) -> Any:
        allowed = expected if isinstance(expected, tuple) else (expected,)

        def hook(value: Any, _: type[Any]) -> Any:
            if isinstance(value, bool) and bool not in allowed:
                raise TypeError(f"expected {label}, got a boolean")
            if not isinstance(value, expected):
                raise TypeError(f"expected {label}, got {type(value).__name__}")
            return value

        return hook

    conv.register_structure_hook(str, strict(str, "a string"))
    conv.register_structure_hook(bool, strict(bool, "a boolean"))
    conv.register_structure_hook(int, strict(int, "an integer"))
    float_check = strict((int, float), "a number")
    conv.register_structure_hook(float, lambda value, cls: float(float_check(value, cls)))

    # cattrs would read a string or an object as a sequence; the API sends lists only.
    def structure_tuple(value: Any, cls: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        item_type = get_args(cls)[0]
        items: list[Any] = []
        errors: list[Exception] = []
        for index, item in enumerate(value):
            try:
                items.append(conv.structure(item, item_type))
            except Exception as error:
                note = IterableValidationNote(
                    f"Structuring {cls} @ index {index}", index, item_type
                )
                # cattrs reads the item's position from this note to build the path.
                error.__notes__ = [*getattr(error, "__notes__", []), note]  # type: ignore[attr-defined]
                errors.append(error)
        if errors:
            raise IterableValidationError(f"While structuring {cls!r}", errors, cls)
        return tuple(items)

    conv.register_structure_hook_func(_is_homogeneous_tuple, structure_tuple)

    # Embedding vectors are long: check them in one pass instead of a hook call per number.
    def structure_vector(value: Any, _: Any) -> tuple[float, ...]:
        if not isinstance(value, list):
            raise TypeError(f"expected a list of numbers, got {type(value).__name__}")
        if not all(type(number) in (float, int) for number in value):
            raise TypeError("expected a list of numbers")
        return tuple(map(float, value))

    conv.register_structure_hook_func(lambda cls: cls == tuple[float, ...], structure_vector)

    # Our enums subclass str; without their own hook the str hook above would claim them.
    def structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
        return cls(strict(str, "a string")(value, cls))

    for enum_type in (BaseModelCapability, CapabilityFilter):
        conv.register_structure_hook(enum_type, structure_enum)

    def structure_datetime(value: Any, _: type[datetime]) -> datetime:
        if not isinstance(value, str):
            raise TypeError(f"expected an ISO-8601 datetime string, got {type(value).__name__}")
        # Python 3.10 does not read a trailing "Z".
        return datetime.fromisoformat(re.sub(r"Z$", "+00:00", value))

    def unstructure_datetime(value: datetime) -> str:
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        text = value.isoformat()
        return text[: -len("+00:00")] + "Z" if text.endswith("+00:00") else text

    conv.register_structure_hook(datetime, structure_datetime)
    conv.register_unstructure_hook(datetime, unstructure_datetime)

    models_by_type: dict[str, type[BaseModelInfo] | type[ModelAdapterInfo]] = {
        "baseModel": BaseModelInfo,
        "modelAdapter": ModelAdapterInfo,
    }

    def structure_model(value: Any, _: Any) -> ModelInfo:
        kind = value.get("type") if isinstance(value, dict) else None
        if kind not in models_by_type:
            raise ValueError(
                f"unknown model type {kind!r}: expected one of {sorted(models_by_type)}"
            )
        return conv.structure(value, models_by_type[kind])

    conv.register_structure_hook(ModelInfo, structure_model)

    def structure_inputs(value: Any, _: Any) -> str | tuple[StructuredInput, ...]:
        if isinstance(value, list):
            return conv.structure(value, tuple[StructuredInput, ...])
        return conv.structure(value, str)

    conv.register_structure_hook(str | tuple[StructuredInput, ...], structure_inputs)

    def structure_sample(value: Any, _: type[Sample]) -> Sample:
        wire = conv.structure(value, _WireSample)
        parameters = wire.fine_tuning_parameters or _WireFineTuningParameters()
        return Sample(inputs=wire.inputs, multiplier=parameters.multiplier)

    def unstructure_sample(sample: Sample) -> Any:
        parameters = _WireFineTuningParameters(multiplier=sample.multiplier)
        return conv.unstructure(_WireSample(sample.inputs, parameters))

    conv.register_structure_hook(Sample, structure_sample)
    conv.register_unstructure_hook(Sample, unstructure_sample)
    return conv


converter = _make_converter()


def to_wire(record: Any) -> Any:
    """A record as JSON-ready data with the API's field names."""
    return converter.unstructure(record)


def from_wire(data: Any, record_type: type[T]) -> T:
    """Read JSON data into ``record_type``; raise :class:`WireFormatError` when it does not fit."""
    try:
        return converter.structure(data, record_type)
    except Exception as error:  # cattrs reports through several exception types
        raise WireFormatError(_describe(error, record_type)) from error


def _describe(error: Exception, record_type: Any) -> str:
    name = getattr(record_type, "__name__", str(record_type))
    if isinstance(error, cattrs.BaseValidationError):
        problems = cattrs.transform_error(error, path=name, format_exception=_format_problem)
        return "; ".join(_wire_path(problem) for problem in problems)
    return f"invalid {name}: {error}"


def _wire_path(problem: str) -> str:
    """Name the fields in a problem's path as they appear on the wire."""
    message, separator, path = problem.rpartition(" @ ")
    if not separator:
        return problem
    root, *fields = path.split(".")
    return f"{message} @ " + ".".join([root, *(camel_case(field) for field in fields)])


def _format_problem(error: BaseException, _: type[Any] | None) -> str:
    if isinstance(error, KeyError):
        return "required field missing"
    return str(error) or type(error).__name__
