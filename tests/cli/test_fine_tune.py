"""``gradient fine-tune``: batches, progress, Ctrl+C and resume, each sample trained once.

The emulator's engine counts how often each sample was trained; Ctrl+C is a real SIGINT
sent to the main thread while a batch is in flight (from inside the engine's fine-tune).
"""

from __future__ import annotations

import collections
import re
import shlex
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gradient_sdk import Gradient, ModelAdapter

from .conftest import ANSI_ESCAPE, TOKEN, CommandLine, RecordingEngine, write_samples

RESUME_LINE = re.compile(r"^  (gradient .*)$", re.MULTILINE)


@pytest.fixture
def adapter(client: Gradient) -> ModelAdapter:
    return client.get_base_model(base_model_slug="tiny-llama").create_model_adapter(name="ft")


def texts(count: int, tag: str = "sample") -> list[str]:
    return [f"{tag} number {index}: the answer is {index * 7}" for index in range(count)]


def once_each(samples: list[str]) -> collections.Counter[str]:
    return collections.Counter(samples)


def ctrl_c() -> None:
    """What a terminal does on Ctrl+C: SIGINT, which Python handles in the main thread."""
    signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)


def on_call(number: int, action: Callable[[], None]) -> Callable[[int], None]:
    return lambda call: action() if call == number else None


def test_a_run_trains_each_sample_once_in_batches(
    gradient: CommandLine, engine: RecordingEngine, adapter: ModelAdapter, tmp_path: Path
) -> None:
    samples = texts(10)
    data = write_samples(tmp_path / "data.jsonl", samples)

    run = gradient("fine-tune", adapter.id, str(data), "--batch-size", "4", "--json")

    assert run.exit_code == 0
    assert engine.calls == 3
    assert engine.trained == once_each(samples)
    summary = run.json()
    assert summary["finished"] is True
    assert (summary["batches"], summary["samples"], summary["next_start_at"]) == (3, 10, 10)
    assert summary["trainable_tokens"] == engine.trainable_tokens
    assert summary["first_loss"] > 0
    assert summary["last_loss"] > 0
    assert summary["resume_command"] is None


def test_epochs_train_each_sample_once_per_epoch(
    gradient: CommandLine, engine: RecordingEngine, adapter: ModelAdapter, tmp_path: Path
) -> None:
    samples = texts(3)
    data = write_samples(tmp_path / "data.jsonl", samples)

    run = gradient("fine-tune", adapter.id, str(data), "--epochs", "2", "--batch-size", "2")

    assert run.exit_code == 0
    assert engine.calls == 4
    assert engine.trained == once_each(samples * 2)


def test_the_summary_table(
    gradient: CommandLine, engine: RecordingEngine, adapter: ModelAdapter, tmp_path: Path
) -> None:
    data = write_samples(tmp_path / "data.jsonl", texts(2))

    run = gradient("fine-tune", adapter.id, str(data))

    assert run.exit_code == 0
    lines = [line.rstrip() for line in run.stdout.splitlines()]
    assert lines[:4] == [
        f"adapter           {adapter.id}",
        "batches           1",
        "samples           2 trained, at 2 of 2",
        f"trainable tokens  {engine.trainable_tokens}",
    ]
    assert re.fullmatch(r"first loss        \d+\.\d{4}", lines[4])
    assert re.fullmatch(r"last loss         \d+\.\d{4}", lines[5])


def test_the_progress_bar_on_a_terminal(
    gradient: CommandLine, engine: RecordingEngine, adapter: ModelAdapter, tmp_path: Path
) -> None:
    data = write_samples(tmp_path / "data.jsonl", texts(6))

    run = gradient(
        "fine-tune",
        adapter.id,
        str(data),
        "--batch-size",
        "3",
        "--json",
        env={"TTY_COMPATIBLE": "1", "COLUMNS": "100"},
    )

    assert run.exit_code == 0
    frames = [frame for frame in re.split(r"[\r\n]", ANSI_ESCAPE.sub("", run.stderr)) if frame]
    assert all(len(frame) <= 100 for frame in frames)
    first_loss = f"{run.json()['first_loss']:.4f}"
    last_loss = f"{run.json()['last_loss']:.4f}"
    halfway = rf"epoch 1/1 ━+╺?━* 3/6 samples  loss {first_loss}  ETA \S+"
    assert any(re.fullmatch(halfway, frame) for frame in frames)
    assert re.fullmatch(rf"epoch 1/1 ━+ 6/6 samples  loss {last_loss}  ETA 0:00:00", frames[-1])


