"""Adapters survive restarts; interrupted writes leave the previous weights, never torn ones."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from gradient_sdk.emulator.engines import TextEngine
from gradient_sdk.emulator.storage import (
    REGISTRY_FILE,
    AdapterRecord,
    Registry,
    WeightStore,
    remembered_credentials,
)

from .conftest import QUESTION, WORKSPACE_ID, make_settings, run_emulator
from .fakes import FakeEngine


@pytest.mark.anyio
async def test_adapters_and_their_weights_survive_a_restart(
    tiny_engine: TextEngine, data_dir: Path
) -> None:
    settings = make_settings(data_dir, tiny_engine)
    async with run_emulator(settings) as first:
        client = first.client()
        [base] = await client.list_models(only_base=True)
        adapter = await base.create_model_adapter(name="kept", rank=4)
        await adapter.fine_tune(samples=[{"inputs": QUESTION + "The Dallas Cowboys!"}])
        before = await adapter.complete(query=QUESTION, max_generated_token_count=12)
        described = await client.get_model_adapter(model_adapter_id=adapter.id)

    async with run_emulator(settings) as second:
        client = second.client()
        [base_again] = await client.list_models(only_base=True)
        again = await client.get_model_adapter(model_adapter_id=adapter.id)
        after = await again.complete(query=QUESTION, max_generated_token_count=12)

    assert base_again.id == base.id
    assert again.info == described.info
    assert after == before


@pytest.mark.anyio
async def test_a_failed_save_keeps_the_previous_weights(
    fake_engine: FakeEngine, data_dir: Path
) -> None:
    async with run_emulator(make_settings(data_dir, fake_engine)) as emulator:
        client = emulator.client()
        [base] = await client.list_models(only_base=True)
        adapter = await base.create_model_adapter(name="fragile")
        await adapter.fine_tune(samples=[{"inputs": "one"}])
        fake_engine.fail_next_save = True

        failed = await emulator.raw().post(
            f"/models/{adapter.id}/fine-tune", json={"samples": [{"inputs": "two"}]}
        )
        completion = await adapter.complete(query="Hi")

    folders = sorted(p.name for p in (data_dir / "adapters" / adapter.id).iterdir())
    assert failed.status_code == 500
    assert failed.json() == {"message": "the emulator failed; see its log"}
    assert completion.generated_output.startswith("steps=1 ")  # reloaded from disk
    assert folders == ["v2"]


def record(adapter_id: str, version: int = 1) -> AdapterRecord:
    now = datetime.now(timezone.utc)
    return AdapterRecord(
        id=adapter_id,
        workspace_id=WORKSPACE_ID,
        base_model_id="base",
        name="adapter",
        rank=8,
        learning_rate=0.002,
        created_time=now,
        latest_update_time=now,
        weights_version=version,
    )


def write_weights(store: WeightStore, adapter_id: str, version: int, content: str) -> None:
    def save(folder: Path) -> None:
        (folder / "w").write_text(content)

    store.write(adapter_id, version, save)


def test_clean_removes_what_interrupted_writes_left(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    store = WeightStore(tmp_path)
    registry.add_adapter(record("kept", version=2))
    write_weights(store, "kept", 2, "good")
    # A fine-tune that crashed after its rename but before the registry switched to v3:
    write_weights(store, "kept", 3, "never committed")
    # ... one that crashed while writing, and an adapter whose creation never committed:
    (tmp_path / "adapters" / "kept" / ".tmp-0123").mkdir()
    (tmp_path / "adapters" / "kept" / ".tmp-0123" / "w").write_text("torn")
    write_weights(store, "unregistered", 1, "orphan")

    store.clean(registry.weights_versions())

    assert sorted(p.name for p in (tmp_path / "adapters").iterdir()) == ["kept"]
    assert sorted(p.name for p in (tmp_path / "adapters" / "kept").iterdir()) == ["v2"]
    assert (store.path("kept", 2) / "w").read_text() == "good"


def test_a_write_that_fails_leaves_nothing_behind(tmp_path: Path) -> None:
    store = WeightStore(tmp_path)
    write_weights(store, "a", 1, "good")

    def fail(folder: Path) -> None:
        (folder / "w").write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store.write("a", 2, fail)

    assert sorted(p.name for p in (tmp_path / "adapters" / "a").iterdir()) == ["v1"]


def test_the_registry_keeps_adapters_per_workspace(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    registry.add_adapter(record("a"))
    updated = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)

    registry.set_weights_version("a", 2, updated)
    reopened = Registry(tmp_path)

    found = reopened.adapter(WORKSPACE_ID, "a")
    assert found is not None
    assert (found.weights_version, found.latest_update_time) == (2, updated)
    assert reopened.adapter("another workspace", "a") is None
    assert [r.id for r in reopened.adapters(WORKSPACE_ID, "base")] == ["a"]
    assert reopened.adapters(WORKSPACE_ID, "another base") == []


def test_the_registry_uses_write_ahead_logging(tmp_path: Path) -> None:
    Registry(tmp_path).close()

    with sqlite3.connect(tmp_path / REGISTRY_FILE) as connection:
        [mode] = connection.execute("PRAGMA journal_mode").fetchone()

    assert mode == "wal"


def test_base_model_ids_are_stable_per_slug(tmp_path: Path) -> None:
    first = Registry(tmp_path).base_model_id("smollm2-135m-instruct")

    again = Registry(tmp_path).base_model_id("smollm2-135m-instruct")
    other = Registry(tmp_path).base_model_id("tiny-llama")

    assert again == first
    assert other != first
    assert len(first) == len(other) == 50


def test_generated_credentials_are_remembered(tmp_path: Path) -> None:
    tokens = iter(["token-1", "token-2"])
    workspaces = iter(["workspace-1", "workspace-2"])

    def resolve(token: str | None = None, workspace: str | None = None) -> tuple[str, str]:
        return remembered_credentials(
            tmp_path,
            access_token=token,
            workspace_id=workspace,
            generate_token=lambda: next(tokens),
            generate_workspace=lambda: next(workspaces),
        )

    assert resolve() == ("token-1", "workspace-1")
    assert resolve() == ("token-1", "workspace-1")
    assert resolve("given", None) == ("given", "workspace-1")
