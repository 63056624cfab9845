"""Would batching pay on llama.cpp? Four greedy completions decoded one after another, against
the same four decoded together, one token of each per pass, in one llama.cpp context.

Run it with ``nox -s bench`` or ``python benchmarks/llama_cpp_batching.py [--steps N]
[--rounds N]``.

This is the measurement behind the llama-cpp engine running one completion at a time. The
context keeps one cache per sequence (``kv_unified`` off), so that a sequence's logits cannot
depend on the sequences beside it; the script checks that they are bit for bit the logits of
the same sequence decoded alone, then times both ways on the same prompts (each prompt runs
alone in both, so only the decoding differs). It does so for the file as shipped (Q4_1) and
for the same weights written again as Q8_0 and Q4_0 (by the ``gguf`` package, in a
temporary folder): llama.cpp multiplies some block formats as matrices when a pass has
several rows, and others one row at a time. It prints one JSON document and writes it to
``benchmarks/results/llama-cpp-batching.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy
from gguf import GGMLQuantizationType, GGUFReader, GGUFValueType, GGUFWriter, quants
from numpy.typing import NDArray

from gradient_sdk.emulator.engines.llama_cpp_runtime import llama_cpp_bindings
from gradient_sdk.emulator.engines.loading import smollm2_gguf_path
from gradient_sdk.emulator.engines.threads import usable_cores

RESULTS = Path(__file__).resolve().parent / "results" / "llama-cpp-batching.json"
PROMPTS = (
    "What is the capital of France?",
    "Tell me a story about a dragon.",
    "Who won the Super Bowl in 1994?",
    "List three prime numbers.",
)
#: The context each sequence gets: far more than a prompt and its tokens need.
SEQUENCE_WINDOW = 1024

#: The block formats compared: the shipped file's, and two it is written again in.
FORMATS = ("Q4_1", "Q8_0", "Q4_0")

Logits = NDArray[numpy.float32]


def requantized(source: Path, target: str, folder: Path) -> Path:
    """``source`` with every Q4_1 tensor written again in the ``target`` block format."""
    reader = GGUFReader(source)
    kind = GGMLQuantizationType[target]
    writer = GGUFWriter(folder / f"{target}.gguf", reader.fields["general.architecture"].contents())
    for field in reader.fields.values():
        if field.name.startswith("GGUF.") or field.name == "general.architecture":
            continue  # the writer sets these itself
        value_type = field.types[0]
        item_type = field.types[-1] if value_type == GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), value_type, sub_type=item_type)
    tensors: list[NDArray[Any]] = []
    for tensor in reader.tensors:
        data, data_kind = tensor.data, tensor.tensor_type
        if data_kind == GGMLQuantizationType.Q4_1:
            data = quants.quantize(quants.dequantize(data, data_kind), kind)
            data_kind = kind
        writer.add_tensor_info(tensor.name, data.shape, data.dtype, data.nbytes, data_kind)
        tensors.append(data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for data in tensors:
        writer.write_tensor_data(data)
    writer.close()
    return folder / f"{target}.gguf"


class BatchedContext:
    """One llama.cpp context with a cache per sequence, fed by hand-built batches."""

    def __init__(self, path: Path, sequences: int, threads: int) -> None:
        lib = llama_cpp_bindings()  # llama.cpp's log goes to logging, as in the engine
        self._lib = lib
        self._model = lib.llama_model_load_from_file(
            str(path).encode(), lib.llama_model_default_params()
        )
        parameters = lib.llama_context_default_params()
        parameters.n_ctx = SEQUENCE_WINDOW * sequences
        parameters.n_batch = parameters.n_ubatch = 512
        parameters.n_threads = parameters.n_threads_batch = threads
        parameters.n_seq_max = sequences
        parameters.kv_unified = False  # a cache per sequence: nothing shared between them
        parameters.flash_attn_type = lib.LLAMA_FLASH_ATTN_TYPE_DISABLED  # as the engine
        parameters.no_perf = True
        self._context = lib.llama_init_from_model(self._model, parameters)
        self._memory = lib.llama_get_memory(self._context)
        self._vocab = lib.llama_model_get_vocab(self._model)
        self._size = int(lib.llama_vocab_n_tokens(self._vocab))
        self._batch = lib.llama_batch_init(512, 0, sequences)

    def close(self) -> None:
        self._lib.llama_batch_free(self._batch)
        self._lib.llama_free(self._context)
        self._lib.llama_model_free(self._model)

    def tokens(self, text: str) -> list[int]:
        data = text.encode()
        found = (self._lib.llama_token * 512)()
        count = self._lib.llama_tokenize(self._vocab, data, len(data), found, 512, True, True)
        return list(found[:count])

    def clear(self) -> None:
        self._lib.llama_memory_clear(self._memory, False)

    def decode(self, items: Sequence[tuple[int, int, int, bool]]) -> list[Logits]:
        """One pass over ``(token, position, sequence, wants logits)`` items; the logits
        asked for, in order."""
        batch = self._batch
        batch.n_tokens = len(items)
        for index, (token, position, sequence, wanted) in enumerate(items):
            batch.token[index] = token
            batch.pos[index] = position
            batch.n_seq_id[index] = 1
            batch.seq_id[index][0] = sequence
            batch.logits[index] = wanted
        if self._lib.llama_decode(self._context, batch) != 0:
            raise RuntimeError("llama.cpp could not decode the batch")
        return [
            numpy.array(
                numpy.ctypeslib.as_array(
                    self._lib.llama_get_logits_ith(self._context, index), shape=(self._size,)
                ),
                dtype=numpy.float32,
            )
            for index, item in enumerate(items)
            if item[3]
        ]


def greedy(
    context: BatchedContext, prompts: list[list[int]], sequences: list[int], steps: int
) -> dict[int, list[Logits]]:
    """The logits of ``steps`` greedy tokens for each of ``sequences``, decoded together."""
    context.clear()
    position: dict[int, int] = {}
    last: dict[int, int] = {}
    seen: dict[int, list[Logits]] = {}
    for sequence in sequences:  # each prompt in a pass of its own
        prompt = prompts[sequence]
        (logits,) = context.decode(
            [(token, at, sequence, at == len(prompt) - 1) for at, token in enumerate(prompt)]
        )
        position[sequence] = len(prompt)
        last[sequence] = int(logits.argmax())
        seen[sequence] = [logits]
    for _ in range(steps - 1):
        passed = context.decode([(last[s], position[s], s, True) for s in sequences])
        for sequence, logits in zip(sequences, passed, strict=True):
            position[sequence] += 1
            last[sequence] = int(logits.argmax())
            seen[sequence].append(logits)
    return seen


def measure(path: Path, steps: int, rounds: int) -> dict[str, Any]:
    """Four completions one after another and together, in ``rounds`` interleaved rounds."""
    context = BatchedContext(path, len(PROMPTS), usable_cores())
    try:
        prompts = [context.tokens(text) for text in PROMPTS]
        everyone = list(range(len(PROMPTS)))
        greedy(context, prompts, everyone, 4)  # warm up
        alone_s: list[float] = []
        together_s: list[float] = []
        largest = 0.0
        for _ in range(rounds):
            started = time.perf_counter()
            alone = {s: greedy(context, prompts, [s], steps)[s] for s in everyone}
            alone_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            together = greedy(context, prompts, everyone, steps)
            together_s.append(time.perf_counter() - started)
            largest = max(
                largest,
                *(
                    float(numpy.abs(a - b).max())
                    for s in everyone
                    for a, b in zip(alone[s], together[s], strict=True)
                ),
            )
    finally:
        context.close()
    sequential, batched = statistics.median(alone_s), statistics.median(together_s)
    return {
        "sequential_s": sequential,
        "batched_s": batched,
        "speed_up": sequential / batched,
        "tokens_per_s_alone": len(PROMPTS) * steps / sequential,
        "largest_logit_difference": largest,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Would batching pay on llama.cpp?")
    parser.add_argument("--steps", type=int, default=48, help="greedy tokens per completion")
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    formats: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="gradient-bench-requantized-") as folder:
        for name in FORMATS:
            shipped = smollm2_gguf_path()
            path = shipped if name == "Q4_1" else requantized(shipped, name, Path(folder))
            formats[name] = measure(path, arguments.steps, arguments.rounds)
            found = formats[name]
            print(
                f"{name}: {len(PROMPTS)} completions of {arguments.steps} tokens, "
                f"{found['sequential_s']:.2f} s one after another "
                f"({found['tokens_per_s_alone']:.1f} tok/s), {found['batched_s']:.2f} s "
                f"together: {found['speed_up']:.2f}x; largest logit difference "
                f"{found['largest_logit_difference']:g}",
                flush=True,
            )
    results = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "load_average": list(os.getloadavg()),
        },
        "sequences": len(PROMPTS),
        "tokens_each": arguments.steps,
        "rounds": arguments.rounds,
        "formats": formats,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
