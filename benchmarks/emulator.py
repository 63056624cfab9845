"""The emulator's overhead: its throughput against the same engine called directly.

Run it with ``nox -s bench`` or ``python benchmarks/emulator.py [--model tiny|smollm2]
[--rounds N]``. One process loads the engine once and measures, for each way in:

- ``direct``: the engine's own ``complete`` and ``fine_tune``, called in this thread;
- ``asgi``: the SDK's ``AsyncGradient`` through ``httpx.ASGITransport`` into the emulator's
  app (``serve``), which runs the SAME engine object;
- ``http``: the SDK over real HTTP to the same app under uvicorn on 127.0.0.1
  (``serve_http``), again with the same engine object (``--no-http`` skips it).

Two metrics: completion tokens per second (a fixed prompt, greedy, a fixed token budget, on a
fresh adapter that is never trained, so every way produces the same text) and the wall time
of one ``fine_tune`` call on a fixed sample (the emulator's time includes storing the new
weights durably, which it does before it answers). Each way is warmed up first; then each
round runs every way once per metric, in an order that rotates from round to round, so a
slow spell on a shared machine hits every way alike. The headline ratio is the emulator's
median over the direct median, as a speed (higher is better); the target is >= 0.95.

With ``--model smollm2`` it times the seed fine-tune as a plain PEFT loop too (float32 and
bfloat16 autocast), the comparison the issue sets for the emulator's fine-tune. It also
times two starts of ``gradient emulator`` to their first answer (with an empty
cache of converted weights, then with the cache), and, over HTTP, four completions one
after the other against the same four sent at once, on one adapter and on four (the
speed-up that batching overlapping completions gives; the goal is >= 2.5x).

Results go to ``benchmarks/results/emulator-<model>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from gradient_sdk import AsyncGradient
from gradient_sdk.emulator import Emulator, serve, serve_http
from gradient_sdk.emulator.engines import (
    TEXT_ENGINE_KINDS,
    AdapterConfig,
    LoadedAdapter,
    TextEngine,
    TrainingExample,
    TrainingSegment,
    load_text_engine,
)

TARGET = 0.95
PROMPT = "Once upon a time, in a small village by the sea,"
FINE_TUNE_TEXT = (
    "Question: What NFL team won the Super Bowl in 1994?\n\nAnswer: " + " The Dallas Cowboys!"
)
RESULTS_DIR = Path(__file__).resolve().parent / "results"
COMPLETE, FINE_TUNE = "completion tokens/s", "fine-tune call s"


class Way:
    """One way to reach the engine: times a completion (returning seconds and tokens) and a
    fine-tune call (returning seconds)."""

    def __init__(
        self,
        name: str,
        complete: Callable[[], Awaitable[tuple[float, int]]],
        fine_tune: Callable[[], Awaitable[float]],
    ) -> None:
        self.name = name
        self.complete = complete
        self.fine_tune = fine_tune


def direct_way(engine: TextEngine, max_tokens: int, reference: dict[str, int]) -> Way:
    """The engine called in this thread, as the emulator's worker thread would call it."""
    complete_adapter: LoadedAdapter = engine.new_adapter(AdapterConfig(seed=0))
    tune_adapter: LoadedAdapter = engine.new_adapter(AdapterConfig(seed=1))
    sample = [TrainingExample(segments=(TrainingSegment(text=FINE_TUNE_TEXT),))]

    async def complete() -> tuple[float, int]:
        started = time.perf_counter()
        completion = engine.complete(
            PROMPT, complete_adapter, max_new_tokens=max_tokens, temperature=None, top_k=None,
            top_p=None,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        reference.setdefault(completion.text, completion.generated_token_count)
        return elapsed, completion.generated_token_count

    async def fine_tune() -> float:
        started = time.perf_counter()
        engine.fine_tune(tune_adapter, sample)
        return time.perf_counter() - started

    return Way("direct", complete, fine_tune)


async def sdk_way(
    name: str, client: AsyncGradient, engine: TextEngine, max_tokens: int, reference: dict[str, int]
) -> Way:
    """The emulator through the SDK, on adapters created through the API."""
    base = (await client.list_models(only_base=True))[0]
    complete_adapter = await base.create_model_adapter(name=f"bench-{name}-complete")
    tune_adapter = await base.create_model_adapter(name=f"bench-{name}-fine-tune")

    async def complete() -> tuple[float, int]:
        started = time.perf_counter()
        response = await complete_adapter.complete(
            query=PROMPT, max_generated_token_count=max_tokens, temperature=0
        )
        elapsed = time.perf_counter() - started
        # The wire does not carry a token count; the untrained adapter decodes exactly what
        # the direct call did, whose count we know.
        tokens = reference.get(response.generated_output)
        if tokens is None:
            print(f"  note: {name} answered differently from direct; counting its tokens")
            tokens = engine.count_tokens(response.generated_output)
        return elapsed, tokens

    async def fine_tune() -> float:
        started = time.perf_counter()
        await tune_adapter.fine_tune(samples=[{"inputs": FINE_TUNE_TEXT}])
        return time.perf_counter() - started

    return Way(name, complete, fine_tune)


def persist_probe(engine: TextEngine, directory: Path) -> Callable[[], float]:
    """Times ``save_adapter`` alone (files written and fsynced): the part of an emulator
    fine-tune that the direct call does not do."""
    adapter = engine.new_adapter(AdapterConfig(seed=2))

    def probe() -> float:
        target = Path(tempfile.mkdtemp(dir=directory))
        started = time.perf_counter()
        engine.save_adapter(adapter, target)
        return time.perf_counter() - started

    return probe


async def measure(ways: list[Way], rounds: int, persist: Callable[[], float]) -> dict[str, Any]:
    """Warm every way up, then time ``rounds`` rounds in rotating order."""
    print("warming up ...", flush=True)
    for way in ways:
        await way.complete()
        await way.fine_tune()
    samples: dict[str, dict[str, list[float]]] = {
        way.name: {COMPLETE: [], FINE_TUNE: []} for way in ways
    }
    persist_times: list[float] = []
    for number in range(rounds):
        order = ways[number % len(ways) :] + ways[: number % len(ways)]
        for way in order:
            seconds, tokens = await way.complete()
            samples[way.name][COMPLETE].append(tokens / seconds)
        for way in order:
            samples[way.name][FINE_TUNE].append(await way.fine_tune())
        persist_times.append(persist())
        summary = "  ".join(
            f"{way.name} {samples[way.name][COMPLETE][-1]:.1f} tok/s,"
            f" {samples[way.name][FINE_TUNE][-1]:.2f} s"
            for way in ways
        )
        print(f"round {number + 1}/{rounds}: {summary}", flush=True)
    return {"samples": samples, "persist_s": persist_times}


def spread(values: list[float]) -> dict[str, float]:
    """Median, extremes and relative interquartile range of some measurements."""
    median = statistics.median(values)
    quartiles = statistics.quantiles(values, n=4) if len(values) > 1 else [median] * 3
    return {
        "median": median,
        "min": min(values),
        "max": max(values),
        "iqr_pct": 100 * (quartiles[2] - quartiles[0]) / median,
    }


def speed_ratio(metric: str, emulator: list[float], direct: list[float]) -> float:
    """The emulator's speed as a fraction of direct: tokens/s over tokens/s, or direct time
    over emulator time."""
    ratio = statistics.median(emulator) / statistics.median(direct)
    return ratio if metric == COMPLETE else 1 / ratio


def paired_ratio(metric: str, emulator: list[float], direct: list[float]) -> float:
    """The median of the per-round ratios: a check on the headline that drifts in machine
    load between rounds cannot move."""
    per_round = [
        e / d if metric == COMPLETE else d / e for e, d in zip(emulator, direct, strict=True)
    ]
    return statistics.median(per_round)


def report(results: dict[str, Any]) -> dict[str, Any]:
    """Print the table and work out ratios and verdicts."""
    samples: dict[str, dict[str, list[float]]] = results["samples"]
    direct = samples["direct"]
    table: dict[str, Any] = {}
    print()
    print(f"{'metric':<20} {'way':<7} {'median':>9} {'min-max':>17} {'IQR':>6} {'ratio':>6}")
    for metric in (COMPLETE, FINE_TUNE):
        for name, by_metric in samples.items():
            stats = spread(by_metric[metric])
            entry: dict[str, Any] = {**stats, "values": by_metric[metric]}
            ratio_text = ""
            if name != "direct":
                ratio = speed_ratio(metric, by_metric[metric], direct[metric])
                entry["ratio_vs_direct"] = ratio
                entry["paired_ratio_vs_direct"] = paired_ratio(
                    metric, by_metric[metric], direct[metric]
                )
                entry["pass"] = ratio >= TARGET
                ratio_text = f"{ratio:.3f}"
            table.setdefault(metric, {})[name] = entry
            print(
                f"{metric:<20} {name:<7} {stats['median']:>9.3f}"
                f" {stats['min']:>8.3f}-{stats['max']:<8.3f} {stats['iqr_pct']:>5.1f}%"
                f" {ratio_text:>6}"
            )
    print()
    print(f"target: emulator speed >= {TARGET:.2f} x direct (ratio of medians)")
    for metric, by_way in table.items():
        for name, entry in by_way.items():
            if name == "direct":
                continue
            verdict = "PASS" if entry["pass"] else "FAIL"
            print(
                f"  {verdict}  {metric} via {name}: {entry['ratio_vs_direct']:.3f}"
                f" (median of per-round ratios {entry['paired_ratio_vs_direct']:.3f})"
            )
    persist = spread(results["persist_s"])
    overheads = {
        name: table[FINE_TUNE][name]["median"] - table[FINE_TUNE]["direct"]["median"]
        for name in samples
        if name != "direct"
    }
    print(
        f"saving an adapter (save_adapter with fsync, measured alone): median"
        f" {persist['median'] * 1000:.0f} ms; emulator fine-tune minus direct: "
        + ", ".join(f"{name} {seconds * 1000:+.0f} ms" for name, seconds in overheads.items())
    )
    return {"metrics": table, "save_adapter_s": {**persist, "values": results["persist_s"]}}


async def measure_concurrency(
    client: AsyncGradient, max_tokens: int, rounds: int
) -> dict[str, Any]:
    """Four completions one after the other against the same four at once, over HTTP: on
    one adapter, then on four adapters. The speed-up is sequential seconds over concurrent
    seconds (the issue's goal: >= 2.5, and never below 1); batched or not, each greedy
    completion must answer the same text."""
    base = (await client.list_models(only_base=True))[0]
    adapters = [await base.create_model_adapter(name=f"bench-many-{n}") for n in range(4)]
    cases = {"one adapter": [adapters[0]] * 4, "four adapters": adapters}

    answers: dict[tuple[str, str], set[tuple[str, ...]]] = {}

    async def one(adapter: Any) -> str:
        answer = await adapter.complete(
            query=PROMPT, max_generated_token_count=max_tokens, temperature=0
        )
        return str(answer.generated_output)

    async def sequential(targets: list[Any]) -> tuple[float, list[str]]:
        started = time.perf_counter()
        texts = [await one(adapter) for adapter in targets]
        return time.perf_counter() - started, texts

    async def concurrent(targets: list[Any]) -> tuple[float, list[str]]:
        started = time.perf_counter()
        texts = await asyncio.gather(*(one(adapter) for adapter in targets))
        return time.perf_counter() - started, list(texts)

    await concurrent(adapters)  # warm-up
    samples: dict[str, dict[str, list[float]]] = {
        case: {"sequential": [], "concurrent": []} for case in cases
    }
    for number in range(rounds):
        for case, targets in cases.items():
            order = [("sequential", sequential), ("concurrent", concurrent)]
            for kind, timed in order if number % 2 == 0 else order[::-1]:
                seconds, texts = await timed(targets)
                samples[case][kind].append(seconds)
                answers.setdefault((case, kind), set()).add(tuple(texts))
    found: dict[str, Any] = {}
    print()
    for case, by_kind in samples.items():
        speedup = statistics.median(by_kind["sequential"]) / statistics.median(
            by_kind["concurrent"]
        )
        same = answers[(case, "sequential")] == answers[(case, "concurrent")]
        found[case] = {
            **{kind: spread(values) | {"values": values} for kind, values in by_kind.items()},
            "speedup": speedup,
            "same_answers": same,
        }
        print(
            f"4 completions, {case}: sequential {statistics.median(by_kind['sequential']):.2f} s,"
            f" concurrent {statistics.median(by_kind['concurrent']):.2f} s:"
            f" speed-up {speedup:.2f}x (goal >= 2.5, never < 1);"
            f" {'the same answers' if same else 'ANSWERS DIFFER'} batched or not"
        )
    return found


async def measure_against_llama_cpp(
    client: AsyncGradient, engine: TextEngine, max_tokens: int, rounds: int
) -> dict[str, Any]:
    """The llama-cpp engine over HTTP against llama-cpp-python's own ``Llama`` on the same
    GGUF file (the fastest CPU engine for it), greedy, the same prompt and token budget, on
    the base model and on a trained LoRA adapter (for ``Llama``, the same adapter written
    as a GGUF adapter file). The engine runs every prompt from an empty cache (its answers
    repeat so), so ``Llama`` is reset before each call to do the same work; it is also timed
    as it runs by default, reusing the previous call's cache for the repeated prompt.
    Rounds interleave the five; tokens/s medians and their ratios (the issue's goal: >= 0.95
    against the reset ``Llama``)."""
    from llama_cpp import Llama

    from gradient_sdk.emulator.engines.llama_cpp import LlamaCppEngine
    from gradient_sdk.emulator.engines.loading import smollm2_gguf_path
    from gradient_sdk.emulator.engines.threads import usable_cores

    assert isinstance(engine, LlamaCppEngine)
    sample = [TrainingExample(segments=(TrainingSegment(text=FINE_TUNE_TEXT),))]
    trained = engine.new_adapter(AdapterConfig(seed=4))
    engine.fine_tune(trained, sample)
    base = (await client.list_models(only_base=True))[0]
    served_adapter = await base.create_model_adapter(name="bench-llama-cpp")
    await served_adapter.fine_tune(samples=[{"inputs": FINE_TUNE_TEXT}])
    with tempfile.TemporaryDirectory(prefix="gradient-bench-lora-") as folder:
        lora_file = Path(folder) / "adapter.gguf"
        engine.export_adapter(trained, lora_file)
        options = {
            "model_path": str(smollm2_gguf_path()), "n_ctx": engine.context_window,
            "n_threads": usable_cores(), "n_threads_batch": usable_cores(), "verbose": False,
        }  # fmt: skip
        raw = {"base": Llama(**options), "adapter": Llama(**options, lora_path=str(lora_file))}

    def raw_way(model: Any, *, fresh: bool) -> Callable[[], Awaitable[tuple[float, int]]]:
        async def complete() -> tuple[float, int]:
            if fresh:
                model.reset()
            started = time.perf_counter()
            answer: Any = model(PROMPT, max_tokens=max_tokens, temperature=0.0, top_k=1)
            return time.perf_counter() - started, int(answer["usage"]["completion_tokens"])

        return complete

    def served_way(target: Any) -> Callable[[], Awaitable[tuple[float, int]]]:
        async def complete() -> tuple[float, int]:
            started = time.perf_counter()
            answer = await target.complete(
                query=PROMPT, max_generated_token_count=max_tokens, temperature=0
            )
            elapsed = time.perf_counter() - started
            # The wire carries no token count: a completion that ran out of budget made
            # exactly max_tokens; one that stopped is counted by tokenizing it.
            if answer.finish_reason == "length":
                return elapsed, max_tokens
            return elapsed, engine.count_tokens(answer.generated_output)

        return complete

    ways = {
        ("emulator", "base"): served_way(base),
        ("emulator", "adapter"): served_way(served_adapter),
        ("llama.cpp", "base"): raw_way(raw["base"], fresh=True),
        ("llama.cpp", "adapter"): raw_way(raw["adapter"], fresh=True),
        ("llama.cpp, cache reused", "base"): raw_way(raw["base"], fresh=False),
    }
    speeds: dict[tuple[str, str], list[float]] = {key: [] for key in ways}
    for complete in ways.values():
        await complete()  # warm-up
    for number in range(rounds):
        order = list(ways.items())
        for key, complete in order[number % len(order) :] + order[: number % len(order)]:
            seconds, tokens = await complete()
            speeds[key].append(tokens / seconds)
    found: dict[str, Any] = {}
    print()
    for model in ("base", "adapter"):
        ours = statistics.median(speeds[("emulator", model)])
        theirs = statistics.median(speeds[("llama.cpp", model)])
        found[model] = {
            "emulator_tokens_per_s": spread(speeds[("emulator", model)]),
            "llama_cpp_tokens_per_s": spread(speeds[("llama.cpp", model)]),
            "ratio": ours / theirs,
            "pass": ours / theirs >= TARGET,
        }
        print(f"completion tokens/s, {model}: the emulator over HTTP {ours:.1f}, llama.cpp"
              f" {theirs:.1f}: {ours / theirs:.2f}x (goal >= {TARGET})", flush=True)  # fmt: skip
    cached = statistics.median(speeds[("llama.cpp, cache reused", "base")])
    found["base"]["llama_cpp_cache_reused_tokens_per_s"] = spread(
        speeds[("llama.cpp, cache reused", "base")]
    )
    served = statistics.median(speeds[("emulator", "base")])
    print(f"  (llama.cpp reusing its cache for the repeated prompt: {cached:.1f} tok/s; the"
          f" emulator {served / cached:.2f}x that)")  # fmt: skip
    return found


def measure_raw_peft(rounds: int) -> dict[str, Any]:
    """The seed fine-tune as a plain PEFT loop on a model of its own: the same LoRA (rank,
    alpha, every linear layer but the head), Adam at the same rate, the same number of steps
    and the same tokens, in float32 and under bfloat16 autocast. Seconds per call, and the
    loss per token before and after each call (whether it learns as well)."""
    import functools

    import peft
    import torch

    from gradient_sdk.emulator.engines import base, loading
    from gradient_sdk.emulator.engines.weights_cache import converted_model

    path = loading.smollm2_gguf_path()
    found: dict[str, Any] = {}
    for precision in ("float32", "bfloat16 autocast"):
        model, tokenizer = converted_model(path, functools.partial(loading._convert_gguf, path))
        head = model.get_output_embeddings()
        targets = sorted(
            {
                name.rsplit(".", 1)[-1]
                for name, module in model.named_modules()
                if isinstance(module, torch.nn.Linear) and module is not head
            }
        )
        rank = base.DEFAULT_RANK
        tuned = peft.get_peft_model(
            model,
            peft.LoraConfig(
                r=rank, lora_alpha=base.LORA_ALPHA_PER_RANK * rank, lora_dropout=0.0,
                target_modules=targets, task_type="CAUSAL_LM",
            ),
        )  # fmt: skip
        optimizer = torch.optim.Adam(
            [p for p in tuned.parameters() if p.requires_grad], lr=base.DEFAULT_LEARNING_RATE
        )
        ids = tokenizer(FINE_TUNE_TEXT, return_tensors="pt").input_ids
        ids = torch.cat([ids, torch.tensor([[tokenizer.eos_token_id]])], dim=1)
        autocast = precision != "float32"

        def loss() -> torch.Tensor:
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):  # noqa: B023
                value: torch.Tensor = tuned(input_ids=ids, labels=ids).loss  # noqa: B023
            return value

        def call() -> tuple[float, float, float]:
            started = time.perf_counter()
            before = 0.0
            for step in range(base.STEPS_PER_FINE_TUNE):
                value = loss()
                before = float(value.detach()) if step == 0 else before
                value.backward()
                optimizer.step()  # noqa: B023
                optimizer.zero_grad(set_to_none=True)  # noqa: B023
            elapsed = time.perf_counter() - started
            with torch.no_grad():
                after = float(loss())
            return elapsed, before, after

        first = call()  # warm-up; its losses show what one call learns from scratch
        seconds = [call()[0] for _ in range(rounds)]
        found[precision] = {
            **spread(seconds),
            "values": seconds,
            "first_call_loss_per_token": [first[1], first[2]],
        }
        print(
            f"raw PEFT fine-tune call, {precision}: median {statistics.median(seconds):.2f} s;"
            f" first call's loss per token {first[1]:.3f} -> {first[2]:.3f}",
            flush=True,
        )
    return found


