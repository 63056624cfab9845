"""Fixtures of the CLI tests: one emulator over loopback with the tiny model, and a runner.

The emulator's text engine is the tiny model wrapped in a :class:`RecordingEngine`, which
counts how often each sample was trained, so tests can check that no batch is sent twice.
"""

from __future__ import annotations

import collections
import json
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import click.testing
import pytest

from gradient_sdk import Gradient
from gradient_sdk.cli.app import cli
from gradient_sdk.emulator import Emulator, RunningEmulator, serve_http
from gradient_sdk.emulator.engines import (
    FineTuneResult,
    LoadedAdapter,
    StopSignal,
    TextEngine,
    TrainingExample,
    load_text_engine,
)

TOKEN = "cli-test-token-5c1e9a7b2d"
WORKSPACE_ID = "0f3c5a9e-1b2d-4c6e-8a0f-7d9b3e5c1a24_workspace"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class RecordingEngine:
    """The tiny engine, recording the text of every sample each fine-tune call trains.

    ``after_fine_tune`` (when set) runs after each call has trained, before the emulator
    answers: the moment a batch is "in flight" for the client.
    """

    def __init__(self, inner: TextEngine) -> None:
        self._inner = inner
        self.name = inner.name
        self.context_window = inner.context_window
        self.trained: collections.Counter[str] = collections.Counter()
        self.trainable_tokens = 0
        self.calls = 0
        self.after_fine_tune: Callable[[int], None] | None = None

    def fine_tune(
        self,
        adapter: LoadedAdapter,
        examples: Sequence[TrainingExample],
        stop: StopSignal | None = None,
    ) -> FineTuneResult:
        result = self._inner.fine_tune(adapter, examples, stop=stop)
        self.calls += 1
        self.trainable_tokens += result.number_of_trainable_tokens
        for example in examples:
            self.trained["".join(segment.text for segment in example.segments)] += 1
        if self.after_fine_tune is not None:
            self.after_fine_tune(self.calls)
        return result

    def reset(self) -> None:
        self.trained.clear()
        self.trainable_tokens = 0
        self.calls = 0
        self.after_fine_tune = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.fixture(scope="session")
def recording_engine() -> RecordingEngine:
    return RecordingEngine(load_text_engine("tiny"))


@pytest.fixture(scope="session")
def server(recording_engine: RecordingEngine) -> Iterator[RunningEmulator]:
    settings = Emulator(
        model=recording_engine,  # type: ignore[arg-type]
        embeddings_model="hashing",
        access_token=TOKEN,
        workspace_id=WORKSPACE_ID,
    )
    with serve_http(settings) as running:
        yield running


@pytest.fixture
def engine(recording_engine: RecordingEngine) -> Iterator[RecordingEngine]:
    """The emulator's engine, its counts reset for this test."""
    recording_engine.reset()
    yield recording_engine
    recording_engine.reset()


@pytest.fixture
def client(server: RunningEmulator) -> Iterator[Gradient]:
    """An SDK client of the emulator, to arrange and check what the CLI did."""
    with server.client(max_retries=0) as sdk:
        yield sdk


@attrs.frozen
class Run:
    """One ``gradient`` run: its exit status and what it printed on each stream."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout read as one JSON document."""
        return json.loads(self.stdout)


@attrs.frozen
class CommandLine:
    """Runs ``gradient`` in process with click's test runner, credentials in the environment."""

    url: str

    def __call__(
        self,
        *args: str,
        input: str | None = None,
        env: dict[str, str | None] | None = None,
        credentials: bool = True,
    ) -> Run:
        environment: dict[str, str | None] = {"COLUMNS": "200"}
        if credentials:
            environment |= {
                "GRADIENT_API_URL": self.url,
                "GRADIENT_ACCESS_TOKEN": TOKEN,
                "GRADIENT_WORKSPACE_ID": WORKSPACE_ID,
            }
        result = click.testing.CliRunner().invoke(
            cli, list(args), input=input, env=environment | (env or {}), catch_exceptions=False
        )
        return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def gradient(server: RunningEmulator) -> CommandLine:
    return CommandLine(server.url)


def write_samples(path: Path, texts: Sequence[str]) -> Path:
    """A JSONL file with one plain sample per text."""
    path.write_text("".join(json.dumps({"inputs": text}) + "\n" for text in texts))
    return path


@pytest.fixture
def server_url(server: RunningEmulator) -> str:
    return server.url
