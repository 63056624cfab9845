"""The SDK's clients against raw HTTP libraries and the other Gradient clients, per call.

Run it with ``nox -s bench`` or, in a venv that has ``gradient-llm-sdk[aiohttp]``, trio and
matplotlib, ``python benchmarks/clients.py [--rounds N] [--quick]``.

Every client makes the same call, a completion (``POST /api/models/{id}/complete``), against
a stub server that answers it with fixed JSON: nginx from Debian's packages where it is
installed (``apt-get install nginx-light``), otherwise a small HTTP server of this file in a
process of its own. Each client runs in a venv of its own (``.nox/bench-clients/``, made on
the first run and reused): the SDK with the ``aiohttp`` extra in this interpreter, the SDK
without it (``sdk-core``: what ``pip install gradient-llm-sdk`` gets), gradientai 1.13.1,
langchain-community's GradientLLM, openai-python (its completions call, on a stub path of its
own).

For each client, in a process of its own:

- **instructions per call**: callgrind counts every instruction the process runs, which
  repeats within a fraction of a percent however busy the machine is; the figure is the
  difference between a run of ``W + S + N`` calls and one of ``W + S`` calls, over ``N``,
  so start-up and imports cancel out;
- **CPU time per call, latency p50 and p99**: ``N`` calls one after the other;
- **throughput**: calls per second with 64 calls in flight (64 tasks; a sync client gets 8
  threads, as many as a thread pool would use here), and the CPU time per call meanwhile;
- **peak RSS** of the process after its calls;
- **import time**: ``python -X importtime`` and callgrind over ``python -c "import X"`` (or
  ``from X import Y``), less ``python -c pass`` in the same venv.

Timed figures are medians over rounds that run every client once, in an order that rotates
from round to round, so a slow spell on a shared machine hits every client alike; the
machine's load is recorded. The last line printed is a JSON summary; the full results go to
``benchmarks/results/clients.json`` and a chart to ``docs/images/clients-benchmark.png``.
"""

# Only the standard library at the top: the same file is the worker in every client's venv.
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "clients.json"
CHART = ROOT / "docs" / "images" / "clients-benchmark.png"
VENVS = ROOT / ".nox" / "bench-clients"

MODEL_ID = "bench-model"
QUERY = "What is the capital of France?"
ANSWER = "The capital of France is Paris."
COMPLETE_JSON = json.dumps({"generatedOutput": ANSWER, "finishReason": "length"})
OPENAI_JSON = json.dumps(
    {
        "id": "cmpl-bench",
        "object": "text_completion",
        "created": 1700000000,
        "model": MODEL_ID,
        "choices": [{"text": ANSWER, "index": 0, "logprobs": None, "finish_reason": "length"}],
        "usage": {"prompt_tokens": 7, "completion_tokens": 7, "total_tokens": 14},
    }
)
TOKEN, WORKSPACE = "bench-token", "bench-workspace"
CONCURRENCY, SYNC_THREADS = 64, 8
#: Every process runs with bytecode written: an import timed without it would time the
#: compiler (editable installs have no bytecode until a first import writes it).
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


# --------------------------------------------------------------------------- the clients
# Each maker returns (call, close): a sync maker plain functions, an async maker coroutine
# functions, made inside the running event loop (aiohttp binds a session to it).


def _check(text: str) -> str:
    if text != ANSWER:
        raise AssertionError(f"unexpected answer {text!r}")
    return text