def test_ctrl_c_stops_after_the_batch_in_flight_and_the_printed_command_resumes(
    gradient: CommandLine, engine: RecordingEngine, adapter: ModelAdapter, tmp_path: Path
) -> None:
    samples = texts(12)
    data = write_samples(tmp_path / "data.jsonl", samples)
    engine.after_fine_tune = on_call(2, ctrl_c)

    stopped = gradient("fine-tune", adapter.id, str(data), "--batch-size", "4", "--json")

    assert stopped.exit_code == 130
    assert engine.calls == 2
    assert engine.trained == once_each(samples[:8])
    assert "Stopped by Ctrl+C at sample 8 of 12." in stopped.stderr
    resume = RESUME_LINE.findall(stopped.stderr)
    expected = f"gradient fine-tune {adapter.id} {data} --batch-size 4 --epochs 1 --start-at 8"
    assert resume == [expected + " --json"]
    assert stopped.json()["resume_command"] == resume[0]
    assert stopped.json()["finished"] is False
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

    engine.after_fine_tune = None
    resumed = gradient(*shlex.split(resume[0])[1:])

    assert resumed.exit_code == 0
    assert resumed.json()["finished"] is True
    assert engine.calls == 3
    assert engine.trained == once_each(samples)


def test_the_resume_command_repeats_the_global_options_but_never_the_token(
    gradient: CommandLine, engine: RecordingEngine, adapter: ModelAdapter, tmp_path: Path
) -> None:
    data = write_samples(tmp_path / "data.jsonl", texts(4))
    engine.after_fine_tune = on_call(1, ctrl_c)

    run = gradient(
        "--access-token",
        TOKEN,
        "--workspace-id",
        adapter.workspace_id,
        "fine-tune",
        adapter.id,
        str(data),
        "--batch-size",
        "2",
        "--epochs",
        "3",
        credentials=False,
        env={"GRADIENT_API_URL": gradient.url},
    )

    assert run.exit_code == 130
    assert RESUME_LINE.findall(run.stderr) == [
        f"gradient --workspace-id {adapter.workspace_id} fine-tune {adapter.id} {data}"
        " --batch-size 2 --epochs 3 --start-at 2"
    ]
    assert "(with your --access-token, which is never printed)" in run.stderr
    assert TOKEN not in run.stdout + run.stderr


def test_a_second_ctrl_c_stops_at_once_and_skips_the_batch_in_flight(
    gradient: CommandLine, engine: RecordingEngine, adapter: ModelAdapter, tmp_path: Path
) -> None:
    samples = texts(8)
    data = write_samples(tmp_path / "data.jsonl", samples)

    def ctrl_c_twice() -> None:
        ctrl_c()
        handler = signal.getsignal(signal.SIGINT)
        deadline = time.monotonic() + 30
        # Two signals before the handler runs would be seen as one: wait for the first.
        while not getattr(handler, "requested", True) and time.monotonic() < deadline:
            time.sleep(0.01)
        ctrl_c()

    engine.after_fine_tune = on_call(1, ctrl_c_twice)

    stopped = gradient("fine-tune", adapter.id, str(data), "--batch-size", "4")

    assert stopped.exit_code == 130
    assert "Samples 1 to 4 of epoch 1 may or may not have been trained" in stopped.stderr
    resume = RESUME_LINE.findall(stopped.stderr)
    assert resume[0].endswith("--start-at 4")

    engine.after_fine_tune = None
    resumed = gradient(*shlex.split(resume[0])[1:])

    assert resumed.exit_code == 0
    assert engine.trained == once_each(samples)


