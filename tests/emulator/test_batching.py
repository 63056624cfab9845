"""Continuous batching: completions that overlap share forward passes and still get the
tokens they would get alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
import torch
from transformers.cache_utils import DynamicCache

from gradient_sdk.emulator.engines import (
    AdapterConfig,
    ChoiceConstraint,
    Completion,
    LoadedAdapter,
    WorkStoppedError,
)
from gradient_sdk.emulator.engines.batching import BatchDecoder, Generation
from gradient_sdk.emulator.engines.causal_lm import CausalLMEngine
from gradient_sdk.emulator.engines.kv_batch import PaddedBatch, prompt_inputs, stackable
from gradient_sdk.emulator.engines.tiny import build_tiny_engine

from .test_engines import TINY_TEACHING_RATE, sample

#: Long enough for a slow machine, short enough that a deadlock fails quickly.
TIMEOUT = 30


@pytest.fixture
def engine() -> CausalLMEngine:
    return build_tiny_engine()


def pass_shapes(engine: CausalLMEngine) -> list[tuple[int, int]]:
    """The rows and tokens of every forward pass the engine's model runs from now on."""
    shapes: list[tuple[int, int]] = []

    def record(module: Any, args: Any, kwargs: dict[str, Any]) -> None:
        rows, tokens = kwargs["input_ids"].shape
        shapes.append((int(rows), int(tokens)))

    engine._model.register_forward_pre_hook(record, with_kwargs=True)
    return shapes


@contextmanager
def arriving_together(engine: CausalLMEngine, count: int) -> Iterator[None]:
    """Hold the model until ``count`` completions have reached the engine: the first one then
    runs its prompt, and the rest join it before any token is decoded."""
    with engine._lock:
        yield
        deadline = time.monotonic() + TIMEOUT
        # The first has taken itself from the arrivals and waits for the model.
        while len(engine._decoder._arrivals) < count - 1:
            assert time.monotonic() < deadline, "the completions never arrived"
            time.sleep(0.005)


def run_together(engine: CausalLMEngine, calls: list[Callable[[], Completion]]) -> list[Any]:
    """Run ``calls`` in threads that reach the engine together; each one's result or error."""

    def outcome(call: Callable[[], Completion]) -> Any:
        try:
            return call()
        except Exception as error:
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        with arriving_together(engine, len(calls)):
            futures = [pool.submit(outcome, call) for call in calls]
        return [future.result(timeout=TIMEOUT) for future in futures]


def complete(
    engine: CausalLMEngine,
    prompt: str,
    adapter: LoadedAdapter | None = None,
    *,
    tokens: int = 24,
    **options: Any,
) -> Callable[[], Completion]:
    settings: dict[str, Any] = {"temperature": None, "top_k": None, "top_p": None} | options
    return lambda: engine.complete(prompt, adapter, max_new_tokens=tokens, **settings)


def teach(engine: CausalLMEngine, answer: str, seed: int) -> LoadedAdapter:
    adapter = engine.new_adapter(AdapterConfig(learning_rate=TINY_TEACHING_RATE, seed=seed))
    for _ in range(2):
        engine.fine_tune(adapter, [sample("Hello ", answer)])
    return adapter


def test_overlapping_completions_share_passes_and_match_their_lone_answers(
    engine: CausalLMEngine,
) -> None:
    first, second = teach(engine, "world", seed=1), teach(engine, "there, friend", seed=2)
    calls = [
        complete(engine, "Hello "),  # the base model
        complete(engine, "Hello ", first),
        complete(engine, "Hello ", second),
        complete(engine, "A much longer prompt, to pad the others "),
        complete(engine, "Hi", first, temperature=0.9, top_k=20, top_p=0.9, seed=7),
        complete(engine, "Pick: ", constraint=ChoiceConstraint(("yes", "no", "maybe so"))),
    ]
    alone = [call() for call in calls]
    shapes = pass_shapes(engine)

    together = run_together(engine, calls)

    assert together == alone
    # The two taught adapters answer differently, so the rows really used their own.
    assert len({alone[0].text, alone[1].text, alone[2].text}) == 3
    # The first prompt ran alone, the others' together; then every row decoded at once.
    assert [rows for rows, tokens in shapes if tokens > 1] == [1, len(calls) - 1]
    assert (len(calls), 1) in shapes
    assert len(shapes) < sum(c.generated_token_count + 1 for c in alone)


