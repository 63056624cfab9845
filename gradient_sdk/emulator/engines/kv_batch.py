# torch and transformers ship few annotations: their values are Unknown to pyright.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false
# pyright: reportUnknownArgumentType=false
"""Several sequences' key-value caches held as one left-padded batch.

Sequences of different lengths share a forward pass when their caches are stacked along
the batch dimension: each shorter one is padded on the left to the longest, the padding is
masked out of attention, and each row's position ids count its own tokens only, so every
row computes what it would compute alone (up to the rounding of a wider matrix product).
Rows join once their prompts have run (alone, or left-padded together), and leave when
they finish; the padding all remaining rows share is then cut away, so a row left alone
has none.

Only transformers' ``DynamicCache`` of plain full-attention layers can be stacked so;
:func:`stackable` says whether a cache is one. Anything else decodes in a batch of its own.
"""

from __future__ import annotations

from typing import Any

import torch


def stackable(cache: Any) -> bool:
    """Whether ``cache`` is a ``DynamicCache`` whose layers are all plain tensors that grow
    along the sequence (no sliding window, no recurrent state), so rows can be stacked."""
    try:
        from transformers.cache_utils import DynamicCache, DynamicLayer
    except ImportError:  # a transformers from before per-layer caches
        return False
    if type(cache) is not DynamicCache or not cache.layers:
        return False
    return all(type(layer) is DynamicLayer and layer.is_initialized for layer in cache.layers)


def prompt_inputs(prompts: list[list[int]], device: torch.device) -> dict[str, torch.Tensor]:
    """The forward's inputs for several prompts at once: left-padded to the longest, the
    padding masked, each row's positions counted from its own first token."""
    width = max(len(prompt) for prompt in prompts)
    pads = torch.tensor([width - len(prompt) for prompt in prompts], device=device)
    # The pad id is never looked at: its positions are masked out of attention.
    ids = [[prompt[0]] * (width - len(prompt)) + prompt for prompt in prompts]
    inputs = {"input_ids": torch.tensor(ids, device=device)}
    if bool(pads.any()):
        columns = torch.arange(width, device=device)[None, :]
        inputs["attention_mask"] = (columns >= pads[:, None]).long()
        inputs["position_ids"] = (columns - pads[:, None]).clamp(min=0)
    return inputs


class PaddedBatch:
    """The rows of one batch: their stacked cache, and how much left padding each has.

    Rows are addressed by their index, in the order they joined.
    """

    def __init__(self, cache: Any, lengths: list[int]) -> None:
        """Rows whose prompts, of ``lengths`` tokens, ran together (left-padded, as
        :func:`prompt_inputs` makes them) or alone (one row) and left ``cache``."""
        self.cache = cache
        self._width = max(lengths)
        self._pads = [self._width - length for length in lengths]

    def add(self, other: PaddedBatch) -> None:
        """Stack the rows of ``other`` under these; ``other`` is used up."""
        width = max(self._width, other._width)
        self._pad_all(width - self._width)
        other._pad_all(width - other._width)
        for layer, joining in zip(self.cache.layers, other.cache.layers, strict=True):
            layer.keys = torch.cat([layer.keys, joining.keys])
            layer.values = torch.cat([layer.values, joining.values])
        self._pads += other._pads

    def keep(self, rows: list[int]) -> None:
        """Drop every row not in ``rows`` (indices, in order), then the padding left common."""
        if rows == list(range(len(self._pads))):
            return
        self.cache.batch_select_indices(torch.tensor(rows, dtype=torch.long))
        self._pads = [self._pads[row] for row in rows]
        cut = min(self._pads, default=0)
        if cut:
            for layer in self.cache.layers:
                layer.keys = layer.keys[..., cut:, :]
                layer.values = layer.values[..., cut:, :]
            self._pads = [pad - cut for pad in self._pads]
            self._width -= cut

    def step_inputs(self, tokens: list[int], device: torch.device) -> dict[str, torch.Tensor]:
        """The forward's inputs for one new token per row; the cache grows by one after.

        A batch without padding needs no mask and no explicit positions: it then runs the
        very call a lone sequence does.
        """
        inputs = {"input_ids": torch.tensor([[token] for token in tokens], device=device)}
        if any(self._pads):
            width = self._width + 1
            columns = torch.arange(width, device=device)
            pads = torch.tensor(self._pads, device=device)
            inputs["attention_mask"] = (columns[None, :] >= pads[:, None]).long()
            inputs["position_ids"] = (self._width - pads)[:, None]
        self._width += 1
        return inputs

    def _pad_all(self, grow: int) -> None:
        """``grow`` more positions of padding in front of every row."""
        if not grow:
            return
        for layer in self.cache.layers:
            layer.keys = _left_pad(layer.keys, grow)
            layer.values = _left_pad(layer.values, grow)
        self._pads = [pad + grow for pad in self._pads]
        self._width += grow


def _left_pad(states: torch.Tensor, pad: int) -> torch.Tensor:
    """``states`` (batch, heads, sequence, head size) with ``pad`` zero positions in front."""
    if not pad:
        return states
    return torch.nn.functional.pad(states, (0, 0, pad, 0))
