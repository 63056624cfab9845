"""The one converter that knows the wire format.

Records use snake_case; the API uses camelCase (:func:`wire_name`, with the few names the API
spells its own way in :data:`RENAMED_FIELDS`). Responses may carry fields this SDK does not
know yet: they are ignored. Types are checked strictly (a ``"1"`` is not an int, a string is
not a list), and a missing or mistyped field becomes :class:`WireFormatError` naming the
field's path in wire names.

Policy lives in small tables that the OpenAPI builder reads too: the tagged unions
(:data:`TAGGED_UNIONS`) and the renamed fields. Every enum is checked by type, so a new
enum needs no registration. The converter is built on first use: importing the SDK stays
cheap.
"""

from __future__ import annotations

import enum
import functools
import re
import types
import typing
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TypeVar, cast, get_args, get_origin

import attrs

from ._exports import publish
from .records import (
    AnswerSource,
    BaseModelInfo,
    Chunker,
    DocumentSource,
    FileChunker,
    MeaningBasedChunker,
    ModelAdapterInfo,
    ModelInfo,
    NormalChunker,
    RAGSource,
    Sample,
    SentenceWithContextChunker,
    StructuredInput,
)
from .records.blocks import ExtractedValue

if TYPE_CHECKING:
    import cattrs

# cattrs is imported with the converter, on first use: not by ``import gradient_sdk``.

__all__ = [
    "RENAMED_FIELDS",
    "TAGGED_UNIONS",
    "TaggedUnion",
    "WireFormatError",
    "camel_case",
    "from_wire",
    "from_wire_dict",
    "get_converter",
    "to_wire",
    "to_wire_dict",
    "wire_name",
]

T = TypeVar("T")


class WireFormatError(ValueError):
    """A JSON document does not match the record it should hold."""


def camel_case(name: str) -> str:
    """``max_generated_token_count`` -> ``maxGeneratedTokenCount``."""
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


#: Fields the API names otherwise than camelCase of the Python name (its own misspelling).
RENAMED_FIELDS: Mapping[tuple[type[Any], str], str] = {
    (MeaningBasedChunker, "similarity_percent_threshold"): "similiarityPercentThreshold",
}


def wire_name(record: type[Any], field: str) -> str:
    """The name a record's field has on the wire."""
    return RENAMED_FIELDS.get((record, field)) or camel_case(field)


@attrs.frozen
class TaggedUnion:
    """A union of records told apart on the wire by the value of one field, the tag."""

    union: Any
    tag: str
    members: Mapping[type[Any], str]
    #: What the tag names, for errors: "unknown model type 'x'".
    label: str


#: Every tagged union of the API, read by the converter and the OpenAPI builder.
TAGGED_UNIONS: tuple[TaggedUnion, ...] = (
    TaggedUnion(
        ModelInfo,
        tag="type",
        members={BaseModelInfo: "baseModel", ModelAdapterInfo: "modelAdapter"},
        label="model type",
    ),
    TaggedUnion(
        Chunker,
        tag="chunkerType",
        members={
            chunker: chunker.chunker_type
            for chunker in (
                FileChunker,
                NormalChunker,
                SentenceWithContextChunker,
                MeaningBasedChunker,
            )
        },
        label="chunker type",
    ),
    TaggedUnion(
        AnswerSource,
        tag="type",
        members={DocumentSource: "document", RAGSource: "rag"},
        label="answer source type",
    ),
)


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


def _is_enum(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, enum.Enum)


def _is_str_dict(cls: Any) -> bool:
    return get_origin(cls) is dict and get_args(cls)[:1] == (str,)


def _members(cls: Any) -> frozenset[Any]:
    if get_origin(cls) in (typing.Union, types.UnionType):
        return frozenset(get_args(cls))
    return frozenset({cls})


def _json_object(value: Any) -> dict[str, Any]:
    """A JSON object as it was parsed; anything else is a TypeError."""
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return cast("dict[str, Any]", value)


def _json_list(value: Any, label: str) -> list[Any]:
    """A JSON array as it was parsed; anything else is a TypeError."""
    if not isinstance(value, list):
        raise TypeError(f"expected {label}, got {type(value).__name__}")
    # mypy already sees list[Any] here; pyright sees list[Unknown].
    return cast("list[Any]", value)  # type: ignore[redundant-cast]


def _strict(expected: type[Any] | tuple[type[Any], ...], label: str) -> Any:
    """A hook that takes a JSON value of exactly the expected kind (a bool is no int)."""
    allowed = expected if isinstance(expected, tuple) else (expected,)

    def hook(value: Any, _: Any) -> Any:
        if isinstance(value, bool) and bool not in allowed:
            raise TypeError(f"expected {label}, got a boolean")
        if not isinstance(value, expected):
            raise TypeError(f"expected {label}, got {type(value).__name__}")
        return value

    return hook


