"""Validators shared by the request records: they run before anything is sent.

Each validator also says which JSON-schema keywords it enforces (:func:`json_schema_of`), so
the emulator's OpenAPI document states the records' bounds without a copy of them.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping, Sized
from typing import Any, TypeVar

import attrs

F = TypeVar("F", bound=Callable[..., Any])


def enforces(keywords: Mapping[str, Any]) -> Callable[[F], F]:
    """Record on a validator the JSON-schema keywords it enforces."""

    def attach(check: F) -> F:
        check.json_schema = dict(keywords)  # type: ignore[attr-defined]
        return check

    return attach


def json_schema_of(validator: object) -> dict[str, Any]:
    """The JSON-schema keywords a validator enforces; empty for one that says nothing."""
    return dict(getattr(validator, "json_schema", {}))


@enforces({"minItems": 1})
def non_empty(instance: Any, attribute: attrs.Attribute[Any], value: Sized) -> None:
    """The sequence must not be empty."""
    if len(value) == 0:
        raise ValueError(f"{attribute.name} must not be empty")


@enforces({"minLength": 1})
def text(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value must be a non-empty string."""
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a string, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{attribute.name} must not be empty")


def in_range(
    low: float,
    high: float,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> Any:
    """A validator for an optional number within ``low`` and ``high``."""
    left = "[" if low_inclusive else "("
    right = "]" if high_inclusive else ")"
    keywords: dict[str, Any] = {"minimum" if low_inclusive else "exclusiveMinimum": low}
    if math.isfinite(high):
        keywords["maximum" if high_inclusive else "exclusiveMaximum"] = high

    @enforces(keywords)
    def check(instance: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{attribute.name} must be a number, got {type(value).__name__}")
        if math.isnan(value) or math.isinf(value):
            raise ValueError(f"{attribute.name} must be a finite number, got {value}")
        above = value >= low if low_inclusive else value > low
        below = value <= high if high_inclusive else value < high
        if not (above and below):
            raise ValueError(f"{attribute.name} must be in {left}{low}, {high}{right}, got {value}")

    return check


def optional_int_in_range(low: int, high: int) -> Any:
    """A validator for an optional integer within ``low`` and ``high`` (both inclusive)."""
    bounds = in_range(low, high)

    @enforces(json_schema_of(bounds))
    def check(instance: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError(f"{attribute.name} must be an integer, got {type(value).__name__}")
        bounds(instance, attribute, value)

    return check


def optional_bool(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value must be True, False or None."""
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"{attribute.name} must be a boolean, got {type(value).__name__}")


def item_count(
    low: int, high: int, *, what: str
) -> Callable[[Any, attrs.Attribute[Any], Sized | None], None]:
    """A validator for a sequence of ``low`` to ``high`` items (None passes: not given)."""

    keywords = {"minItems": low, "maxItems": high} if low > 0 else {"maxItems": high}

    @enforces(keywords)
    def check(instance: Any, attribute: attrs.Attribute[Any], value: Sized | None) -> None:
        if value is not None and not low <= len(value) <= high:
            raise ValueError(f"{attribute.name} takes {low} to {high} {what}, got {len(value)}")

    return check


@enforces({"minLength": 1})
def optional_text(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value must be None or a non-empty string."""
    if value is not None:
        text(instance, attribute, value)


E = TypeVar("E", bound=enum.Enum)


def enum_member(kind: type[E], value: E | str) -> E:
    """``kind(value)`` for a member or its value, with an error that names the values allowed."""
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in kind)
        raise ValueError(
            f"{value!r} is not a valid {kind.__name__}: expected one of {allowed}"
        ) from None