def test_a_batch_the_server_refuses_is_resumed_at(
    gradient: CommandLine, engine: RecordingEngine, adapter: ModelAdapter, tmp_path: Path
) -> None:
    samples = texts(8)
    samples[5] = "far too long for the tiny model's context window " * 20
    data = write_samples(tmp_path / "data.jsonl", samples)

    run = gradient("fine-tune", adapter.id, str(data), "--batch-size", "4")

    assert run.exit_code == 1
    assert engine.trained == once_each(samples[:4])
    assert "Stopped by the error below at sample 4 of 8." in run.stderr
    assert RESUME_LINE.findall(run.stderr)[0].endswith("--start-at 4")
    last = run.stderr.splitlines()[-1]
    assert last.startswith("Error: Gradient API returned 422")


def test_a_server_failure_skips_the_batch_it_may_have_trained(
    gradient: CommandLine, engine: RecordingEngine, adapter: ModelAdapter, tmp_path: Path
) -> None:
    samples = texts(12)
    data = write_samples(tmp_path / "data.jsonl", samples)

    def fail() -> None:
        raise RuntimeError("the engine broke after training")

    engine.after_fine_tune = on_call(2, fail)

    failed = gradient("fine-tune", adapter.id, str(data), "--batch-size", "4")

    assert failed.exit_code == 1
    assert failed.stderr.splitlines()[-1].startswith("Error: Gradient API returned 500")
    assert "Samples 5 to 8 of epoch 1 may or may not have been trained" in failed.stderr
    resume = RESUME_LINE.findall(failed.stderr)[0]
    assert resume.endswith("--start-at 8")

    engine.after_fine_tune = None
    resumed = gradient(*shlex.split(resume)[1:])

    assert resumed.exit_code == 0
    assert engine.trained == once_each(samples)


def test_a_malformed_line_sends_nothing(
    gradient: CommandLine, engine: RecordingEngine, adapter: ModelAdapter, tmp_path: Path
) -> None:
    data = tmp_path / "data.jsonl"
    data.write_text('{"inputs": "fine"}\n{"inputs": "also fine"}\n{"inputs": "broken}\n')

    run = gradient("fine-tune", adapter.id, str(data))

    assert run.exit_code == 2
    assert run.stderr == (
        f"Error: {data}:3: not valid JSON: Unterminated string starting at (column 12)\n"
    )
    assert engine.calls == 0


def test_a_missing_file(gradient: CommandLine, adapter: ModelAdapter, tmp_path: Path) -> None:
    run = gradient("fine-tune", adapter.id, str(tmp_path / "absent.jsonl"))

    assert run.exit_code == 2
    assert "File '" in run.stderr
    assert "absent.jsonl' does not exist" in run.stderr


def test_an_unknown_adapter_sends_nothing(
    gradient: CommandLine, engine: RecordingEngine, tmp_path: Path
) -> None:
    data = write_samples(tmp_path / "data.jsonl", texts(2))

    run = gradient("fine-tune", "no-such-adapter", str(data))

    assert run.exit_code == 1
    assert "no model adapter with id 'no-such-adapter'" in run.stderr
    assert engine.calls == 0


def test_start_at_past_the_end(
    gradient: CommandLine, engine: RecordingEngine, adapter: ModelAdapter, tmp_path: Path
) -> None:
    data = write_samples(tmp_path / "data.jsonl", texts(3))

    run = gradient("fine-tune", adapter.id, str(data), "--epochs", "2", "--start-at", "7")

    assert run.exit_code == 2
    assert "7 is past the end: 3 samples x 2 epochs = 6" in run.stderr
    assert engine.calls == 0


def test_start_at_the_end_has_nothing_left(
    gradient: CommandLine, engine: RecordingEngine, adapter: ModelAdapter, tmp_path: Path
) -> None:
    data = write_samples(tmp_path / "data.jsonl", texts(3))

    run = gradient("fine-tune", adapter.id, str(data), "--start-at", "3", "--json")

    assert run.exit_code == 0
    assert (run.json()["finished"], run.json()["batches"]) == (True, 0)
    assert engine.calls == 0