def _configure_records(conv: cattrs.Converter) -> None:
    from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

    def renames(cls: type[Any]) -> dict[str, Any]:
        return {a.name: override(rename=wire_name(cls, a.name)) for a in attrs.fields(cls)}

    def structure_attrs(cls: type[Any]) -> Any:
        from_dict = make_dict_structure_fn(cls, conv, **renames(cls))

        def structure(value: Any, target: type[Any]) -> Any:
            return from_dict(_json_object(value), target)

        return structure

    def unstructure_attrs(cls: type[Any]) -> Any:
        return make_dict_unstructure_fn(cls, conv, **renames(cls))

    conv.register_structure_hook_factory(attrs.has, structure_attrs)
    conv.register_unstructure_hook_factory(attrs.has, unstructure_attrs)


def _configure_primitives(conv: cattrs.Converter) -> None:
    # JSON has one number type and Python's bool is an int: check primitives strictly.
    text = _strict(str, "a string")

    def structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
        member = text(value, cls)
        try:
            return cls(member)
        except ValueError:
            allowed = ", ".join(repr(option.value) for option in cls)
            raise ValueError(f"{member!r} is not one of {allowed}") from None

    # cattrs looks hooks up by class first, so this one also gets the str-based enums: they
    # are checked by type here, and a new enum needs no registration anywhere.
    def structure_str(value: Any, cls: type[Any]) -> Any:
        target: Any = cls  # not narrowed by the check below
        if cls is str and type(value) is str:  # the common case, checked first
            return value
        return structure_enum(value, target) if _is_enum(target) else text(value, target)

    conv.register_structure_hook(str, structure_str)
    conv.register_structure_hook_func(_is_enum, structure_enum)
    conv.register_unstructure_hook_func(_is_enum, lambda member: member.value)
    conv.register_unstructure_hook(
        str, lambda value: value.value if isinstance(value, enum.Enum) else value
    )
    conv.register_structure_hook(bool, _strict(bool, "a boolean"))
    conv.register_structure_hook(int, _strict(int, "an integer"))
    number = _strict((int, float), "a number")
    conv.register_structure_hook(float, lambda value, cls: float(number(value, cls)))
    scalar = _strict((str, int, float, bool), "a string, number or boolean")
    conv.register_structure_hook_func(
        lambda cls: cls == ExtractedValue, lambda value, cls: scalar(value, cls)
    )

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


def _configure_containers(conv: cattrs.Converter) -> None:
    from cattrs.errors import IterableValidationError, IterableValidationNote

    def structure_items(items: list[tuple[Any, Any]], item_type: Any, cls: Any) -> list[Any]:
        """Each value structured; every failure kept, noted with its index or key, which
        cattrs turns into the path (``[2]``, ``['name']``) of the problem."""
        results: list[Any] = []
        errors: list[Exception] = []
        for position, item in items:
            try:
                results.append(conv.structure(item, item_type))
            except Exception as error:
                note = IterableValidationNote(f"Structuring @ {position!r}", position, item_type)
                # cattrs reads the position from this note to build the path.
                error.__notes__ = [*getattr(error, "__notes__", []), note]  # type: ignore[attr-defined]
                errors.append(error)
        if errors:
            raise IterableValidationError(f"While structuring {cls!r}", errors, cls)
        return results

    # cattrs would read a string or an object as a sequence; the API sends lists only.
    def structure_tuple(value: Any, cls: Any) -> tuple[Any, ...]:
        items = _json_list(value, "a list")
        return tuple(structure_items(list(enumerate(items)), get_args(cls)[0], cls))

    conv.register_structure_hook_func(_is_homogeneous_tuple, structure_tuple)

    def structure_dict(value: Any, cls: Any) -> dict[str, Any]:
        entries = _json_object(value)
        values = structure_items(list(entries.items()), get_args(cls)[1], cls)
        return dict(zip(entries, values, strict=True))

    conv.register_structure_hook_func(_is_str_dict, structure_dict)

    # Embedding vectors are long: check them in one pass instead of a hook call per number.
    def structure_vector(value: Any, _: Any) -> tuple[float, ...]:
        numbers = _json_list(value, "a list of numbers")
        if not all(type(number) in (float, int) for number in numbers):
            raise TypeError("expected a list of numbers")
        return tuple(map(float, numbers))

    conv.register_structure_hook_func(lambda cls: cls == tuple[float, ...], structure_vector)