def measure_cold_start(model: str, engine: str) -> dict[str, float]:
    """Seconds from starting ``gradient emulator`` to the answer of its first completion:
    with an empty cache of converted weights, then again with the cache the first start
    left (the issue's goal for the second: <= 3 s)."""
    import socket
    import subprocess

    from gradient_sdk import APIConnectionError, Gradient

    token, workspace = "bench-cold-start-token", "bench-cold-start-workspace"
    found: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="gradient-cold-") as temporary:
        root = Path(temporary)
        environment = {**os.environ, "GRADIENT_EMULATOR_CACHE_DIR": str(root / "cache")}
        for start in ("first start", "second start"):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            command = [
                sys.executable, "-m", "gradient_sdk.cli", "emulator", "--port", str(port),
                "--data-dir", str(root / start.replace(" ", "-")), "--model", model,
                "--engine", engine,
                "--embeddings-model", "hashing", "--access-token", token,
                "--workspace-id", workspace,
            ]  # fmt: skip
            started = time.perf_counter()
            process = subprocess.Popen(
                command,
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                host = f"http://127.0.0.1:{port}/api"
                with Gradient(access_token=token, workspace_id=workspace, host=host) as client:
                    while True:
                        try:
                            base = client.list_models(only_base=True)[0]
                            break
                        except APIConnectionError:
                            time.sleep(0.02)
                    base.complete(query=PROMPT, max_generated_token_count=1)
                found[start] = time.perf_counter() - started
            finally:
                process.terminate()
                process.wait(timeout=60)
            print(f"cold start to the first answer, {start}: {found[start]:.1f} s (goal for"
                  f" the second <= 3 s)", flush=True)  # fmt: skip
    return found


def machine() -> dict[str, Any]:
    import torch

    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "load_average_at_end": list(os.getloadavg()),
    }


