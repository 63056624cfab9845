"""The llama.cpp engine with the real SmolLM2 file: it answers what the torch engine answers,
adapters trained by torch included, and keeps its cache and adapters straight."""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from typing import Any

import gguf
import numpy
import pytest
import torch

from gradient_sdk.emulator import Emulator, serve
from gradient_sdk.emulator.engines import (
    AdapterConfig,
    ChoiceConstraint,
    PromptTooLongError,
    TrainingExample,
    TrainingSegment,
    WorkStoppedError,
    load_text_engine,
)
from gradient_sdk.emulator.engines.causal_lm import CausalLMEngine
from gradient_sdk.emulator.engines.gguf_lora import interleave_rotary_halves
from gradient_sdk.emulator.engines.llama_cpp import LlamaCppEngine, pick_token
from gradient_sdk.emulator.engines.loading import smollm2_gguf_path

from .conftest import QUESTION

pytestmark = pytest.mark.slow

GREEDY: dict[str, Any] = {"temperature": None, "top_k": None, "top_p": None}
SHOWCASE = [TrainingExample((TrainingSegment(QUESTION + " The Dallas Cowboys!"),))]


@pytest.fixture(scope="module")
def engine() -> LlamaCppEngine:
    loaded = load_text_engine("smollm2", engine="llama-cpp", threads=2)
    assert isinstance(loaded, LlamaCppEngine)
    return loaded


@pytest.fixture(scope="module")
def torch_engine(engine: LlamaCppEngine) -> CausalLMEngine:
    return engine.trainer()


@pytest.fixture(scope="module")
def taught(engine: LlamaCppEngine) -> Any:
    """An adapter that one fine-tune taught the showcase's answer."""
    adapter = engine.new_adapter(AdapterConfig(seed=3))
    engine.fine_tune(adapter, SHOWCASE)
    return adapter


