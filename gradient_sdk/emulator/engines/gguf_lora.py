# gguf ships no annotations: its values are Unknown to pyright.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false
# pyright: reportUnknownArgumentType=false
"""LoRA adapters written as GGUF adapter files, the form llama.cpp loads onto a base model.

The torch engine trains an adapter as PEFT does: for each linear layer named the Hugging
Face way (``model.layers.3.self_attn.q_proj``), ``A`` (``rank x in``) and ``B``
(``out x rank``), the update scaled by ``alpha / rank``. A GGUF adapter holds the same
matrices under llama.cpp's tensor names (``blk.3.attn_q.weight.lora_a`` and ``.lora_b``),
with ``alpha`` in the metadata, so llama.cpp applies the very same update.

One twist: llama-architecture GGUF files keep the rows of the query and key projections in
another order than Hugging Face checkpoints do (each head's rotary halves interleaved), and
transformers undoes that order when it loads such a file. The rows of ``B`` for those two
layers are put back into the file's order here, so the update lands on the rows it was
trained for.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import attrs
import gguf
import numpy
from numpy.typing import NDArray

from .base import AdapterFormatError

#: The architectures whose adapters this module can write.
SUPPORTED_ARCHITECTURES = frozenset({"llama"})


@attrs.frozen
class BaseModelShape:
    """What an adapter file must agree with: the base model's architecture, its number of
    blocks, and its attention heads (queries, and keys and values)."""

    architecture: str
    block_count: int
    head_count: int
    head_count_kv: int


#: One layer's LoRA matrices: ``A`` (``rank x in``) and ``B`` (``out x rank``), float32.
LoraPair = tuple[NDArray[numpy.float32], NDArray[numpy.float32]]


def write_gguf_adapter(
    path: Path, pairs: Mapping[str, LoraPair], *, scale: float, shape: BaseModelShape
) -> None:
    """Write ``pairs`` (keyed by Hugging Face layer name) as a GGUF LoRA adapter at ``path``,
    its update scaled by ``scale`` (that is, ``alpha / rank``)."""
    if shape.architecture not in SUPPORTED_ARCHITECTURES:
        raise AdapterFormatError(
            f"adapters for {shape.architecture!r} models cannot be written for llama.cpp yet;"
            f" supported: {', '.join(sorted(SUPPORTED_ARCHITECTURES))}"
        )
    if not pairs:
        raise AdapterFormatError("the adapter has no layers")
    ranks = {down.shape[0] for down, _ in pairs.values()}
    if len(ranks) != 1:
        raise AdapterFormatError(f"the adapter's layers differ in rank: {sorted(ranks)}")
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, shape.block_count)
    tensors: dict[str, NDArray[numpy.float32]] = {}
    for layer_name, (down, up) in pairs.items():
        tensor_name = names.get_name(layer_name)
        if tensor_name is None:
            raise AdapterFormatError(f"layer {layer_name} has no llama.cpp counterpart")
        tensors[f"{tensor_name}.weight.lora_a"] = down
        tensors[f"{tensor_name}.weight.lora_b"] = _in_file_row_order(tensor_name, up, shape)
    writer = gguf.GGUFWriter(path, shape.architecture)
    try:
        writer.add_type(gguf.GGUFType.ADAPTER)
        writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
        writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, scale * ranks.pop())
        for name, tensor in tensors.items():
            writer.add_tensor(name, numpy.ascontiguousarray(tensor, dtype=numpy.float32))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
    finally:
        writer.close()


def _in_file_row_order(
    tensor_name: str, up: NDArray[numpy.float32], shape: BaseModelShape
) -> NDArray[numpy.float32]:
    """``B``'s rows in the order the GGUF file keeps its layer's rows."""
    if tensor_name.endswith(".attn_q"):
        return interleave_rotary_halves(up, shape.head_count)
    if tensor_name.endswith(".attn_k"):
        return interleave_rotary_halves(up, shape.head_count_kv)
    return up


def interleave_rotary_halves(rows: NDArray[numpy.float32], heads: int) -> NDArray[numpy.float32]:
    """Reorder each head's rows from two halves (``x0 .. x(n/2-1), y0 ..``) to pairs
    (``x0 y0 x1 y1 ..``): from the Hugging Face order to llama.cpp's."""
    out_features = rows.shape[0]
    if out_features % (2 * heads):
        raise AdapterFormatError(
            f"{out_features} rows do not split into {heads} heads of two rotary halves"
        )
    per_half = out_features // heads // 2
    split = rows.reshape(heads, 2, per_half, *rows.shape[1:])
    interleaved: NDArray[numpy.float32] = split.swapaxes(1, 2).reshape(rows.shape)
    return interleaved