def _json_post_parts() -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"query": QUERY}).encode()
    headers = {
        "Authorization": f"Bearer {TOKEN}",
        "x-gradient-workspace-id": WORKSPACE,
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    return body, headers


def make_httpx_sync(api: str) -> tuple[Callable[[], str], Callable[[], None]]:
    import httpx

    client = httpx.Client()
    body, headers = _json_post_parts()
    url = f"{api}/models/{MODEL_ID}/complete"

    def call() -> str:
        response = client.post(url, content=body, headers=headers)
        response.raise_for_status()
        return str(response.json()["generatedOutput"])

    return call, client.close


async def make_httpx_async(api: str) -> tuple[Any, Any]:
    import httpx

    client = httpx.AsyncClient()
    body, headers = _json_post_parts()
    url = f"{api}/models/{MODEL_ID}/complete"

    async def call() -> str:
        response = await client.post(url, content=body, headers=headers)
        response.raise_for_status()
        return str(response.json()["generatedOutput"])

    return call, client.aclose


async def make_aiohttp(api: str) -> tuple[Any, Any]:
    import aiohttp

    session = aiohttp.ClientSession()
    body, headers = _json_post_parts()
    url = f"{api}/models/{MODEL_ID}/complete"

    async def call() -> str:
        async with session.post(url, data=body, headers=headers) as response:
            response.raise_for_status()
            return str(json.loads(await response.read())["generatedOutput"])

    return call, session.close


def make_sdk_sync(api: str) -> tuple[Callable[[], str], Callable[[], None]]:
    from gradient_sdk import Gradient

    client = Gradient(access_token=TOKEN, workspace_id=WORKSPACE, host=api)

    def call() -> str:
        return client.models.complete(model_id=MODEL_ID, query=QUERY).generated_output

    return call, client.close


async def make_sdk_async(api: str) -> tuple[Any, Any]:
    from gradient_sdk import AsyncGradient

    client = AsyncGradient(access_token=TOKEN, workspace_id=WORKSPACE, host=api)

    async def call() -> str:
        response = await client.models.complete(model_id=MODEL_ID, query=QUERY)
        return response.generated_output

    return call, client.aclose


def _gradientai_model(api: str) -> Any:
    from gradientai import Gradient
    from gradientai._base_model import BaseModel, BaseModelCapability

    gradient = Gradient(access_token=TOKEN, workspace_id=WORKSPACE, host=api)
    # What get_base_model returns, made without its listing call.
    return gradient, BaseModel(
        api_instance=gradient._models_api,
        capabilities=[BaseModelCapability.COMPLETE],
        id=MODEL_ID,
        slug=MODEL_ID,
        workspace_id=WORKSPACE,
    )


def make_gradientai_sync(api: str) -> tuple[Callable[[], str], Callable[[], None]]:
    gradient, model = _gradientai_model(api)

    def call() -> str:
        return str(model.complete(query=QUERY).generated_output)

    return call, gradient.close


async def make_gradientai_async(api: str) -> tuple[Any, Any]:
    gradient, model = _gradientai_model(api)

    async def call() -> str:
        return str((await model.acomplete(query=QUERY)).generated_output)

    async def close() -> None:
        gradient.close()

    return call, close


def _langchain_llm(api: str, **options: Any) -> Any:
    from langchain_community.llms import GradientLLM

    return GradientLLM(
        model=MODEL_ID,
        gradient_access_token=TOKEN,
        gradient_workspace_id=WORKSPACE,
        gradient_api_url=api,
        **options,
    )


def make_langchain_sync(api: str) -> tuple[Callable[[], str], Callable[[], None]]:
    llm = _langchain_llm(api)

    def call() -> str:
        return str(llm.invoke(QUERY))

    return call, lambda: None


async def make_langchain_async(api: str) -> tuple[Any, Any]:
    import aiohttp

    session = aiohttp.ClientSession()
    llm = _langchain_llm(api, aiosession=session)

    async def call() -> str:
        return str(await llm.ainvoke(QUERY))

    return call, session.close


def make_openai_sync(api: str) -> tuple[Callable[[], str], Callable[[], None]]:
    import openai

    client = openai.OpenAI(api_key=TOKEN, base_url=api.removesuffix("/api") + "/v1")

    def call() -> str:
        return client.completions.create(model=MODEL_ID, prompt=QUERY).choices[0].text

    return call, client.close


async def _openai_async(api: str, **options: Any) -> tuple[Any, Any]:
    import openai

    client = openai.AsyncOpenAI(api_key=TOKEN, base_url=api.removesuffix("/api") + "/v1", **options)

    async def call() -> str:
        return (await client.completions.create(model=MODEL_ID, prompt=QUERY)).choices[0].text

    return call, client.close


async def make_openai_async(api: str) -> tuple[Any, Any]:
    return await _openai_async(api)


async def make_openai_aiohttp(api: str) -> tuple[Any, Any]:
    import openai

    return await _openai_async(api, http_client=openai.DefaultAioHttpClient())


@dataclass(frozen=True)
class Client:
    """One row: a client, the venv it runs in, how it runs, and its maker."""

    name: str
    venv: str
    runner: str  # "sync", "asyncio" or "trio"
    maker: Callable[..., Any]
    group: str


CLIENTS = [
    Client("httpx.Client", "sdk", "sync", make_httpx_sync, "raw"),
    Client("httpx.AsyncClient", "sdk", "asyncio", make_httpx_async, "raw"),
    Client("aiohttp ClientSession", "sdk", "asyncio", make_aiohttp, "raw"),
    Client("gradient-sdk Gradient (httpx)", "sdk", "sync", make_sdk_sync, "ours"),
    Client("gradient-sdk AsyncGradient, asyncio (aiohttp extra)", "sdk", "asyncio",
           make_sdk_async, "ours"),
    Client("gradient-sdk AsyncGradient, asyncio (httpx only)", "sdk-core", "asyncio",
           make_sdk_async, "ours"),
    Client("gradient-sdk AsyncGradient, trio (httpx)", "sdk", "trio", make_sdk_async, "ours"),
    Client("gradientai 1.13.1 complete (urllib3)", "gradientai", "sync",
           make_gradientai_sync, "gradient"),
    Client("gradientai 1.13.1 acomplete (threads)", "gradientai", "asyncio",
           make_gradientai_async, "gradient"),
    Client("langchain GradientLLM.invoke (requests)", "langchain", "sync",
           make_langchain_sync, "gradient"),
    Client("langchain GradientLLM.ainvoke (aiohttp, shared session)", "langchain", "asyncio",
           make_langchain_async, "gradient"),
    Client("openai OpenAI (httpx)", "openai", "sync", make_openai_sync, "other"),
    Client("openai AsyncOpenAI (httpx)", "openai", "asyncio", make_openai_async, "other"),
    Client("openai AsyncOpenAI (aiohttp)", "openai", "asyncio", make_openai_aiohttp, "other"),
]  # fmt: skip
BY_NAME = {client.name: client for client in CLIENTS}

#: What each venv installs (paths relative to the repository), and the import statements
#: timed there.
VENV_INSTALLS: dict[str, list[list[str]]] = {
    "sdk-core": [["-e", "."]],
    "gradientai": [["-r", "compat/requirements/gradientai.txt"]],
    "langchain": [["-r", "compat/requirements/langchain.txt"]],
    "openai": [["openai[aiohttp]>=1.60"]],
}
NEW_CLIENT = "AsyncGradient(access_token='t', workspace_id='w')"
IMPORTS = [
    ("import httpx", "sdk-core"),
    ("import gradient_sdk", "sdk-core"),
    # What a program pays before its first call: the client and httpx; then a client made
    # (httpx's pool and TLS context), then the first resource (its records and converter).
    ("from gradient_sdk import AsyncGradient", "sdk-core"),
    ("import httpx; httpx.AsyncClient()", "sdk-core"),
    (f"from gradient_sdk import AsyncGradient; {NEW_CLIENT}", "sdk-core"),
    (f"from gradient_sdk import AsyncGradient; {NEW_CLIENT}.models", "sdk-core"),
    ("from gradient_sdk import AsyncGradient", "sdk"),
    ("import aiohttp", "sdk"),
    ("import gradientai", "gradientai"),
    ("import langchain_community.llms", "langchain"),
    ("import openai", "openai"),
]


# --------------------------------------------------------------------------- the worker


def _rss_kib() -> int:
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _timings(latencies: list[float], cpu: float, calls: int) -> dict[str, float]:
    return {
        "cpu_us_per_call": cpu / calls * 1e6,
        "p50_ms": _percentile(latencies, 0.50) * 1e3,
        "p99_ms": _percentile(latencies, 0.99) * 1e3,
    }


def run_sync(client: Client, api: str, mode: str, calls: int, warmup: int) -> dict[str, Any]:
    call, close = client.maker(api)
    try:
        for _ in range(warmup):
            _check(call())
        if mode == "count":
            for _ in range(calls):
                call()
            return {}
        latencies: list[float] = []
        cpu = time.process_time()
        for _ in range(calls):
            started = time.perf_counter()
            call()
            latencies.append(time.perf_counter() - started)
        result: dict[str, Any] = _timings(latencies, time.process_time() - cpu, calls)
        result["peak_rss_kib"] = _rss_kib()
        remaining = iter(range(calls * 2))
        lock = threading.Lock()

        def worker() -> None:
            while True:
                with lock:
                    if next(remaining, None) is None:
                        return
                call()

        cpu, wall = time.process_time(), time.perf_counter()
        with ThreadPoolExecutor(SYNC_THREADS) as pool:
            for future in [pool.submit(worker) for _ in range(SYNC_THREADS)]:
                future.result()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        result["calls_per_s"] = calls * 2 / wall
        result["concurrent_cpu_us_per_call"] = cpu / (calls * 2) * 1e6
        return result
    finally:
        close()


async def run_async(client: Client, api: str, mode: str, calls: int, warmup: int) -> Any:
    call, close = await client.maker(api)
    try:
        for _ in range(warmup):
            _check(await call())
        if mode == "count":
            for _ in range(calls):
                await call()
            return {}
        latencies: list[float] = []
        cpu = time.process_time()
        for _ in range(calls):
            started = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - started)
        result: dict[str, Any] = _timings(latencies, time.process_time() - cpu, calls)
        result["peak_rss_kib"] = _rss_kib()
        remaining = iter(range(calls * 2))

        async def worker() -> None:
            while next(remaining, None) is not None:
                await call()

        cpu, wall = time.process_time(), time.perf_counter()
        await _gather([worker for _ in range(CONCURRENCY)], client.runner)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        result["calls_per_s"] = calls * 2 / wall
        result["concurrent_cpu_us_per_call"] = cpu / (calls * 2) * 1e6
        return result
    finally:
        await close()