class _Counting:
    """Counts the tokens an engine's llama.cpp model runs."""

    def __init__(self, engine: LlamaCppEngine, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tokens = 0
        model = engine._model
        evaluate = model.evaluate

        def counted(tokens: list[int]) -> Any:
            self.tokens += len(tokens)
            return evaluate(tokens)

        monkeypatch.setattr(model, "evaluate", counted)


@pytest.fixture
def counting(engine: LlamaCppEngine, monkeypatch: pytest.MonkeyPatch) -> _Counting:
    return _Counting(engine, monkeypatch)


PROMPTS = [
    QUESTION,
    "What is the capital of France?",
    "<|im_start|>user\nHi<|im_end|>\n",  # special tokens are read as such
    "Ünïcödé, emoji 🚀 and\ttabs  ",
    "",
]


@pytest.mark.parametrize("prompt", PROMPTS)
@pytest.mark.parametrize("chat", [False, True])
def test_prompts_are_the_torch_engines_tokens(
    engine: LlamaCppEngine, torch_engine: CausalLMEngine, prompt: str, chat: bool
) -> None:
    assert engine._prompt_ids(prompt, apply_chat_template=chat) == torch_engine._prompt_ids(
        prompt, apply_chat_template=chat
    )
    assert engine.count_tokens(prompt) == torch_engine.count_tokens(prompt)


@pytest.mark.parametrize("chat", [False, True])
def test_the_base_model_answers_what_the_torch_engine_answers(
    engine: LlamaCppEngine, torch_engine: CausalLMEngine, chat: bool
) -> None:
    ours = engine.complete(QUESTION, None, max_new_tokens=24, apply_chat_template=chat, **GREEDY)
    theirs = torch_engine.complete(
        QUESTION, None, max_new_tokens=24, apply_chat_template=chat, **GREEDY
    )
    assert ours == theirs
    assert ours.generated_token_count > 0


def test_the_files_query_rows_are_the_torch_weights_interleaved(
    torch_engine: CausalLMEngine,
) -> None:
    """The order :mod:`.gguf_lora` puts an adapter's rows in is the order of the file's own
    query and key weights, as against the weights transformers made of them."""
    reader = gguf.GGUFReader(smollm2_gguf_path())
    stored = {tensor.name: tensor for tensor in reader.tensors}
    model: Any = torch_engine._model
    attention = model.model.layers[5].self_attn
    for name, layer, heads in (("q", attention.q_proj, 9), ("k", attention.k_proj, 3)):
        tensor = stored[f"blk.5.attn_{name}.weight"]
        in_file = gguf.dequantize(tensor.data, tensor.tensor_type)
        torch_rows = layer.weight.detach().numpy()
        numpy.testing.assert_array_equal(interleave_rotary_halves(torch_rows, heads), in_file)
        assert not numpy.array_equal(torch_rows, in_file)


def test_a_fine_tune_teaches_the_adapter_on_llama_cpp(
    engine: LlamaCppEngine, torch_engine: CausalLMEngine, taught: Any
) -> None:
    before = engine.complete(QUESTION, None, max_new_tokens=20, **GREEDY)
    after = engine.complete(QUESTION, taught, max_new_tokens=20, **GREEDY)
    assert "Dallas Cowboys" not in before.text
    assert "Dallas Cowboys" in after.text
    # The torch engine, with the very matrices it trained, answers the same.
    assert after == torch_engine.complete(QUESTION, taught.trained, max_new_tokens=20, **GREEDY)
    # And the base model is back once no adapter is asked for.
    assert engine.complete(QUESTION, None, max_new_tokens=20, **GREEDY) == before


def test_adapter_logits_follow_the_torch_engines(
    engine: LlamaCppEngine, torch_engine: CausalLMEngine, taught: Any
) -> None:
    """Next-token logits under the adapter, llama.cpp against torch: far closer than either
    is to the base model's, so every layer's update lands where it was trained for."""
    ids = torch_engine._prompt_ids(QUESTION + " The Dallas", apply_chat_template=False)
    with engine._lock:
        engine._select(engine._own(taught))
        engine._model.forget_from(0)
        ours = engine._model.evaluate(ids)
        engine._select(None)
        engine._model.forget_from(0)
        base = engine._model.evaluate(ids)

    with torch.no_grad(), torch_engine._using([taught.trained]):
        theirs = torch_engine._model(torch.tensor([ids])).logits[0, -1].numpy()
    assert int(ours.argmax()) == int(theirs.argmax())
    gap_to_torch = float(numpy.abs(ours - theirs).mean())
    gap_to_base = float(numpy.abs(base - theirs).mean())
    assert gap_to_torch * 4 < gap_to_base


def test_training_again_reloads_the_adapters_weights(engine: LlamaCppEngine) -> None:
    adapter = engine.new_adapter(AdapterConfig(seed=5))
    fresh = engine.complete(QUESTION, adapter, max_new_tokens=12, **GREEDY)
    # A fresh adapter's update is zero: it answers like the base model.
    assert fresh == engine.complete(QUESTION, None, max_new_tokens=12, **GREEDY)
    engine.fine_tune(adapter, SHOWCASE)
    assert "Dallas Cowboys" in engine.complete(QUESTION, adapter, max_new_tokens=12, **GREEDY).text


def test_a_saved_adapter_loads_and_answers_the_same(
    engine: LlamaCppEngine, taught: Any, tmp_path: Path
) -> None:
    engine.save_adapter(taught, tmp_path)
    loaded = engine.load_adapter(tmp_path)
    assert loaded.config == taught.config
    expected = engine.complete(QUESTION, taught, max_new_tokens=16, **GREEDY)
    assert engine.complete(QUESTION, loaded, max_new_tokens=16, **GREEDY) == expected


def test_a_dropped_adapters_weights_are_freed(
    engine: LlamaCppEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    gc.collect()
    engine.complete("Hi", None, max_new_tokens=1, **GREEDY)  # frees what earlier tests dropped
    freed: list[Any] = []
    free = engine._model.free_adapter

    def counted_free(handle: Any) -> None:
        freed.append(handle)
        free(handle)

    monkeypatch.setattr(engine._model, "free_adapter", counted_free)
    adapter = engine.new_adapter(AdapterConfig(seed=11))
    engine.complete("Hi", adapter, max_new_tokens=1, **GREEDY)
    handle = adapter.exported.handle
    del adapter
    gc.collect()
    assert freed == []  # not while llama.cpp may still apply it
    engine.complete("Hi", None, max_new_tokens=1, **GREEDY)
    assert freed == [handle]
    assert not engine._retired


def test_an_answer_does_not_depend_on_the_requests_before_it(
    engine: LlamaCppEngine, taught: Any, counting: _Counting
) -> None:
    """Each completion runs its whole prompt afresh: llama.cpp's logits depend on how tokens
    were split into passes, so a reused cache could change a repeated request's answer."""
    first = engine.complete(QUESTION, None, max_new_tokens=16, **GREEDY)
    prompt_tokens = len(engine._prompt_ids(QUESTION, apply_chat_template=False))
    assert counting.tokens == prompt_tokens + 15  # the last new token is never run
    for before in (QUESTION, QUESTION + " The", "Something else entirely."):
        engine.complete(before, taught, max_new_tokens=5, **GREEDY)
        engine.complete(before, None, max_new_tokens=5, **GREEDY)
        assert engine.complete(QUESTION, None, max_new_tokens=16, **GREEDY) == first


def test_a_seed_makes_a_sampled_answer_repeat(engine: LlamaCppEngine) -> None:
    sampling = {"temperature": 1.0, "top_k": 50, "top_p": 0.95}
    answers = [
        engine.complete(QUESTION, None, max_new_tokens=12, seed=seed, **sampling).text
        for seed in (1, 1, 2, 3, 4)
    ]
    assert answers[0] == answers[1]
    assert len(set(answers[1:])) > 1


def test_a_constraint_is_decoded_by_the_torch_engine(engine: LlamaCppEngine, taught: Any) -> None:
    choices = ChoiceConstraint(("Dallas Cowboys", "Buffalo Bills"))
    completion = engine.complete(QUESTION, taught, max_new_tokens=8, constraint=choices, **GREEDY)
    assert completion.text == "Dallas Cowboys"


def test_a_set_stop_signal_stops_before_the_next_token(engine: LlamaCppEngine) -> None:
    class StopAfter:
        def __init__(self, checks: int) -> None:
            self.checks = checks

        def is_set(self) -> bool:
            self.checks -= 1
            return self.checks < 0

    with pytest.raises(WorkStoppedError):
        engine.complete(QUESTION, None, max_new_tokens=40, stop=StopAfter(0), **GREEDY)
    with pytest.raises(WorkStoppedError):
        engine.complete(QUESTION, None, max_new_tokens=40, stop=StopAfter(5), **GREEDY)
    # The engine goes on as before.
    stopped = threading.Event()
    done = engine.complete(QUESTION, None, max_new_tokens=3, stop=stopped, **GREEDY)
    assert done.generated_token_count == 3


def test_a_prompt_that_fills_the_window_is_refused(engine: LlamaCppEngine) -> None:
    with pytest.raises(PromptTooLongError, match="context window is 8192"):
        engine.complete("hello " * 9000, None, max_new_tokens=1, **GREEDY)


def test_picking_follows_the_torch_engines_rules() -> None:
    logits = numpy.array([0.0, 3.0, 2.9, -1.0], dtype=numpy.float32)
    generator = numpy.random.default_rng(0)
    assert pick_token(logits, temperature=None, top_k=None, top_p=None, generator=generator) == 1
    # top_k=1 and a tiny top_p leave only the likeliest token to sample.
    for options in ({"top_k": 1, "top_p": None}, {"top_k": None, "top_p": 0.01}):
        picks = {
            pick_token(logits, temperature=2.0, generator=generator, **options) for _ in range(50)
        }
        assert picks == {1}
    # Without filtering, tokens come as often as their probabilities say.
    picks = [
        pick_token(logits, temperature=1.0, top_k=None, top_p=None, generator=generator)
        for _ in range(4000)
    ]
    probabilities = numpy.exp(logits) / numpy.exp(logits).sum()
    counts = numpy.bincount(picks, minlength=4) / 4000
    numpy.testing.assert_allclose(counts, probabilities, atol=0.03)
    # A temperature too small for float32 still picks the likeliest, without NaNs.
    assert pick_token(logits, temperature=1e-300, top_k=None, top_p=None, generator=generator) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # the models are too slow to run twice
async def test_the_emulator_serves_the_showcase_on_llama_cpp(
    anyio_backend: str, tmp_path: Path
) -> None:
    settings = Emulator(data_dir=tmp_path, engine="llama-cpp", embeddings_model="hashing")
    async with serve(settings) as client:
        [base] = await client.list_models(only_base=True)
        adapter = await base.create_model_adapter(name="super bowl")
        before = await adapter.complete(query=QUESTION, max_generated_token_count=20)
        await adapter.fine_tune(samples=[{"inputs": QUESTION + " The Dallas Cowboys!"}])
        after = await adapter.complete(query=QUESTION, max_generated_token_count=20)
    # Served again from the same data dir, the adapter is read back from disk.
    async with serve(settings) as client:
        again = await (await client.get_model_adapter(model_adapter_id=adapter.id)).complete(
            query=QUESTION, max_generated_token_count=20
        )

    assert base.slug == "smollm2-135m-instruct"
    assert "Dallas Cowboys" not in before.generated_output
    assert "Dallas Cowboys" in after.generated_output
    assert again == after