def test_a_mixed_batch_uses_the_weights_an_adapter_has_now(engine: CausalLMEngine) -> None:
    adapter = teach(engine, "world", seed=1)
    calls = [complete(engine, "Hello ", adapter), complete(engine, "Hello ")]
    before = run_together(engine, calls)
    for _ in range(3):
        engine.fine_tune(adapter, [sample("Hello ", "there, friend")])

    after = run_together(engine, calls)

    assert after == [call() for call in calls]
    assert after[0] != before[0]
    assert after[1] == before[1]


def test_rows_that_join_and_leave_midway_still_match(engine: CausalLMEngine) -> None:
    lengths = [3, 30, 11, 20]
    calls = [complete(engine, f"Prompt {n}: ", tokens=tokens) for n, tokens in enumerate(lengths)]
    alone = [call() for call in calls]

    def staggered(index: int) -> Completion:
        time.sleep(0.01 * index)
        return calls[index]()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        together = list(pool.map(staggered, range(len(calls)), timeout=TIMEOUT))

    assert together == alone


def test_a_stopped_completion_leaves_the_batch_and_the_others_finish(
    engine: CausalLMEngine,
) -> None:
    stop = threading.Event()
    seen = 0

    def pick_then_stop(logits: torch.Tensor) -> int:
        nonlocal seen
        seen += 1
        if seen == 3:
            stop.set()
        return int(logits.argmax())

    lone = complete(engine, "Keep going ", tokens=16)()
    prompt_ids = engine._prompt_ids("Stop me", apply_chat_template=False)
    stopped = Generation(prompt_ids, 16, None, pick_then_stop, stop=stop)

    def decode_stopped() -> Completion:
        engine._decoder.decode(stopped)
        raise AssertionError("the stopped completion finished")

    outcomes = run_together(engine, [decode_stopped, complete(engine, "Keep going ", tokens=16)])

    assert isinstance(outcomes[0], WorkStoppedError)
    assert len(stopped.generated) == 3
    assert outcomes[1] == lone


def test_a_padded_batch_decodes_each_row_as_it_would_alone() -> None:
    engine = build_tiny_engine()
    model, cache_keyword = engine._model, engine._cache_keyword
    cpu = torch.device("cpu")
    prompts = [[1, 40, 41, 42], [1, 50, 51, 52, 53, 54, 55, 56], [1, 60]]

    def run(input_ids: Any, cache: Any = None, **inputs: Any) -> Any:
        ids = torch.as_tensor(input_ids)
        output = model(input_ids=ids, use_cache=True, **{cache_keyword: cache}, **inputs)
        return output.logits[:, -1], output[cache_keyword]

    @torch.inference_mode()
    def alone(prompt: list[int], steps: int) -> list[torch.Tensor]:
        logits, cache = run([prompt])
        produced = [logits[0]]
        for _ in range(steps):
            logits, cache = run([[int(produced[-1].argmax())]], cache)
            produced.append(logits[0])
        return produced

    expected = [alone(prompt, 6) for prompt in prompts]

    with torch.inference_mode():
        logits, cache = run([prompts[0]])
        assert stackable(cache)
        rows = PaddedBatch(cache, [len(prompts[0])])
        produced = [[logits[0]]]
        # One longer than the batch and one shorter, their prompts run together.
        logits, joined = run(**prompt_inputs(prompts[1:], cpu))
        rows.add(PaddedBatch(joined, [len(prompt) for prompt in prompts[1:]]))
        produced += [[logits[0]], [logits[1]]]
        live = [0, 1, 2]
        for step in range(6):
            if step == 3:  # the longest row leaves: the others lose the padding they shared
                live = [0, 2]
                rows.keep([0, 2])
            if step == 5:  # a row left alone has no padding at all
                live = [0]
                rows.keep([0])
            inputs = rows.step_inputs([int(produced[row][-1].argmax()) for row in live], cpu)
            assert ("attention_mask" in inputs) == (len(live) > 1)
            logits, _ = run(**inputs, cache=rows.cache)
            for position, row in enumerate(live):
                produced[row].append(logits[position])

    for row, steps in enumerate([7, 4, 6]):
        torch.testing.assert_close(torch.stack(produced[row]), torch.stack(expected[row][:steps]))


