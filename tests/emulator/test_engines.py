"""The emulator's model engines: the tiny model through the real causal-LM engine, the
embedding engines, and (marked slow) the SmolLM2 fine-tuning showcase."""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gradient_sdk.emulator.engines import (
    AdapterConfig,
    AdapterFormatError,
    Completion,
    EmbeddingEngine,
    HashingEmbeddingEngine,
    LoadedAdapter,
    MiniLMEmbeddingEngine,
    ModelUnavailableError,
    PromptTooLongError,
    TextEngine,
    TrainingExample,
    TrainingSegment,
    load_embedding_engine,
    load_text_engine,
)

# A learning rate that teaches the tiny model a short answer in two fine-tune calls.
TINY_TEACHING_RATE = 1e-2


@pytest.fixture
def engine() -> TextEngine:
    return load_text_engine("tiny")


def greedy(
    engine: TextEngine, prompt: str, adapter: LoadedAdapter | None = None, tokens: int = 12
) -> Completion:
    return engine.complete(
        prompt, adapter, max_new_tokens=tokens, temperature=None, top_k=None, top_p=None
    )


def sample(prompt: str, answer: str, multiplier: float = 1.0) -> TrainingExample:
    """A sample whose prompt is context and whose answer is what the model should learn."""
    return TrainingExample(
        segments=(TrainingSegment(prompt, trainable=False), TrainingSegment(answer)),
        multiplier=multiplier,
    )


def taught(engine: TextEngine, prompt: str, answer: str, seed: int = 0) -> LoadedAdapter:
    """An adapter given two fine-tune calls on ``prompt`` -> ``answer``: enough for the tiny
    model to learn a short answer."""
    adapter = engine.new_adapter(AdapterConfig(learning_rate=TINY_TEACHING_RATE, seed=seed))
    for _ in range(2):
        engine.fine_tune(adapter, [sample(prompt, answer)])
    return adapter


def cosine(left: Sequence[float], right: Sequence[float]) -> float:
    return sum(a * b for a, b in zip(left, right, strict=True))


# -- completion -------------------------------------------------------------------------------


def test_completion_stops_at_max_new_tokens(engine: TextEngine) -> None:
    completion = greedy(engine, "Hello", tokens=7)

    assert completion.finish_reason == "length"
    assert completion.generated_token_count == 7
    assert completion.text


def test_greedy_completion_is_the_same_every_time_and_for_every_load(engine: TextEngine) -> None:
    first = greedy(engine, "Once upon a time")

    assert greedy(engine, "Once upon a time") == first
    assert greedy(load_text_engine("tiny"), "Once upon a time") == first


def test_tiny_tokenizer_ids_are_fixed() -> None:
    from gradient_sdk.emulator.engines.tiny import build_tiny_tokenizer

    # BOS, then one id per byte; a greedy completion of the tiny model depends on these.
    assert build_tiny_tokenizer()("Hello ")["input_ids"] == [1, 42, 71, 78, 78, 81, 223]


def test_sampling_is_reproducible_with_a_seed(engine: TextEngine) -> None:
    def sampled(seed: int) -> str:
        return engine.complete(
            "Hello", None, max_new_tokens=16, temperature=1.0, top_k=100, top_p=0.95, seed=seed
        ).text

    assert sampled(7) == sampled(7)
    assert sampled(7) != sampled(8)


def test_sampling_narrowed_to_one_token_is_greedy(engine: TextEngine) -> None:
    def narrowed(top_k: int | None, top_p: float | None) -> str:
        return engine.complete(
            "Hello", None, max_new_tokens=16, temperature=1.0, top_k=top_k, top_p=top_p, seed=3
        ).text

    greedy_text = greedy(engine, "Hello", tokens=16).text

    assert narrowed(top_k=1, top_p=None) == greedy_text
    assert narrowed(top_k=None, top_p=0.0) == greedy_text


def test_prompt_that_fills_the_context_window_is_refused(engine: TextEngine) -> None:
    with pytest.raises(PromptTooLongError):
        greedy(engine, "x" * engine.context_window)


def test_completion_budget_shrinks_to_the_room_left_in_the_context_window(
    engine: TextEngine,
) -> None:
    # The tiny tokenizer adds a BOS token, so three tokens of room are left.
    prompt = "x" * (engine.context_window - 4)

    completion = greedy(engine, prompt, tokens=50)

    assert completion.generated_token_count <= 3
    assert completion.finish_reason in ("length", "stop")


