"""Constrained decoding on the tiny random model: its output is noise, and still always a
valid choice or a JSON object that fits the schema, within the token budget (raised to the
fewest tokens a valid answer takes)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradient_sdk.emulator.engines import (
    ChoiceConstraint,
    JsonField,
    JsonObjectConstraint,
    TextEngine,
)
from gradient_sdk.emulator.engines.constrained import token_bytes
from gradient_sdk.emulator.engines.tiny import build_tiny_tokenizer

PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Any text the API lets a choice be: 1 to 32 characters, control characters and all.
choices = st.lists(st.text(min_size=1, max_size=32), min_size=1, max_size=10)
temperatures = st.sampled_from([None, 0.7, 1.0, 5.0])
seeds = st.integers(min_value=0, max_value=2**31)
budgets = st.integers(min_value=1, max_value=48)
fields = st.lists(
    st.builds(
        JsonField,
        name=st.text(min_size=1, max_size=12),
        type=st.sampled_from(["string", "number", "boolean"]),
        required=st.booleans(),
    ),
    min_size=1,
    max_size=5,
    unique_by=lambda field: field.name,
)


def complete(
    engine: TextEngine, constraint: Any, *, budget: int, temperature: float | None, seed: int
) -> Any:
    return engine.complete(
        "Answer: ",
        None,
        max_new_tokens=budget,
        temperature=temperature,
        top_k=None,
        top_p=None,
        seed=seed,
        constraint=constraint,
    )


@PROPERTY
@given(values=choices, budget=budgets, temperature=temperatures, seed=seeds)
def test_a_choice_is_always_exactly_one_of_the_values(
    tiny_engine: TextEngine, values: list[str], budget: int, temperature: float | None, seed: int
) -> None:
    completion = complete(
        tiny_engine, ChoiceConstraint(values), budget=budget, temperature=temperature, seed=seed
    )

    assert completion.text in values
    assert completion.generated_token_count <= max(budget, min(len(v.encode()) for v in values))


def fits(entity: Any, constraint: JsonObjectConstraint) -> bool:
    kinds = {"string": (str,), "number": (int, float), "boolean": (bool,)}
    expected = {field.name: field for field in constraint.fields}
    return (
        isinstance(entity, dict)
        and all(
            key in expected
            and isinstance(value, kinds[expected[key].type])
            and (expected[key].type == "boolean" or not isinstance(value, bool))
            and (not isinstance(value, float) or math.isfinite(value))
            for key, value in entity.items()
        )
        and all(field.name in entity for field in constraint.fields if field.required)
    )


@PROPERTY
@given(schema=fields, budget=budgets, temperature=temperatures, seed=seeds)
def test_an_object_always_fits_its_schema(
    tiny_engine: TextEngine,
    schema: list[JsonField],
    budget: int,
    temperature: float | None,
    seed: int,
) -> None:
    constraint = JsonObjectConstraint(schema)

    completion = complete(
        tiny_engine, constraint, budget=budget, temperature=temperature, seed=seed
    )
    entity = json.loads(completion.text)

    assert fits(entity, constraint), completion.text
    # In JSON's order, as the schema lists them.
    names = [field.name for field in constraint.fields]
    assert list(entity) == [name for name in names if name in entity]


def test_a_budget_too_small_for_any_choice_is_raised_to_the_shortest(
    tiny_engine: TextEngine,
) -> None:
    completion = complete(
        tiny_engine, ChoiceConstraint(["a rather long answer"]), budget=1, temperature=None, seed=0
    )

    assert completion.text == "a rather long answer"
    assert completion.generated_token_count == 20  # one token a byte


def test_the_stop_token_ends_a_choice_that_could_go_on(tiny_engine: TextEngine) -> None:
    outputs = {
        complete(
            tiny_engine, ChoiceConstraint(["ab", "abcdef"]), budget=8, temperature=1.0, seed=seed
        ).text
        for seed in range(12)
    }

    assert outputs <= {"ab", "abcdef"}


def test_a_byte_level_vocabulary_spells_every_byte_once() -> None:
    table = token_bytes(build_tiny_tokenizer())

    assert sorted(table.values()) == [bytes([byte]) for byte in range(256)]


@pytest.mark.parametrize(
    ("token", "spelled"), [("\u2581the", b" the"), ("<0x0A>", b"\n"), ("abc", b"abc")]
)
def test_sentencepiece_tokens_are_spelled_as_their_bytes(token: str, spelled: bytes) -> None:
    from gradient_sdk.emulator.engines.constrained import _sentencepiece_spelling

    assert _sentencepiece_spelling(token) == spelled