async def _gather(workers: list[Any], runner: str) -> None:
    if runner == "trio":
        import trio

        async with trio.open_nursery() as nursery:
            for worker in workers:
                nursery.start_soon(worker)
    else:
        await asyncio.gather(*(worker() for worker in workers))


def worker_main(arguments: argparse.Namespace) -> None:
    client = BY_NAME[arguments.client]
    run = (client, arguments.api, arguments.mode, arguments.calls, arguments.warmup)
    if client.runner == "sync":
        result = run_sync(*run)
    elif client.runner == "trio":
        import trio

        result = trio.run(run_async, *run)
    else:
        result = asyncio.run(run_async(*run))
    print(json.dumps(result))


# --------------------------------------------------------------------------- the stub server

NGINX_CONF = """
worker_processes 1;
daemon off;
master_process off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  keepalive_requests 10000000;
  keepalive_timeout 60s;
  server {{
    listen 127.0.0.1:{port};
    default_type application/json;
    location = /v1/completions {{ return 200 '{openai}'; }}
    location / {{ return 200 '{complete}'; }}
  }}
}}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the stub server exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError("the stub server did not start listening")


@contextlib.contextmanager
def stub_server() -> Iterator[tuple[str, str]]:
    """The base URL of a stub answering every path with fixed JSON, and what serves it."""
    port = _free_port()
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    with tempfile.TemporaryDirectory(prefix="bench-stub-") as folder:
        if nginx:
            conf = Path(folder) / "nginx.conf"
            conf.write_text(
                NGINX_CONF.format(dir=folder, port=port, openai=OPENAI_JSON, complete=COMPLETE_JSON)
            )
            command = [nginx, "-c", str(conf), "-p", folder]
            version = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr.strip()
        else:
            command = [sys.executable, __file__, "serve", "--port", str(port)]
            version = "benchmarks/clients.py serve (asyncio)"
        process = subprocess.Popen(command)
        try:
            _wait_for_port(port, process)
            yield f"http://127.0.0.1:{port}/api", version
        finally:
            process.terminate()
            process.wait(10)


class _StubProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive with a fixed answer, for machines without nginx."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: Any = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, rest = self.buffer.split(b"\r\n\r\n", 1)
            match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            length = int(match.group(1)) if match else 0
            if len(rest) < length:
                return
            self.buffer = rest[length:]
            path = head.split(b" ", 2)[1]
            body = (OPENAI_JSON if path.startswith(b"/v1/") else COMPLETE_JSON).encode()
            self.transport.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )


def serve_main(port: int) -> None:
    async def serve() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_StubProtocol, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


# --------------------------------------------------------------------------- the driver


def venv_python(venv: str) -> str:
    """The interpreter of a venv, made (and its packages installed) when missing or stale."""
    if venv == "sdk":
        return sys.executable
    folder = VENVS / venv
    python = folder / "bin" / "python"
    installs = VENV_INSTALLS[venv]
    stamp = folder / "bench-installed"
    wanted = json.dumps([installs, (ROOT / "pyproject.toml").read_text()])
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return str(python)
    if not python.exists():
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", str(folder)], check=True)
    for arguments in installs:
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", *arguments], check=True, cwd=ROOT
        )
    stamp.write_text(wanted)
    return str(python)


def worker(client: Client, api: str, mode: str, calls: int, warmup: int) -> list[str]:
    python = venv_python(client.venv)
    return [
        python, __file__, "worker", "--client", client.name, "--api", api, "--mode", mode,
        "--calls", str(calls), "--warmup", str(warmup),
    ]  # fmt: skip


def run_json(command: list[str]) -> dict[str, Any]:
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=ENV)
    if done.returncode != 0:
        raise RuntimeError(f"{command[2:5]} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


VALGRIND = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]


def callgrind(command: list[str]) -> int:
    """Instructions the command ran, by callgrind."""
    done = subprocess.run([*VALGRIND, *command], capture_output=True, text=True, cwd=ROOT, env=ENV)
    match = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"callgrind of {command[:5]} failed:\n{done.stderr[-3000:]}")
    return int(match.group(1))


def instructions_per_call(client: Client, api: str, calls: int) -> float:
    short = worker(client, api, "count", 20, 30)
    long = worker(client, api, "count", 20 + calls, 30)
    with ThreadPoolExecutor(2) as pool:  # two processes: the counts do not depend on timing
        counts = list(pool.map(callgrind, [short, long]))
    return (counts[1] - counts[0]) / calls


def import_costs(statement: str, venv: str, rounds: int) -> dict[str, float]:
    """What ``statement`` (``import X``, ``from X import Y``) costs over ``python -c pass``."""
    python = venv_python(venv)
    subprocess.run([python, "-c", statement], check=True, env=ENV)  # bytecode

    def top_level_us(code: str) -> int:
        # Every import the statement starts is a top-level line of -X importtime (a lazy
        # package's first use among them); start-up's own imports cancel out below.
        done = subprocess.run(
            [python, "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env=ENV,
        )
        total = 0
        for line in done.stderr.splitlines():
            parts = line.removeprefix("import time:").split("|")
            if len(parts) == 3 and parts[1].strip().isdigit() and not parts[2].startswith("  "):
                total += int(parts[1])
        return total

    times = [top_level_us(statement) - top_level_us("pass") for _ in range(rounds)]
    empty, loaded = callgrind([python, "-c", "pass"]), callgrind([python, "-c", statement])
    return {"import_ms": statistics.median(times) / 1e3, "import_instructions": loaded - empty}


def machine_load() -> dict[str, Any]:
    return {"load_average": list(os.getloadavg()), "cpu_count": os.cpu_count()}


def cpu_busy_since(start: list[int]) -> float:
    now = _cpu_ticks()
    total, idle = sum(now) - sum(start), (now[3] + now[4]) - (start[3] + start[4])
    return 1 - idle / total if total else 0.0


def _cpu_ticks() -> list[int]:
    with open("/proc/stat") as stat:
        return [int(value) for value in stat.readline().split()[1:]]


def measure(arguments: argparse.Namespace) -> dict[str, Any]:
    clients = [c for c in CLIENTS if not arguments.only or re.search(arguments.only, c.name)]
    for venv in sorted({c.venv for c in clients} | {venv for _, venv in IMPORTS}):
        venv_python(venv)
    started, ticks = machine_load(), _cpu_ticks()
    rows: dict[str, dict[str, Any]] = {c.name: {"group": c.group, "venv": c.venv} for c in clients}
    with stub_server() as (api, server):
        print(f"stub server: {server} at {api}", flush=True)
        for client in clients:  # every client works (and its bytecode is written) first
            run_json(worker(client, api, "count", 1, 1))
        for client in clients:
            rows[client.name]["instructions_per_call"] = instructions_per_call(
                client, api, arguments.callgrind_calls
            )
            print(f"  {client.name}: {rows[client.name]['instructions_per_call']:,.0f} instr/call")
        rounds: dict[str, list[dict[str, Any]]] = {c.name: [] for c in clients}
        for round_number in range(arguments.rounds):
            shift = round_number % len(clients)
            for client in clients[shift:] + clients[:shift]:
                rounds[client.name].append(
                    run_json(worker(client, api, "time", arguments.calls, 50))
                )
            print(f"  round {round_number + 1} of {arguments.rounds} done", flush=True)
    for name, measured in rounds.items():
        for key in measured[0]:
            rows[name][key] = statistics.median(m[key] for m in measured)
        rows[name]["rounds"] = measured
    imports = {
        f"{statement} ({venv})": import_costs(statement, venv, arguments.import_rounds)
        for statement, venv in IMPORTS
    }
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "server": server,
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_at_start": started,
            "load_at_end": machine_load(),
            "cpu_busy_during_run": cpu_busy_since(ticks),
        },
        "settings": {
            "calls": arguments.calls,
            "callgrind_calls": arguments.callgrind_calls,
            "rounds": arguments.rounds,
            "concurrency": CONCURRENCY,
            "sync_threads": SYNC_THREADS,
        },
        "clients": rows,
        "imports": imports,
        "ratios": ratios(rows, imports),
    }


def ratios(rows: dict[str, dict[str, Any]], imports: dict[str, dict[str, float]]) -> dict[str, Any]:
    """The issue's goals as ratios (None where a row was not measured)."""

    def ratio(row: str, key: str, reference: str) -> float | None:
        if row not in rows or reference not in rows:
            return None
        return float(rows[row][key]) / float(rows[reference][key])

    ours_aiohttp = "gradient-sdk AsyncGradient, asyncio (aiohttp extra)"
    found: dict[str, Any] = {}
    for reference in (
        "aiohttp ClientSession",
        "langchain GradientLLM.ainvoke (aiohttp, shared session)",
    ):
        found[f"async aiohttp calls/s vs {reference} (goal >= 0.9)"] = ratio(
            ours_aiohttp, "calls_per_s", reference
        )
        found[f"async aiohttp CPU/call vs {reference} (goal <= 1.2)"] = ratio(
            ours_aiohttp, "concurrent_cpu_us_per_call", reference
        )
        found[f"async aiohttp instructions/call vs {reference} (goal <= 1.2)"] = ratio(
            ours_aiohttp, "instructions_per_call", reference
        )
    found["sync instructions/call vs gradientai (goal <= 1.0)"] = ratio(
        "gradient-sdk Gradient (httpx)", "instructions_per_call",
        "gradientai 1.13.1 complete (urllib3)",
    )  # fmt: skip
    found["trio calls/s vs asyncio httpx-only"] = ratio(
        "gradient-sdk AsyncGradient, trio (httpx)", "calls_per_s",
        "gradient-sdk AsyncGradient, asyncio (httpx only)",
    )  # fmt: skip
    httpx = imports.get("import httpx (sdk-core)")
    for statement in ("import gradient_sdk", "from gradient_sdk import AsyncGradient"):
        ours = imports.get(f"{statement} (sdk-core)")
        if ours and httpx:
            found[f"{statement} vs import httpx, instructions (goal <= 1.2)"] = (
                ours["import_instructions"] / httpx["import_instructions"]
            )
    raw_client = imports.get("import httpx; httpx.AsyncClient() (sdk-core)")
    our_client = imports.get(f"from gradient_sdk import AsyncGradient; {NEW_CLIENT} (sdk-core)")
    if raw_client and our_client:
        found["AsyncGradient() made vs httpx.AsyncClient() made, instructions"] = (
            our_client["import_instructions"] / raw_client["import_instructions"]
        )
    return found


