"""LoRA adapters written as GGUF adapter files for llama.cpp."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy
import pytest
from transformers.modeling_gguf_pytorch_utils import LlamaTensorProcessor

from gradient_sdk.emulator.engines import AdapterFormatError
from gradient_sdk.emulator.engines.gguf_lora import (
    BaseModelShape,
    LoraPair,
    interleave_rotary_halves,
    write_gguf_adapter,
)

SHAPE = BaseModelShape(architecture="llama", block_count=2, head_count=4, head_count_kv=2)
HIDDEN = 16  # 4 heads of 4
KV = 8  # 2 heads of 4


def _pairs(rank: int = 3) -> dict[str, LoraPair]:
    random = numpy.random.default_rng(7)
    sizes = {"self_attn.q_proj": HIDDEN, "self_attn.k_proj": KV, "mlp.down_proj": HIDDEN}
    return {
        f"model.layers.{block}.{layer}": (
            random.standard_normal((rank, HIDDEN), dtype=numpy.float32),
            random.standard_normal((out, rank), dtype=numpy.float32),
        )
        for block in range(2)
        for layer, out in sizes.items()
    }


@pytest.mark.parametrize("heads", [1, 2, 4])
def test_interleaving_is_undone_by_transformers_gguf_loader(heads: int) -> None:
    rows = numpy.arange(16 * 3, dtype=numpy.float32).reshape(16, 3)
    interleaved = interleave_rotary_halves(rows, heads)
    assert not numpy.array_equal(interleaved, rows)  # it moves rows, however many heads
    # transformers reorders a GGUF file's query and key rows this way when it loads one.
    restored = LlamaTensorProcessor()._reverse_permute_weights(interleaved, heads, heads)
    numpy.testing.assert_array_equal(restored, rows)


def test_interleaving_refuses_rows_that_do_not_split_into_heads() -> None:
    with pytest.raises(AdapterFormatError, match="do not split into 4 heads"):
        interleave_rotary_halves(numpy.zeros((6, 2), dtype=numpy.float32), 4)


def test_the_file_holds_every_pair_under_llama_cpp_names(tmp_path: Path) -> None:
    pairs = _pairs(rank=3)
    path = tmp_path / "adapter.gguf"
    write_gguf_adapter(path, pairs, scale=2.0, shape=SHAPE)

    reader = gguf.GGUFReader(path)
    assert reader.fields["general.type"].contents() == "adapter"
    assert reader.fields["general.architecture"].contents() == "llama"
    assert reader.fields["adapter.type"].contents() == "lora"
    # llama.cpp scales by alpha / rank, so alpha is the scale times the rank.
    assert reader.fields["adapter.lora.alpha"].contents() == pytest.approx(6.0)
    tensors = {tensor.name: numpy.asarray(tensor.data) for tensor in reader.tensors}
    assert len(tensors) == 2 * len(pairs)
    for block in range(2):
        down, up = pairs[f"model.layers.{block}.mlp.down_proj"]
        numpy.testing.assert_array_equal(tensors[f"blk.{block}.ffn_down.weight.lora_a"], down)
        numpy.testing.assert_array_equal(tensors[f"blk.{block}.ffn_down.weight.lora_b"], up)
        query_down, query_up = pairs[f"model.layers.{block}.self_attn.q_proj"]
        numpy.testing.assert_array_equal(tensors[f"blk.{block}.attn_q.weight.lora_a"], query_down)
        numpy.testing.assert_array_equal(
            tensors[f"blk.{block}.attn_q.weight.lora_b"], interleave_rotary_halves(query_up, 4)
        )
        _, key_up = pairs[f"model.layers.{block}.self_attn.k_proj"]
        numpy.testing.assert_array_equal(
            tensors[f"blk.{block}.attn_k.weight.lora_b"], interleave_rotary_halves(key_up, 2)
        )


def test_other_architectures_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    path = tmp_path / "adapter.gguf"
    shape = BaseModelShape(architecture="gpt2", block_count=2, head_count=4, head_count_kv=4)
    with pytest.raises(AdapterFormatError, match="'gpt2' models"):
        write_gguf_adapter(path, _pairs(), scale=2.0, shape=shape)
    assert not path.exists()


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ({}, "no layers"),
        (
            {
                "model.layers.0.mlp.up_proj": (numpy.zeros((2, 4)), numpy.zeros((4, 2))),
                "model.layers.0.mlp.down_proj": (numpy.zeros((3, 4)), numpy.zeros((4, 3))),
            },
            r"differ in rank: \[2, 3\]",
        ),
        (
            {"model.layers.0.not_a_layer": (numpy.zeros((2, 4)), numpy.zeros((4, 2)))},
            "has no llama.cpp counterpart",
        ),
    ],
)
def test_adapters_that_do_not_fit_are_refused(
    tmp_path: Path, pairs: dict[str, LoraPair], message: str
) -> None:
    path = tmp_path / "adapter.gguf"
    with pytest.raises(AdapterFormatError, match=message):
        write_gguf_adapter(path, pairs, scale=2.0, shape=SHAPE)
    assert not path.exists()
