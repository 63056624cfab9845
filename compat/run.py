"""Run one foreign client's checks against the emulator and hold them to compat/matrix.py.

``python compat/run.py CLIENT --python PATH`` (the nox sessions ``compat_*`` do this) starts the
emulator over loopback HTTP with this interpreter, one process per scenario of the client
(``breadth`` on the tiny random model, ``seed`` on SmolLM2), runs the client's script with
the client's own interpreter (``PATH``, a virtual environment holding the client and nothing
of this project) or Node.js, and compares every result with its row. It exits 1 when any
result differs from its row, in either direction, and prints why.

It then renders ``docs/compatibility.md`` from the matrix: written when it changed, or, under
``--check-docs`` or in CI (``CI`` set), a failure when the committed file is stale.
``python compat/run.py --docs`` only renders it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from matrix import (
    CLIENTS,
    ENDPOINTS,
    ROOT,
    SCENARIOS,
    Client,
    Outcome,
)

DOCS = ROOT / "docs" / "compatibility.md"
#: Longest wait for an emulator to load its models and answer (SmolLM2: about 20 s).
STARTUP_TIMEOUT = 300.0
#: Longest one check may run (a client polling forever, a hung request) ...
CHECK_TIMEOUT = {"breadth": 120, "seed": 300}
#: ... and one client script in all.
SCRIPT_TIMEOUT = 1200.0
#: Differences listed at the end (all of them are shown above, row by row).
MAX_LISTED = 25


class EmulatorError(RuntimeError):
    """The emulator did not start, or did not answer."""


@dataclass(frozen=True)
class RunningEmulator:
    url: str
    access_token: str
    workspace_id: str


@contextlib.contextmanager
def emulator(python: str, scenario: str, workdir: Path) -> Iterator[RunningEmulator]:
    """The emulator of ``scenario`` on a free loopback port, stopped afterwards."""
    access_token = f"compat-{secrets.token_hex(16)}"
    workspace_id = f"{uuid.uuid4()}_workspace"
    log = workdir / f"emulator-{scenario}.log"
    command = [
        python,
        "-m",
        "gradient_sdk.emulator",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--data-dir",
        str(workdir / f"data-{scenario}"),
        "--access-token",
        access_token,
        "--workspace-id",
        workspace_id,
        *SCENARIOS[scenario],
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    started = time.monotonic()
    with log.open("wb") as out:
        # Not started in the repository: the emulator is whatever the environment installed.
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=workdir
        )
    try:
        url = _wait_for_banner(process, log)
        _wait_until_ready(url, access_token, workspace_id, process, log)
        print(f"emulator ({scenario}) ready at {url} in {time.monotonic() - started:.1f} s")
        yield RunningEmulator(url, access_token, workspace_id)
    finally:
        _stop(process)


def _wait_for_banner(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    prefix = "Gradient emulator listening on "
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith(prefix):
                return line.removeprefix(prefix).strip()
        if process.poll() is not None:
            raise EmulatorError(f"the emulator exited with {process.returncode}:\n{_tail(log)}")
        time.sleep(0.1)
    raise EmulatorError(f"the emulator printed no banner in {STARTUP_TIMEOUT:.0f} s")


def _wait_until_ready(
    url: str, access_token: str, workspace_id: str, process: subprocess.Popen[bytes], log: Path
) -> None:
    """Until ``GET /models`` answers 200: the port takes connections before the models load."""
    request = urllib.request.Request(
        f"{url}/models?onlyBase=true",
        headers={
            "authorization": f"Bearer {access_token}",
            "x-gradient-workspace-id": workspace_id,
        },
    )
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EmulatorError(f"the emulator exited with {process.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(request, timeout=STARTUP_TIMEOUT) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as error:
            raise EmulatorError(f"GET /models answered {error.code}:\n{_tail(log)}") from error
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise EmulatorError(f"the emulator did not answer in {STARTUP_TIMEOUT:.0f} s:\n{_tail(log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def client_environment(
    running: RunningEmulator, results: Path, scratch: Path, scenario: str
) -> dict[str, str]:
    """The emulator's coordinates; offline; nothing of this project on the path."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
        and not key.startswith("GRADIENT_")
    }
    env.update(
        GRADIENT_API_URL=running.url,
        GRADIENT_ACCESS_TOKEN=running.access_token,
        GRADIENT_WORKSPACE_ID=running.workspace_id,
        COMPAT_RESULTS=str(results),
        COMPAT_SCRATCH=str(scratch),
        COMPAT_CHECK_TIMEOUT=str(CHECK_TIMEOUT[scenario]),
        # Loopback only: no proxy, no telemetry, no model hub.
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        HAYSTACK_TELEMETRY_ENABLED="False",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def run_scenario(
    client: Client, scenario: str, python: str, emulator_python: str, workdir: Path
) -> dict[str, dict[str, Any]]:
    """The client's results in one scenario, by check name."""
    results = workdir / f"results-{scenario}.jsonl"
    scratch = workdir / f"scratch-{scenario}"
    scratch.mkdir()
    command = [part.replace("{python}", python) for part in client.command] + [scenario]
    with emulator(emulator_python, scenario, workdir) as running:
        started = time.monotonic()
        print(f"$ {' '.join(command)}", flush=True)
        try:
            completed = subprocess.run(
                command,
                cwd=ROOT,
                env=client_environment(running, results, scratch, scenario),
                timeout=SCRIPT_TIMEOUT,
                check=False,
            )
            if completed.returncode != 0:
                print(f"the {client.name} script exited with {completed.returncode}")
        except subprocess.TimeoutExpired:
            print(f"the {client.name} script ran past {SCRIPT_TIMEOUT:.0f} s and was stopped")
        print(f"{client.name} / {scenario}: {time.monotonic() - started:.1f} s")
        found: dict[str, dict[str, Any]] = {}
        if results.exists():
            for line in results.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                found[record["check"]] = record
        return found


def compare(client: Client, results: dict[str, dict[str, Any]]) -> list[str]:
    """One line per row; the problems, if any, are returned."""
    problems: list[str] = []
    for row in client.rows:
        expected = client.expected(row)
        result = results.pop(row.check, None)
        if result is None:
            why: str | None = "did not run (the script stopped, or has no such check)"
        else:
            why = expected.mismatch(result)
        mark = "FAIL" if why else "ok  "
        label = "works" if expected.works else f"expected failure ({expected.kind})"
        print(f"  {mark} {row.check}: {label}")
        if why:
            problems.append(f"{client.name}: {row.check}: {why}")
            if result is not None and result.get("traceback"):
                print("       " + result["traceback"].replace("\n", "\n       "))
    for name in results:
        problems.append(f"{client.name}: {name}: has no row in compat/matrix.py")
    return problems


# The generated document


def _outcome_cell(outcome: Outcome) -> str:
    if outcome.works:
        return "works"
    if outcome.kind == "not implemented":
        return "501 not implemented yet"
    return f"expected failure: {outcome.kind}"


def _reason_cell(outcome: Outcome) -> str:
    if outcome.works:
        return ""
    status = f", HTTP {outcome.status}" if outcome.status is not None else ""
    return f"{outcome.reason} (`{outcome.error}`{status})".replace("|", "\\|")


def render() -> str:
    """docs/compatibility.md, from the matrix alone."""
    check_coverage()
    lines = [
        "# Compatibility with the Gradient clients",
        "",
        "<!-- Generated by compat/run.py from compat/matrix.py: edit those, then run",
        "     `python3 compat/run.py --docs` (or any `nox -s compat_*` session). -->",
        "",
        "The hosted Gradient service is gone, so the clients people already have are the",
        "emulator's acceptance test. `nox -t compat` runs each of them, **unmodified**, in its own",
        "virtual environment (nothing of this project is installed there) against the emulator",
        "started over loopback HTTP: the tiny random model for breadth, SmolLM2-135M for the seed",
        "flows. Every row below is asserted on every run, in both directions: a method marked",
        "*works* must work, and an expected failure must fail in exactly the recorded way",
        "(exception class, message, HTTP status), so that any change is noticed.",
        "",
        "- **works**: the method works and its result is checked (shapes, ids, a fine-tune",
        "  lowering the loss, the adapter's answer after training).",
        "- **501 not implemented yet**: the emulator answers 501 for an endpoint the method",
        "  calls; the row flips to its own outcome when `ENDPOINTS` in `compat/matrix.py` marks",
        "  the endpoint served.",
        "- **client bug** / **client limitation**: the client fails against any server, the",
        "  hosted one included.",
        "- **emulator limitation**: a documented difference from the hosted service",
        "  ([emulator.md](emulator.md)).",
        "- **emulator bug**: the emulator breaks the client; to be fixed.",
        "",
        "## Summary",
        "",
        "| client | session | works | expected failures | 501 not implemented yet |",
        "| --- | --- | --- | --- | --- |",
    ]
    for client in CLIENTS.values():
        outcomes = [client.expected(row) for row in client.rows]
        works = sum(o.works for o in outcomes)
        pending = sum(o.kind == "not implemented" for o in outcomes)
        lines.append(
            f"| {client.title} | `nox -s compat_{client.name}` | {works} "
            f"| {len(outcomes) - works - pending} | {pending} |"
        )
    lines += [
        "",
        "## Endpoints",
        "",
        "| endpoint | served | methods that work through it |",
        "| --- | --- | --- |",
    ]
    for endpoint, served in ENDPOINTS.items():
        users = [
            client.name
            for client in CLIENTS.values()
            if any(endpoint in r.endpoints and client.expected(r).works for r in client.rows)
        ]
        lines.append(
            f"| `{endpoint}` | {'yes' if served else 'no (501)'} | {', '.join(users) or '-'} |"
        )
    for client in CLIENTS.values():
        lines += [
            "",
            f"## {client.title}",
            "",
            f"`nox -s compat_{client.name}` runs `{_command(client)}`; its environment"
            f" ([{client.requirements}](../{client.requirements})):",
            "",
            "```",
            *_requirements(client),
            "```",
            "",
        ]
        if client.notes:
            lines += [client.notes, ""]
        lines += [
            "| method | scenario | endpoints | outcome | reason |",
            "| --- | --- | --- | --- | --- |",
        ]
        for row in client.rows:
            outcome = client.expected(row)
            calls = "<br>".join(f"`{e}`" for e in row.endpoints) or "none"
            check = row.check.replace("|", "\\|")
            lines.append(
                f"| `{check}` | {row.scenario} | {calls} | {_outcome_cell(outcome)} "
                f"| {_reason_cell(outcome)} |"
            )
    return "\n".join(lines) + "\n"


def _command(client: Client) -> str:
    return " ".join(client.command).replace("{python}", "python")


def _requirements(client: Client) -> list[str]:
    path = ROOT / client.requirements
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return [f"{name}@{version}" for name, version in data["dependencies"].items()]
    return path.read_text(encoding="utf-8").strip().splitlines()


def check_coverage() -> None:
    """Every endpoint the emulator serves works through at least one foreign client."""
    for endpoint, served in ENDPOINTS.items():
        if served and not any(
            endpoint in row.endpoints and client.expected(row).works
            for client in CLIENTS.values()
            for row in client.rows
        ):
            raise SystemExit(f"compat/matrix.py: no client method works through {endpoint}")


def write_docs(*, check: bool) -> bool:
    """Render the docs; True if the file is current (or was brought up to date)."""
    text = render()
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    if current == text:
        return True
    if check:
        print(f"{DOCS.relative_to(ROOT)} is stale: run `python3 compat/run.py --docs`")
        return False
    DOCS.write_text(text, encoding="utf-8")
    print(f"wrote {DOCS.relative_to(ROOT)}")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("client", nargs="?", choices=sorted(CLIENTS))
    parser.add_argument("--python", help="the client environment's interpreter")
    parser.add_argument(
        "--emulator-python",
        default=sys.executable,
        help="an interpreter with gradient-llm-sdk[emulator] (default: this one)",
    )
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), help="run only this one")
    parser.add_argument("--docs", action="store_true", help="only render the docs")
    parser.add_argument(
        "--check-docs",
        action="store_true",
        default=bool(os.environ.get("CI")),
        help="fail instead of rewriting stale docs (the default in CI)",
    )
    arguments = parser.parse_args(argv)
    if arguments.docs:
        return 0 if write_docs(check=arguments.check_docs) else 1
    if arguments.client is None:
        parser.error("name a client, or pass --docs")
    client = CLIENTS[arguments.client]
    if "{python}" in " ".join(client.command) and not arguments.python:
        parser.error(f"{client.name} runs in its own environment: pass --python")

    started = time.monotonic()
    problems: list[str] = []
    scenarios = [s for s in client.scenarios() if arguments.scenario in (None, s)]
    with tempfile.TemporaryDirectory(prefix=f"compat-{client.name}-") as temporary:
        workdir = Path(temporary)
        for scenario in scenarios:
            rows = tuple(row for row in client.rows if row.scenario == scenario)
            try:
                results = run_scenario(
                    client, scenario, arguments.python or "", arguments.emulator_python, workdir
                )
            except EmulatorError as error:
                print(error)
                problems += [f"{client.name}: {row.check}: not run, no emulator" for row in rows]
                continue
            problems += compare(replace(client, rows=rows), results)
        if problems:
            for log in sorted(workdir.glob("emulator-*.log")):
                print(f"--- {log.name} (last lines)\n{_tail(log)}")
    docs_ok = write_docs(check=arguments.check_docs)
    print(f"{client.name}: {time.monotonic() - started:.1f} s in all")
    if problems:
        print(f"\n{len(problems)} result(s) differ from compat/matrix.py:")
        for problem in problems[:MAX_LISTED]:
            print(f"- {problem}")
        if len(problems) > MAX_LISTED:
            print(f"- ... and {len(problems) - MAX_LISTED} more")
    total = sum(1 for row in client.rows if row.scenario in scenarios)
    print(f"compat_{client.name}: {total - len(problems)} passed, {len(problems)} failed")
    return 0 if not problems and docs_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