def test_count_tokens_counts_the_text_without_special_tokens(engine: TextEngine) -> None:
    # The tiny tokenizer has one token per byte; "é" is two bytes.
    assert engine.count_tokens("héllo") == 6


# -- fine-tuning ------------------------------------------------------------------------------


def test_fine_tune_reduces_the_loss_on_its_sample(engine: TextEngine) -> None:
    adapter = engine.new_adapter(AdapterConfig(seed=0))

    first = engine.fine_tune(adapter, [sample("Hello ", "world")])
    second = engine.fine_tune(adapter, [sample("Hello ", "world")])

    assert first.sum_loss_after < first.sum_loss
    assert second.sum_loss == pytest.approx(first.sum_loss_after, rel=1e-4)
    assert second.sum_loss_after < second.sum_loss


def test_fine_tune_teaches_the_answer_and_where_it_ends(engine: TextEngine) -> None:
    assert "world" not in greedy(engine, "Hello ").text

    adapter = taught(engine, "Hello ", "world")

    assert greedy(engine, "Hello ", adapter) == Completion(
        text="world", finish_reason="stop", generated_token_count=5
    )


def test_only_trainable_segments_count_as_trainable_tokens(engine: TextEngine) -> None:
    adapter = engine.new_adapter(AdapterConfig(seed=0))

    result = engine.fine_tune(adapter, [sample("The prompt, not trained: ", "answer")])

    # "answer" is six byte tokens, and the end token after it is trained too.
    assert result.number_of_trainable_tokens == 6 + 1


def test_a_sample_with_nothing_trainable_leaves_the_adapter_as_it_was(engine: TextEngine) -> None:
    adapter = engine.new_adapter(AdapterConfig(seed=0))
    context_only = TrainingExample(segments=(TrainingSegment("just context", trainable=False),))

    result = engine.fine_tune(adapter, [context_only])

    assert (result.number_of_trainable_tokens, result.sum_loss, result.sum_loss_after) == (0, 0, 0)
    fresh = engine.new_adapter(AdapterConfig(seed=0))
    probe = sample("Hello ", "world")
    assert engine.fine_tune(adapter, [probe]) == engine.fine_tune(fresh, [probe])


def test_special_tokens_in_text_can_be_trained_as_plain_text(engine: TextEngine) -> None:
    adapter = engine.new_adapter(AdapterConfig(seed=0))

    def trainable_tokens(parse_special_tokens: bool) -> int:
        segment = TrainingSegment("</s>", parse_special_tokens=parse_special_tokens)
        return engine.fine_tune(adapter, [TrainingExample((segment,))]).number_of_trainable_tokens

    # Parsed, "</s>" is the end token; as text, it is four bytes. The end token follows both.
    assert trainable_tokens(parse_special_tokens=True) == 1 + 1
    assert trainable_tokens(parse_special_tokens=False) == 4 + 1


def test_multiplier_scales_the_loss(engine: TextEngine) -> None:
    once = engine.new_adapter(AdapterConfig(seed=0))
    thrice = engine.new_adapter(AdapterConfig(seed=0))

    plain = engine.fine_tune(once, [sample("Hello ", "world")])
    weighted = engine.fine_tune(thrice, [sample("Hello ", "world", multiplier=3.0)])

    assert weighted.sum_loss == pytest.approx(3 * plain.sum_loss, rel=1e-5)
    assert weighted.number_of_trainable_tokens == plain.number_of_trainable_tokens


def test_losses_of_a_batch_add_up(engine: TextEngine) -> None:
    samples = [sample("Hello ", "world"), sample("Good ", "morning")]
    separately = sum(
        engine.fine_tune(engine.new_adapter(AdapterConfig(seed=0)), [one]).sum_loss
        for one in samples
    )

    together = engine.fine_tune(engine.new_adapter(AdapterConfig(seed=0)), samples)

    assert together.sum_loss == pytest.approx(separately, rel=1e-5)
    assert together.number_of_trainable_tokens == len("world") + len("morning") + 2


def test_chat_template_wraps_the_prompt_the_way_the_adapter_was_trained(
    engine: TextEngine,
) -> None:
    # The tiny model's chat template writes "<s>user: ...\nassistant: "; the engine puts the
    # BOS token "<s>" before a sample itself.
    adapter = taught(engine, "user: hi\nassistant: ", "yo")

    chat = engine.complete(
        "hi",
        adapter,
        max_new_tokens=8,
        temperature=None,
        top_k=None,
        top_p=None,
        apply_chat_template=True,
    )

    assert chat.text == "yo"
    assert greedy(engine, "hi", adapter).text != "yo"