def _configure_tagged_union(conv: cattrs.Converter, union: TaggedUnion) -> None:
    """cattrs' tagged-union strategy, with a clear error for an unknown tag, and the same
    handling wherever the union appears as ``Union | None``."""
    from cattrs.strategies import configure_tagged_union

    configure_tagged_union(
        union.union, conv, tag_generator=union.members.__getitem__, tag_name=union.tag
    )
    tagged_structure = conv.get_structure_hook(union.union)
    tagged_unstructure = conv.get_unstructure_hook(union.union)
    tags = sorted(union.members.values())

    def structure(value: Any, cls: Any) -> Any:
        tag = _json_object(value).get(union.tag) if isinstance(value, dict) else None
        if not isinstance(tag, str) or tag not in tags:
            raise ValueError(f"unknown {union.label} {tag!r}: expected one of {tags}")
        return tagged_structure(value, cls)

    conv.register_structure_hook(union.union, structure)
    members = _members(union.union)
    optional = frozenset({*members, type(None)})

    def is_optional(cls: Any) -> bool:
        return _members(cls) == optional

    def structure_optional(value: Any, cls: Any) -> Any:
        return None if value is None else structure(value, union.union)

    def unstructure_optional(value: Any) -> Any:
        return None if value is None else tagged_unstructure(value)

    conv.register_structure_hook_func(is_optional, structure_optional)
    conv.register_unstructure_hook_func(is_optional, unstructure_optional)


def _configure_samples(conv: cattrs.Converter) -> None:
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


@functools.cache
def get_converter() -> cattrs.Converter:
    """The converter, configured on first use."""
    import cattrs

    conv = cattrs.Converter()
    _configure_records(conv)
    _configure_primitives(conv)
    _configure_containers(conv)
    _configure_samples(conv)
    _configure_plain_optionals(conv)
    # Last: the strategy captures the member records' hooks as they are now.
    for union in TAGGED_UNIONS:
        _configure_tagged_union(conv, union)
    return conv


def _configure_plain_optionals(conv: cattrs.Converter) -> None:
    """``int | None`` and the like go out as they are: with an identity hook, cattrs writes
    the field straight into the generated code instead of calling a hook for it."""
    from cattrs.fns import identity

    def is_plain_optional(cls: Any) -> bool:
        members = _members(cls)
        if len(members) != 2 or type(None) not in members:
            return False
        (other,) = members - {type(None)}
        return other in (bool, int, float)

    conv.register_unstructure_hook_func(is_plain_optional, identity)


def to_wire(record: Any, as_type: Any = None) -> Any:
    """A record as JSON-ready data with the API's field names; ``as_type`` names the union
    it stands for where the wire needs its tag (a chunker alone, say)."""
    return get_converter().unstructure(record, unstructure_as=as_type)


def from_wire(data: Any, record_type: type[T]) -> T:
    """Read JSON data into ``record_type``; raise :class:`WireFormatError` when it does not fit."""
    try:
        return get_converter().structure(data, record_type)
    except Exception as error:  # cattrs reports through several exception types
        raise WireFormatError(_describe(error, record_type)) from error


def to_wire_dict(record: object) -> dict[str, Any]:
    """A record as the JSON object the API sends or takes, with the API's field names::

        to_wire_dict(CompleteRequest(query="Hi"))  # {"query": "Hi", "autoTemplate": None, ...}

    Anything but a record raises :class:`TypeError`.
    """
    if not attrs.has(type(record)):
        raise TypeError(f"expected a gradient_sdk record, got {type(record).__name__}")
    data: dict[str, Any] = to_wire(record)
    return data


def from_wire_dict(data: Mapping[str, Any], cls: type[T]) -> T:
    """Read a JSON object (as the API sends it) into the record ``cls``.

    Raises ``WireFormatError``, a :class:`ValueError`, naming the field that does not fit.
    """
    is_record = attrs.has(cls)  # not in the `if`: narrowing would lose T
    if not is_record:
        raise TypeError(f"expected a gradient_sdk record type, got {cls!r}")
    return from_wire(dict(data), cls)


def _describe(error: Exception, record_type: Any) -> str:
    import cattrs

    name = getattr(record_type, "__name__", str(record_type))
    if isinstance(error, cattrs.BaseValidationError):
        problems = cattrs.transform_error(error, path=name, format_exception=_format_problem)
        return "; ".join(_wire_path(problem) for problem in problems)
    return f"invalid {name}: {error}"


_RENAMED_BY_FIELD = {field: wire for (_, field), wire in RENAMED_FIELDS.items()}
# A path is ``Root.field[0].inner['key']``: rename the ``.field`` parts, never a ``[key]``.
_PATH_PART = re.compile(r"(\[[^\]]*\])|\.(\w+)")


def _wire_path(problem: str) -> str:
    """Name the fields in a problem's path as they appear on the wire."""
    message, separator, path = problem.rpartition(" @ ")
    if not separator:
        return problem
    root, dot, fields = path.partition(".")
    if not dot:
        return problem

    def rename(part: re.Match[str]) -> str:
        field = part[2]
        if field is None:
            return part[0]
        return "." + (_RENAMED_BY_FIELD.get(field) or camel_case(field))

    return f"{message} @ {root}" + _PATH_PART.sub(rename, "." + fields)


def _format_problem(error: BaseException, _: type[Any] | None) -> str:
    if isinstance(error, KeyError):
        return "required field missing"
    return str(error) or type(error).__name__


publish(__name__, globals())