COLUMNS = [
    ("instructions_per_call", "instructions/call", "{:,.2f} M", 1e-6),
    ("cpu_us_per_call", "CPU µs/call", "{:,.0f}", 1),
    ("p50_ms", "p50 ms", "{:.3f}", 1),
    ("p99_ms", "p99 ms", "{:.3f}", 1),
    ("calls_per_s", "calls/s at 64", "{:,.0f}", 1),
    ("concurrent_cpu_us_per_call", "CPU µs/call at 64", "{:,.0f}", 1),
    ("peak_rss_kib", "peak RSS MiB", "{:.1f}", 1 / 1024),
]


def markdown(results: dict[str, Any]) -> str:
    """The results as the Markdown tables of docs/performance.md."""
    head = "| client | " + " | ".join(title for _, title, _, _ in COLUMNS) + " |"
    lines = [head, "|---|" + "---:|" * len(COLUMNS)]
    for name, row in results["clients"].items():
        cells = [
            fmt.format(row[key] * scale) if key in row else "" for key, _, fmt, scale in COLUMNS
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "| statement (venv) | instructions | ms (-X importtime) |", "|---|---:|---:|"]
    for name, cost in results["imports"].items():
        lines.append(
            f"| `{name}` | {cost['import_instructions'] / 1e6:,.1f} M | {cost['import_ms']:.1f} |"
        )
    return "\n".join(lines)