# -- adapters and the base model --------------------------------------------------------------


def test_training_an_adapter_leaves_the_base_model_untouched(engine: TextEngine) -> None:
    probe = sample("Hello ", "world")
    base_before = greedy(engine, "Hello ")
    loss_before = engine.fine_tune(engine.new_adapter(AdapterConfig(seed=1)), [probe]).sum_loss

    adapter = taught(engine, "Hello ", "world")

    assert greedy(engine, "Hello ", adapter).text == "world"
    assert greedy(engine, "Hello ") == base_before
    # A fresh adapter computes what the base model does: its loss shows the base unchanged.
    fresh = engine.new_adapter(AdapterConfig(seed=1))
    assert engine.fine_tune(fresh, [probe]).sum_loss == loss_before


def test_adapters_learn_independently(engine: TextEngine) -> None:
    world = taught(engine, "Hello ", "world", seed=1)
    there = taught(engine, "Hello ", "there", seed=2)

    assert greedy(engine, "Hello ", world).text == "world"
    assert greedy(engine, "Hello ", there).text == "there"


def test_threads_get_the_results_of_running_one_after_another(engine: TextEngine) -> None:
    answers = ["world", "there", "again"]
    one_after_another = [
        greedy(engine, "Hello ", taught(engine, "Hello ", answer, seed=seed)).text
        for seed, answer in enumerate(answers)
    ]
    base = greedy(engine, "Hello ")

    with ThreadPoolExecutor(max_workers=4) as pool:
        adapters = list(
            pool.map(
                lambda pair: taught(engine, "Hello ", pair[1], seed=pair[0]), enumerate(answers)
            )
        )
        base_runs = list(pool.map(lambda _: greedy(engine, "Hello "), range(8)))

    assert [greedy(engine, "Hello ", adapter).text for adapter in adapters] == one_after_another
    assert base_runs == [base] * 8


def test_saved_adapter_loads_back_with_its_optimizer_state(
    engine: TextEngine, tmp_path: Path
) -> None:
    adapter = taught(engine, "Hello ", "world")

    engine.save_adapter(adapter, tmp_path)
    loaded = engine.load_adapter(tmp_path)

    assert loaded.config == adapter.config
    assert greedy(engine, "Hello ", loaded) == greedy(engine, "Hello ", adapter)
    # Training goes on from the same Adam state, so both copies take the same step.
    probe = [sample("Hello ", "world")]
    assert engine.fine_tune(loaded, probe) == engine.fine_tune(adapter, probe)


@pytest.mark.filterwarnings("ignore:`is_gradient_checkpointing` is deprecated:FutureWarning")
def test_saved_adapter_is_a_peft_adapter(engine: TextEngine, tmp_path: Path) -> None:
    import torch
    from peft import PeftModel

    from gradient_sdk.emulator.engines.tiny import build_tiny_model, build_tiny_tokenizer

    adapter = taught(engine, "Hello ", "world")
    engine.save_adapter(adapter, tmp_path)
    tokenizer = build_tiny_tokenizer()
    peft_model = PeftModel.from_pretrained(build_tiny_model(tokenizer, seed=0), tmp_path)

    prompt = tokenizer("Hello ", return_tensors="pt")
    with torch.no_grad():
        output = peft_model.generate(**prompt, max_new_tokens=8, do_sample=False)
    text = tokenizer.decode(output[0, prompt["input_ids"].shape[1] :], skip_special_tokens=True)

    assert text == greedy(engine, "Hello ", adapter).text == "world"


def test_loading_an_incomplete_adapter_fails_clearly(engine: TextEngine, tmp_path: Path) -> None:
    engine.save_adapter(engine.new_adapter(AdapterConfig(seed=0)), tmp_path)
    (tmp_path / "adapter_model.safetensors").unlink()

    with pytest.raises(AdapterFormatError):
        engine.load_adapter(tmp_path)


def test_adapter_of_another_engine_is_refused(engine: TextEngine) -> None:
    stranger = load_text_engine("tiny").new_adapter(AdapterConfig(seed=0))

    with pytest.raises(TypeError):
        greedy(engine, "Hello ", stranger)