# The decoder on its own, with a stand-in model: each row's next token is its last one + 1.


def counting_model(
    cache_of: Callable[[int], Any] = lambda rows: None,
    fail_when: Callable[[int], bool] = lambda number: False,
) -> Any:
    passes: list[int] = []

    def run_model(adapters: list[Any], inputs: dict[str, torch.Tensor], cache: Any) -> Any:
        passes.append(len(adapters))
        if fail_when(len(passes)):
            raise RuntimeError("the model broke")
        last = inputs["input_ids"][:, -1]
        return torch.nn.functional.one_hot(last + 1, 100).float(), cache_of(len(adapters))

    run_model.passes = passes  # type: ignore[attr-defined]
    return run_model


def counted(start: int, budget: int, pick: Callable[[torch.Tensor], int] | None = None) -> Any:
    return Generation([start], budget, None, pick or (lambda logits: int(logits.argmax())))


def test_a_cache_that_cannot_be_stacked_decodes_alone() -> None:
    run_model = counting_model(cache_of=lambda rows: object())
    decoder = BatchDecoder(run_model, frozenset({99}), torch.device("cpu"))
    sequences = [counted(10, 4), counted(50, 3)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(decoder.decode, sequences, timeout=TIMEOUT))

    assert [s.generated for s in sequences] == [[11, 12, 13, 14], [51, 52, 53]]
    assert set(run_model.passes) == {1}
    assert [s.finish_reason for s in sequences] == ["length", "length"]


def test_a_stop_token_ends_a_sequence_before_its_budget() -> None:
    decoder = BatchDecoder(counting_model(), frozenset({13}), torch.device("cpu"))
    sequence = counted(10, 8)

    decoder.decode(sequence)

    assert sequence.generated == [11, 12]
    assert sequence.finish_reason == "stop"


def test_a_failing_pick_ends_only_its_own_sequence() -> None:
    decoder = BatchDecoder(counting_model(), frozenset(), torch.device("cpu"))

    def broken(logits: torch.Tensor) -> int:
        raise ValueError("bad sampling")

    failing, fine = counted(10, 4, broken), counted(20, 4)

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = [pool.submit(decoder.decode, s) for s in (failing, fine)]
        with pytest.raises(ValueError, match="bad sampling"):
            outcomes[0].result(timeout=TIMEOUT)
        outcomes[1].result(timeout=TIMEOUT)

    assert fine.generated == [21, 22, 23, 24]


def test_a_failing_pass_fails_its_rows_and_the_decoder_goes_on() -> None:
    decoder = BatchDecoder(
        counting_model(fail_when=lambda number: number == 2), frozenset(), torch.device("cpu")
    )
    broken = counted(10, 4)

    with pytest.raises(RuntimeError, match="the model broke"):
        decoder.decode(broken)
    after = counted(30, 2)
    decoder.decode(after)

    assert broken.generated == [11]
    assert after.generated == [31, 32]


def test_prompts_run_together_go_one_by_one_when_their_cache_cannot_be_split() -> None:
    states = torch.zeros(1, 1, 1, 2)  # (rows, heads, tokens, head size)
    caches = iter([DynamicCache(ddp_cache_data=[(states, states)])])
    run_model = counting_model(cache_of=lambda rows: next(caches, object()))
    decoder = BatchDecoder(run_model, frozenset(), torch.device("cpu"))
    decoder.decode(counted(0, 1))  # a first cache that stacks: later prompts run together
    assert decoder._caches_stack
    sequences = [counted(10, 2), counted(20, 2)]

    with decoder._condition:  # both arrive before the driver looks
        decoder._arrivals += sequences[1:]
    decoder.decode(sequences[0])

    assert [s.generated for s in sequences] == [[11, 12], [21, 22]]
    assert run_model.passes[1:3] == [2, 1]  # the pair, then each prompt on its own
