"""Adapters survive restarts; interrupted writes leave the previous weights, never torn ones."""

from __future__ import annotations

import io
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from gradient_sdk.emulator.engines import AdapterConfig, TextEngine
from gradient_sdk.emulator.storage import (
    MIGRATIONS,
    REGISTRY_FILE,
    SCHEMA_VERSION,
    AdapterRow,
    Adapters,
    BlobStore,
    BlobTooLargeError,
    Database,
    SchemaTooNewError,
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


def adapters_in(data_dir: Path) -> Adapters:
    return Adapters(Database.in_data_dir(data_dir))


def record(adapter_id: str, version: int = 1) -> AdapterRow:
    now = datetime.now(timezone.utc)
    return AdapterRow(
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
    registry = adapters_in(tmp_path)
    store = WeightStore(tmp_path)
    registry.add(record("kept", version=2))
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
    registry = adapters_in(tmp_path)
    registry.add(record("a"))
    updated = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)

    registry.set_weights_version("a", 2, updated)
    reopened = adapters_in(tmp_path)

    found = reopened.get(WORKSPACE_ID, "a")
    assert found is not None
    assert (found.weights_version, found.latest_update_time) == (2, updated)
    assert reopened.get("another workspace", "a") is None
    assert [r.id for r in reopened.of_workspace(WORKSPACE_ID, "base")] == ["a"]
    assert reopened.of_workspace(WORKSPACE_ID, "another base") == []


def test_the_registry_uses_write_ahead_logging(tmp_path: Path) -> None:
    Database.in_data_dir(tmp_path).close()

    with sqlite3.connect(tmp_path / REGISTRY_FILE) as connection:
        [mode] = connection.execute("PRAGMA journal_mode").fetchone()

    assert mode == "wal"


def test_base_model_ids_are_stable_per_slug(tmp_path: Path) -> None:
    first = adapters_in(tmp_path).base_model_id("smollm2-135m-instruct")

    again = adapters_in(tmp_path).base_model_id("smollm2-135m-instruct")
    other = adapters_in(tmp_path).base_model_id("tiny-llama")

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


#: The schema of the first release, which had no version: kept here as it was written.
FIRST_RELEASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS remembered (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS adapters (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    base_model_id TEXT NOT NULL,
    name TEXT NOT NULL,
    rank INTEGER NOT NULL,
    learning_rate REAL NOT NULL,
    created_time TEXT NOT NULL,
    latest_update_time TEXT NOT NULL,
    weights_version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS adapters_by_workspace ON adapters (workspace_id, created_time);
"""


def write_a_first_release_data_dir(data_dir: Path, engine: TextEngine) -> tuple[str, str]:
    """A data dir as the first release wrote it: unversioned schema, a row, its weights.
    Returns the base model's id and the adapter's."""
    data_dir.mkdir()
    base_id = "8d7d4c1e-5b0a-4f6e-9c3d-2a1b0c9d8e7f_base_ml_model"
    adapter_id = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9_model_adapter"
    with sqlite3.connect(data_dir / REGISTRY_FILE) as old:
        old.executescript(FIRST_RELEASE_SCHEMA)
        old.execute(
            "INSERT INTO remembered VALUES (?, ?)", ("base model id of tiny-llama", base_id)
        )
        old.execute(
            "INSERT INTO adapters VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                adapter_id,
                WORKSPACE_ID,
                base_id,
                "old",
                4,
                0.001,
                "2026-01-01T00:00:00+00:00",
                "2026-01-02T00:00:00+00:00",
                1,
            ),
        )
    weights = WeightStore(data_dir)
    weights.write(
        adapter_id,
        1,
        lambda folder: engine.save_adapter(
            engine.new_adapter(AdapterConfig(rank=4, seed=3)), folder
        ),
    )

    return base_id, adapter_id


@pytest.mark.anyio
async def test_a_data_dir_of_the_first_release_opens_and_keeps_its_adapters(
    tiny_engine: TextEngine, data_dir: Path
) -> None:
    base_id, adapter_id = write_a_first_release_data_dir(data_dir, tiny_engine)

    async with run_emulator(make_settings(data_dir, tiny_engine)) as emulator:
        client = emulator.client()
        [base] = await client.list_models(only_base=True)
        adapter = await client.get_model_adapter(model_adapter_id=adapter_id)
        completion = await adapter.complete(query="Hi", max_generated_token_count=3)

    assert base.id == base_id
    assert (adapter.name, adapter.base_model_id) == ("old", base_id)
    assert completion.generated_output
    with sqlite3.connect(data_dir / REGISTRY_FILE) as upgraded:
        [version] = upgraded.execute("PRAGMA user_version").fetchone()
    assert version == SCHEMA_VERSION


def test_migrations_apply_in_order_once_each(tmp_path: Path) -> None:
    later = (*MIGRATIONS, "ALTER TABLE adapters ADD COLUMN note TEXT NOT NULL DEFAULT '';")
    Adapters(Database.in_data_dir(tmp_path)).add(record("a"))

    upgraded = Database(tmp_path / REGISTRY_FILE, migrations=later)
    again = Database(tmp_path / REGISTRY_FILE, migrations=later)

    assert upgraded.schema_version == again.schema_version == len(MIGRATIONS) + 1
    assert again.fetch_all("SELECT id, note FROM adapters") == [("a", "")]


def test_a_failed_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    Database.in_data_dir(tmp_path).close()
    broken = (*MIGRATIONS, "CREATE TABLE extra (x INTEGER);", "CREATE TABLE nonsense (;")

    with pytest.raises(sqlite3.OperationalError):
        Database(tmp_path / REGISTRY_FILE, migrations=broken)

    reopened = Database.in_data_dir(tmp_path)
    assert reopened.schema_version == SCHEMA_VERSION
    tables = {name for (name,) in reopened.fetch_all("SELECT name FROM sqlite_master")}
    assert "extra" not in tables  # the pending migrations commit together, or not at all


def test_a_data_dir_of_a_newer_release_is_refused(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / REGISTRY_FILE) as newer:
        newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")

    with pytest.raises(SchemaTooNewError, match="newer release"):
        Database.in_data_dir(tmp_path)


def test_a_blob_is_kept_under_an_unguessable_key(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)

    first, size = store.put(io.BytesIO(b"hello"), max_bytes=10)
    second, _ = store.put(io.BytesIO(b"hello"), max_bytes=10)

    assert size == 5
    assert store.path(first).read_bytes() == b"hello"
    assert first != second
    assert len(first) >= 32


def test_a_blob_over_the_limit_keeps_nothing(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)

    with pytest.raises(BlobTooLargeError):
        store.put(io.BytesIO(b"x" * 11), max_bytes=10)

    assert list((tmp_path / "files").iterdir()) == []


def test_clean_removes_unknown_blobs_and_torn_copies(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    kept, _ = store.put(io.BytesIO(b"kept"), max_bytes=10)
    orphan, _ = store.put(io.BytesIO(b"orphan"), max_bytes=10)
    (tmp_path / "files" / ".tmp-torn").write_bytes(b"half")

    store.clean({kept})

    assert sorted(p.name for p in (tmp_path / "files").iterdir()) == [kept]
    assert not store.path(orphan).exists()


@pytest.mark.parametrize("key", ["", "../registry.sqlite3", "a/b", ".tmp-x"])
def test_a_blob_key_never_leaves_the_store(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="not a blob key"):
        BlobStore(tmp_path).path(key)
