"""SIGKILL the emulator in the middle of a fine-tune, and when idle: nothing is lost.

The emulator runs as ``python -m gradient_sdk.emulator`` (tiny model, hashing embeddings) on a
free loopback port with a data dir; the sync :class:`~gradient_sdk.Gradient` talks to it over
HTTP. After each SIGKILL it is restarted on the same data dir, and:

* the adapter is still listed, with the same ``latestUpdateTime`` as after its last
  *completed* fine-tune;
* its greedy completion (temperature 0) is the one recorded before the killed fine-tune:
  the weights are the previous complete state, not a partial write;
* the registry passes ``PRAGMA integrity_check``;
* no temporary weights folder and no stale weights version is left once it has started.

The killed fine-tune carries 64 samples of 120 bytes (about 150 s of training on the tiny
model here, minutes on any machine), so a kill 1.5 s after it was sent lands in its middle;
the test checks the call is still waiting when the kill comes, and that it then fails.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from gradient_sdk import APIConnectionError, Gradient, GradientError

from .emulator_support import TOKEN, WORKSPACE_ID, EmulatorProcess

PROMPT = "The capital of France is"
TAUGHT = "The capital of France is Paris. " * 3
#: Long enough that it is surely mid-flight when killed; within every limit (64 samples,
#: 8,192 tokens, each sample within the 512-token window).
LONG_SAMPLES = [f"{index:03d} " + "lorem ipsum dolor sit amet " * 4 for index in range(64)]
KILL_AFTER_SECONDS = 1.5
#: Ten times the default: on the tiny model one fine-tune then surely changes the greedy
#: answer, so "the same answer" after a restart means these weights.
LEARNING_RATE = 0.01

#: For docs/reliability.md.
KILLS: list[str] = []


def client_of(emulator: EmulatorProcess, **options: object) -> Gradient:
    return Gradient(
        access_token=TOKEN,
        workspace_id=WORKSPACE_ID,
        host=emulator.api_url,
        max_retries=0,
        timeout=300.0,
        **options,  # type: ignore[arg-type]
    )


def greedy(client: Gradient, adapter_id: str) -> str:
    adapter = client.get_model_adapter(model_adapter_id=adapter_id)
    answer = adapter.complete(query=PROMPT, temperature=0, max_generated_token_count=24)
    return answer.generated_output


def assert_storage_is_clean(data_dir: Path, adapter_ids: set[str]) -> None:
    connection = sqlite3.connect(data_dir / "registry.sqlite3")
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        versions = dict(connection.execute("SELECT id, weights_version FROM adapters").fetchall())
    finally:
        connection.close()
    assert set(versions) == adapter_ids
    adapters_dir = data_dir / "adapters"
    on_disk = {
        entry.name: sorted(p.name for p in entry.iterdir()) for entry in adapters_dir.iterdir()
    }
    assert on_disk == {adapter_id: [f"v{versions[adapter_id]}"] for adapter_id in adapter_ids}
    leftovers = [p for p in data_dir.rglob("*") if p.name.startswith(".tmp-")]
    assert not leftovers


def assert_survived(
    emulator: EmulatorProcess, adapter_id: str, updated: object, completion: str
) -> None:
    with client_of(emulator) as client:
        listed = [model.id for model in client.list_models()]
        assert adapter_id in listed
        adapter = client.get_model_adapter(model_adapter_id=adapter_id)
        assert adapter.latest_update_time == updated
        assert greedy(client, adapter_id) == completion
    assert_storage_is_clean(emulator.data_dir, {adapter_id})


def test_sigkill_mid_fine_tune_and_when_idle_keeps_the_last_complete_weights(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"

    with EmulatorProcess(data_dir) as first:
        first.wait_until_ready()
        with client_of(first) as client:
            base = client.list_models(only_base=True)[0]
            adapter = base.create_model_adapter(name="survivor", learning_rate=LEARNING_RATE)  # type: ignore[union-attr]
            before_tuning = greedy(client, adapter.id)
            adapter.fine_tune(samples=[{"inputs": TAUGHT}])
            completion = greedy(client, adapter.id)
            updated = client.get_model_adapter(model_adapter_id=adapter.id).latest_update_time
        assert completion != before_tuning

        outcome: list[BaseException | object] = []

        def long_fine_tune() -> None:
            with client_of(first) as killed_client:
                try:
                    outcome.append(
                        killed_client.get_model_adapter(model_adapter_id=adapter.id).fine_tune(
                            samples=[{"inputs": text} for text in LONG_SAMPLES]
                        )
                    )
                except GradientError as error:
                    outcome.append(error)

        caller = threading.Thread(target=long_fine_tune, name="killed-fine-tune")
        caller.start()
        time.sleep(KILL_AFTER_SECONDS)
        assert caller.is_alive(), f"the fine-tune ended before the kill: {outcome}"
        first.kill()
        KILLS.append("mid fine-tune")
        caller.join(timeout=30)
        assert not caller.is_alive()
        assert len(outcome) == 1
        assert isinstance(outcome[0], APIConnectionError), outcome

    with EmulatorProcess(data_dir) as second:
        second.wait_until_ready()
        assert_survived(second, adapter.id, updated, completion)
        second.kill()  # idle: nothing running
        KILLS.append("idle")

    with EmulatorProcess(data_dir) as third:
        third.wait_until_ready()
        assert_survived(third, adapter.id, updated, completion)
        third.stop()
        assert "Application shutdown complete" in third.output()
        assert third.process.returncode == 0  # Ctrl+C is a clean stop, not a traceback
        assert "KeyboardInterrupt" not in third.output()
    assert_storage_is_clean(data_dir, {adapter.id})
    print(f"\ncrash safety: {len(KILLS)} SIGKILLs ({', '.join(KILLS)}), weights intact")
