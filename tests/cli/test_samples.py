"""Reading fine-tuning samples from JSONL, and planning the batches of a run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gradient_sdk import Sample, StructuredInput
from gradient_sdk.cli.samples import SamplesFileError, parse_sample, read_samples
from gradient_sdk.cli.training import Batch, plan_batches


@pytest.mark.parametrize(
    ("line", "sample"),
    [
        ('{"inputs": "Q: 1+1?\\nA: 2"}', Sample(inputs="Q: 1+1?\nA: 2")),
        ('{"inputs": "text", "multiplier": 2}', Sample(inputs="text", multiplier=2)),
        (
            '{"inputs": [{"value": "Q: ", "trainable": false}, {"value": "A"}]}',
            Sample(inputs=[StructuredInput(value="Q: ", trainable=False), StructuredInput("A")]),
        ),
        (
            '{"inputs": [{"value": "<s>", "parse_special_tokens": false}]}',
            Sample(inputs=[StructuredInput(value="<s>", parse_special_tokens=False)]),
        ),
    ],
)
def test_a_valid_line_is_a_sample(line: str, sample: Sample) -> None:
    assert parse_sample(line) == sample


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("not json", "not valid JSON: Expecting value (column 1)"),
        ('["inputs"]', 'expected a JSON object such as {"inputs": "..."}'),
        ('{"input": "x"}', 'unknown key \'input\' in a sample (allowed: "inputs", "multiplier")'),
        ('{"multiplier": 1}', '"inputs" is missing'),
        ('{"inputs": ""}', "inputs must not be empty"),
        ('{"inputs": 3}', '"inputs" must be a string or a list of {"value": ...} objects'),
        ('{"inputs": []}', "inputs must be a non-empty string or a non-empty list"),
        ('{"inputs": "x", "multiplier": "2"}', '"multiplier" must be a number'),
        ('{"inputs": "x", "multiplier": true}', '"multiplier" must be a number'),
        ('{"inputs": "x", "multiplier": 0}', "multiplier must be in (0, inf], got 0"),
        ('{"inputs": "x", "multiplier": NaN}', "multiplier must be a finite number"),
        ('{"inputs": ["x"]}', 'inputs[0] must be an object such as {"value": "..."}'),
        ('{"inputs": [{"text": "x"}]}', "inputs[0]: unknown key 'text' in a structured input"),
        ('{"inputs": [{"trainable": false}]}', 'inputs[0]: "value" is missing'),
        ('{"inputs": [{"value": "x", "trainable": 1}]}', 'inputs[0]: "trainable" must be true'),
        ('{"inputs": [{"value": 5}]}', "inputs[0]: value must be a string"),
    ],
)
def test_a_bad_line_says_why(line: str, reason: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(reason)):
        parse_sample(line)


def test_a_file_is_read_in_order_skipping_blank_lines(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    data.write_text('{"inputs": "one"}\n\n   \n{"inputs": "two"}')

    assert read_samples(data) == [Sample(inputs="one"), Sample(inputs="two")]


def test_the_first_bad_line_is_named_and_the_others_counted(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    data.write_text('{"inputs": "one"}\n{"inputs": ""}\n{"inputs": "three"}\n{}\n{"x": 1}\n')

    with pytest.raises(SamplesFileError) as raised:
        read_samples(data)

    assert str(raised.value) == f"{data}:2: inputs must not be empty (and 2 more bad lines)"


def test_a_file_without_samples(tmp_path: Path) -> None:
    data = tmp_path / "empty.jsonl"
    data.write_text("\n\n")

    with pytest.raises(SamplesFileError, match="no samples in the file"):
        read_samples(data)


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    data = tmp_path / "latin1.jsonl"
    data.write_bytes('{"inputs": "café"}\n'.encode("latin-1"))

    with pytest.raises(SamplesFileError, match="not UTF-8 text"):
        read_samples(data)


def test_batches_cover_each_epoch_in_file_order() -> None:
    assert plan_batches(5, batch_size=2, epochs=2) == [
        Batch(epoch=0, start=0, end=2, position=0),
        Batch(epoch=0, start=2, end=4, position=2),
        Batch(epoch=0, start=4, end=5, position=4),
        Batch(epoch=1, start=0, end=2, position=5),
        Batch(epoch=1, start=2, end=4, position=7),
        Batch(epoch=1, start=4, end=5, position=9),
    ]


def test_start_at_skips_positions_across_epochs() -> None:
    batches = plan_batches(5, batch_size=2, epochs=2, start_at=7)

    assert batches == [
        Batch(epoch=1, start=2, end=4, position=7),
        Batch(epoch=1, start=4, end=5, position=9),
    ]
    assert batches[-1].end_position == 10


def test_start_at_inside_a_batch_starts_there() -> None:
    assert plan_batches(4, batch_size=3, epochs=1, start_at=1) == [
        Batch(epoch=0, start=1, end=4, position=1)
    ]


def test_start_at_the_end_leaves_nothing() -> None:
    assert plan_batches(4, batch_size=3, epochs=2, start_at=8) == []