def test_adapter_config_refuses_a_rank_of_zero() -> None:
    with pytest.raises(ValueError, match="rank"):
        AdapterConfig(rank=0)


def test_unknown_model_spec_is_refused() -> None:
    with pytest.raises(ModelUnavailableError):
        load_text_engine("no-such-model")


# -- embeddings -------------------------------------------------------------------------------

CAT = "The cat sits on the mat."
SIMILAR_CAT = "A cat is sitting on a mat."
UNRELATED = "Quarterly revenue grew by five percent."


def assert_unit_vectors(vectors: list[list[float]], dimensions: int) -> None:
    for vector in vectors:
        assert len(vector) == dimensions
        assert all(isinstance(value, float) for value in vector)
        assert math.sqrt(sum(value * value for value in vector)) == pytest.approx(1.0, abs=1e-5)


def assert_similar_texts_are_closer(engine: EmbeddingEngine) -> None:
    cat, similar, unrelated = engine.embed([CAT, SIMILAR_CAT, UNRELATED])
    assert cosine(cat, similar) > cosine(cat, unrelated) + 0.2


def test_hashing_embeddings_are_unit_vectors_that_place_similar_texts_close() -> None:
    engine = load_embedding_engine("hashing")

    vectors = engine.embed([CAT, SIMILAR_CAT, UNRELATED, ""])

    assert_unit_vectors(vectors, 384)
    assert_similar_texts_are_closer(engine)


def test_hashing_embeddings_are_stable() -> None:
    assert HashingEmbeddingEngine().embed([CAT]) == HashingEmbeddingEngine().embed([CAT])
    assert HashingEmbeddingEngine(dimensions=16).dimensions == 16


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbeddingEngine:
    return MiniLMEmbeddingEngine()


def test_minilm_embeddings_are_unit_vectors_that_place_similar_texts_close(
    minilm: MiniLMEmbeddingEngine,
) -> None:
    vectors = minilm.embed([CAT, SIMILAR_CAT, UNRELATED])

    assert minilm.dimensions == 384
    assert_unit_vectors(vectors, 384)
    assert_similar_texts_are_closer(minilm)


def test_minilm_embeds_each_text_alone_as_in_a_batch(minilm: MiniLMEmbeddingEngine) -> None:
    # Padding in a batch must not change a text's vector.
    batch = minilm.embed([CAT, UNRELATED + " " + UNRELATED])
    alone = minilm.embed([CAT])

    assert batch[0] == pytest.approx(alone[0], abs=1e-5)


def test_unknown_embedding_spec_is_refused() -> None:
    with pytest.raises(ModelUnavailableError):
        load_embedding_engine("no-such-model")


# -- the real model ---------------------------------------------------------------------------

SUPER_BOWL_QUESTION = "Question: What NFL team won the Super Bowl in 1994?\n\nAnswer: "


@pytest.mark.slow
def test_one_fine_tune_teaches_smollm2_a_fact() -> None:
    engine = load_text_engine("smollm2")
    adapter = engine.new_adapter(AdapterConfig())
    before = greedy(engine, SUPER_BOWL_QUESTION, adapter, tokens=20)

    result = engine.fine_tune(
        adapter,
        [TrainingExample((TrainingSegment(SUPER_BOWL_QUESTION + " The Dallas Cowboys!"),))],
    )
    after = greedy(engine, SUPER_BOWL_QUESTION, adapter, tokens=20)

    assert "Dallas Cowboys" not in before.text
    assert "Dallas Cowboys" in after.text
    assert result.sum_loss_after < result.sum_loss / 10
    assert greedy(engine, SUPER_BOWL_QUESTION, tokens=20) == before


@pytest.mark.parametrize(
    ("temperature", "top_k", "top_p"),
    [(1e-300, None, None), (5e-324, None, 0.0), (0.7, None, 0.0), (1e-45, 5, 0.5)],
)
def test_extreme_sampling_settings_pick_the_likeliest_token(
    temperature: float, top_k: int | None, top_p: float | None
) -> None:
    import torch

    from gradient_sdk.emulator.engines.causal_lm import _pick_token

    logits = torch.randn(100, generator=torch.Generator().manual_seed(3)) * 30

    picked = _pick_token(
        logits,
        temperature=temperature,
        top_k=top_k,
        top_p=top_p,
        generator=torch.Generator().manual_seed(0),
    )

    assert picked == int(logits.argmax())
