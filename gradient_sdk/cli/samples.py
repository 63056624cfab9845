"""Fine-tuning samples from a JSONL file, every line checked before any sample is sent.

Each non-blank line is one sample, in the SDK's dict form::

    {"inputs": "Question: ...\\nAnswer: ...", "multiplier": 2.0}
    {"inputs": [{"value": "Question: ...", "trainable": false}, {"value": "Answer: ..."}]}
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from .. import Sample, StructuredInput

R = TypeVar("R")

SAMPLE_KEYS = frozenset({"inputs", "multiplier"})
PIECE_KEYS = frozenset({"value", "trainable", "parse_special_tokens"})


class LinesFileError(ValueError):
    """A JSONL file that cannot be read; the message names the line and the reason."""


#: The error of a samples file in particular.
SamplesFileError = LinesFileError


def read_samples(path: Path) -> list[Sample]:
    """Every sample of the file, in order; :class:`SamplesFileError` if any line is bad."""
    return read_lines(path, parse_sample, "samples")


def read_lines(path: Path, parse: Callable[[str], R], what: str) -> list[R]:
    """Every non-blank line of a UTF-8 JSONL file through ``parse`` (which raises
    ValueError for a bad line), in order; :class:`LinesFileError` naming the first bad
    line and how many more, for a file that is not UTF-8, or one with no ``what`` in it."""
    records: list[R] = []
    problems: list[str] = []
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    records.append(parse(line.rstrip("\n")))
                except ValueError as error:
                    problems.append(f"{path}:{number}: {error}")
    except UnicodeDecodeError as error:
        raise LinesFileError(f"{path}: not UTF-8 text (byte {error.start})") from error
    if problems:
        more = len(problems) - 1
        raise LinesFileError(problems[0] + (f" (and {more} more bad lines)" if more else ""))
    if not records:
        raise LinesFileError(f"{path}: no {what} in the file")
    return records


def parse_sample(line: str) -> Sample:
    """One JSONL line as a sample; ValueError saying what is wrong with it."""
    try:
        data = _object(json.loads(line))
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON: {error.msg} (column {error.colno})") from None
    if data is None:
        raise ValueError('expected a JSON object such as {"inputs": "..."}')
    _check_keys(data, SAMPLE_KEYS, "a sample")
    if "inputs" not in data:
        raise ValueError('"inputs" is missing')
    inputs = data["inputs"]
    if isinstance(inputs, list):
        pieces = cast("list[object]", inputs)
        inputs = tuple(_piece(index, piece) for index, piece in enumerate(pieces))
    elif not isinstance(inputs, str):
        raise ValueError('"inputs" must be a string or a list of {"value": ...} objects')
    multiplier = data.get("multiplier")
    if multiplier is not None and (
        isinstance(multiplier, bool) or not isinstance(multiplier, int | float)
    ):
        raise ValueError('"multiplier" must be a number')
    return _record(Sample, inputs=inputs, multiplier=multiplier)


def _object(value: object) -> dict[str, object] | None:
    # JSON object keys are always strings.
    return cast("dict[str, object]", value) if isinstance(value, dict) else None


def _piece(index: int, value: object) -> StructuredInput:
    piece = _object(value)
    if piece is None:
        raise ValueError(f'inputs[{index}] must be an object such as {{"value": "..."}}')
    try:
        _check_keys(piece, PIECE_KEYS, "a structured input")
        if "value" not in piece:
            raise ValueError('"value" is missing')
        for switch in ("trainable", "parse_special_tokens"):
            if not isinstance(piece.get(switch, True), bool):
                raise ValueError(f'"{switch}" must be true or false')
        return _record(StructuredInput, **piece)
    except ValueError as error:
        raise ValueError(f"inputs[{index}]: {error}") from None


def _check_keys(data: dict[str, object], allowed: frozenset[str], what: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        keys = ", ".join(f'"{key}"' for key in sorted(allowed))
        raise ValueError(f"unknown key {unknown[0]!r} in {what} (allowed: {keys})")


def _record(kind: type[R], **values: Any) -> R:
    # The records check the values (a non-empty text, a positive multiplier, booleans) as
    # they would before a request; their TypeErrors are bad input here too.
    try:
        return kind(**values)
    except TypeError as error:
        raise ValueError(error.args[0] if error.args else str(error)) from None