async def run(arguments: argparse.Namespace) -> dict[str, Any]:
    print(f"loading {arguments.model} ...", flush=True)
    started = time.perf_counter()
    engine = load_text_engine(arguments.model, engine=arguments.engine)
    print(f"loaded {engine.name} in {time.perf_counter() - started:.1f} s", flush=True)
    reference: dict[str, int] = {}
    ways = [direct_way(engine, arguments.max_tokens, reference)]
    concurrency: dict[str, Any] | None = None
    against_llama_cpp: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="gradient-bench-") as temporary:
        root = Path(temporary)

        def settings(name: str) -> Emulator:
            # The engine object itself: the emulator loads nothing and runs the same weights.
            return Emulator(model=engine, embeddings_model="hashing", data_dir=root / name)

        async with serve(settings("asgi")) as client:
            ways.append(await sdk_way("asgi", client, engine, arguments.max_tokens, reference))
            if arguments.http:
                with serve_http(settings("http")) as server:
                    async with server.async_client() as http_client:
                        ways.append(
                            await sdk_way(
                                "http", http_client, engine, arguments.max_tokens, reference
                            )
                        )
                        results = await measure(ways, arguments.rounds, persist_probe(engine, root))
                        concurrency = await measure_concurrency(
                            http_client, arguments.max_tokens, arguments.rounds
                        )
                        if arguments.engine == "llama-cpp" and arguments.model == "smollm2":
                            # Five calls a round of about a second each: more rounds are cheap.
                            against_llama_cpp = await measure_against_llama_cpp(
                                http_client, engine, arguments.max_tokens, 3 * arguments.rounds
                            )
            else:
                results = await measure(ways, arguments.rounds, persist_probe(engine, root))
    measured = report(results)
    raw_peft = measure_raw_peft(arguments.rounds) if arguments.model == "smollm2" else None
    if raw_peft is not None:
        by_way = measured["metrics"][FINE_TUNE]
        emulator = by_way["http" if "http" in by_way else "asgi"]["median"]
        fastest = min(entry["median"] for entry in raw_peft.values())
        print(f"fine-tune call: the emulator {emulator:.2f} s, the faster raw PEFT loop"
              f" {fastest:.2f} s: {emulator / fastest:.2f}x (goal <= 1)", flush=True)  # fmt: skip
    cold_start = (
        measure_cold_start(arguments.model, arguments.engine) if arguments.cold_start else None
    )
    return {
        **({} if cold_start is None else {"cold_start_s": cold_start}),
        **({} if raw_peft is None else {"raw_peft_fine_tune_s": raw_peft}),
        "engine": engine.name,
        "engine_kind": arguments.engine,
        "tokens_per_completion": sorted(set(reference.values())),
        **measured,
        **({} if concurrency is None else {"concurrency": concurrency}),
        **({} if against_llama_cpp is None else {"against_llama_cpp": against_llama_cpp}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="smollm2", help="tiny, smollm2 or a model folder")
    parser.add_argument(
        "--engine", default="torch", choices=TEXT_ENGINE_KINDS, help="the text engine"
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--max-tokens", type=int, default=48, help="completion budget")
    parser.add_argument("--no-http", dest="http", action="store_false", help="skip uvicorn")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a ratio fails")
    parser.add_argument(
        "--no-cold-start", dest="cold_start", action="store_false",
        help="skip timing two starts of `gradient emulator`",
    )  # fmt: skip
    arguments = parser.parse_args()
    if arguments.rounds < 1:
        parser.error("--rounds must be at least 1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    outcome = asyncio.run(run(arguments))
    document = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": arguments.model,
        "rounds": arguments.rounds,
        "max_tokens": arguments.max_tokens,
        "prompt": PROMPT,
        "fine_tune_sample": FINE_TUNE_TEXT,
        "target": TARGET,
        "machine": machine(),
        **outcome,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9.-]+", "-", Path(arguments.model).name) or "model"
    engine_suffix = "" if arguments.engine == "torch" else f"-{arguments.engine}"
    path = RESULTS_DIR / f"emulator-{slug}{engine_suffix}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"results written to {path}")
    passed = all(
        entry.get("pass", True)
        for by_way in outcome["metrics"].values()
        for entry in by_way.values()
    ) and all(entry["pass"] for entry in outcome.get("against_llama_cpp", {}).values())
    return 0 if passed or not arguments.strict else 1


if __name__ == "__main__":
    sys.exit(main())