def chart(results: dict[str, Any], path: Path) -> bool:
    """Bars of instructions per call and calls per second; False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    rows = results["clients"]
    names = list(rows)
    colours = {"raw": "#9e9e9e", "ours": "#1f77b4", "gradient": "#ff7f0e", "other": "#2ca02c"}
    figure, axes = plt.subplots(1, 2, figsize=(13, 6.5), sharey=True)
    panels = [
        ("instructions_per_call", 1e-6, "instructions per call (millions; lower is better)"),
        ("calls_per_s", 1, f"calls/s, {CONCURRENCY} in flight (higher is better)"),
    ]
    for axis, (key, scale, title) in zip(axes, panels, strict=True):
        values = [rows[name].get(key, 0) * scale for name in names]
        axis.barh(names, values, color=[colours[rows[name]["group"]] for name in names])
        axis.set_title(title, fontsize=10)
        axis.invert_yaxis()
        for position, value in enumerate(values):
            axis.text(value, position, f" {value:,.2f}" if scale < 1 else f" {value:,.0f}",
                      va="center", fontsize=8)  # fmt: skip
        axis.margins(x=0.18)
    figure.suptitle(
        f"One completion call against {results['server'].split()[0]} on 127.0.0.1 "
        f"(Python {results['machine']['python']}, {os.cpu_count()} cores)",
        fontsize=11,
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="measure every client (the default)")
    run.add_argument("--rounds", type=int, default=3)
    run.add_argument("--calls", type=int, default=1000, help="calls per timed phase")
    run.add_argument("--callgrind-calls", type=int, default=200)
    run.add_argument("--import-rounds", type=int, default=5)
    run.add_argument("--only", help="a regular expression: the clients whose name matches")
    run.add_argument("--quick", action="store_true", help="1 round, fewer calls")
    run.add_argument("--no-write", action="store_true", help="leave results and chart alone")
    work = commands.add_parser("worker", help="(internal) one client's calls")
    work.add_argument("--client", required=True, choices=sorted(BY_NAME))
    work.add_argument("--api", required=True)
    work.add_argument("--mode", choices=["count", "time"], required=True)
    work.add_argument("--calls", type=int, required=True)
    work.add_argument("--warmup", type=int, required=True)
    serve = commands.add_parser("serve", help="(internal) the fallback stub server")
    serve.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args(sys.argv[1:] or ["run"])
    if arguments.command == "worker":
        worker_main(arguments)
        return
    if arguments.command == "serve":
        serve_main(arguments.port)
        return
    if arguments.quick:
        arguments.rounds, arguments.calls, arguments.callgrind_calls = 1, 300, 100
        arguments.import_rounds = 3
    results = measure(arguments)
    print()
    print(markdown(results))
    if not arguments.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        drawn = chart(results, CHART)
        print(f"\nresults: {RESULTS.relative_to(ROOT)}; chart: "
              f"{CHART.relative_to(ROOT) if drawn else 'not drawn (no matplotlib)'}")  # fmt: skip
    summary = {key: value for key, value in results.items() if key != "clients"}
    summary["clients"] = {
        name: {key: value for key, value in row.items() if key != "rounds"}
        for name, row in results["clients"].items()
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
