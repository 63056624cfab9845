"""What the emulator keeps on disk: a SQLite registry and one weights folder per adapter.

Layout under the data directory::

    registry.sqlite3            adapters; base model ids and generated credentials (WAL mode)
    adapters/<adapter id>/v<N>/ the files the engine saved for weights version N

Weights are written to ``adapters/<id>/.tmp-<random>/``, fsynced, and renamed to ``v<N>``;
only then does the registry row switch to version N (the commit point), and only after that
is the previous version removed. A crash at any step therefore leaves the registry pointing
at a complete folder. On start, :meth:`WeightStore.clean` removes what an interrupted write
or delete left behind: temporary folders, versions the registry does not point at, and the
folders of adapters the registry does not know.

Everything here is blocking; the service calls it from worker threads.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path

import attrs

from ..records import ModelAdapterInfo

logger = logging.getLogger(__name__)

REGISTRY_FILE = "registry.sqlite3"
ADAPTERS_DIR = "adapters"
_TEMPORARY_PREFIX = ".tmp-"
_VERSION_PREFIX = "v"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS remembered (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
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


def new_base_model_id() -> str:
    """``<uuid4>_base_ml_model``: 50 characters, as the official client insists."""
    return f"{uuid.uuid4()}_base_ml_model"


def new_adapter_id() -> str:
    """``<uuid4>_model_adapter``: 50 characters, as the official client insists."""
    return f"{uuid.uuid4()}_model_adapter"


@attrs.frozen
class AdapterRecord:
    """One adapter as the registry holds it."""

    id: str
    workspace_id: str
    base_model_id: str
    name: str
    rank: int
    learning_rate: float
    created_time: datetime
    latest_update_time: datetime
    weights_version: int

    def info(self) -> ModelAdapterInfo:
        """The adapter as the API describes it."""
        return ModelAdapterInfo(
            id=self.id,
            name=self.name,
            base_model_id=self.base_model_id,
            latest_update_time=self.latest_update_time,
        )


class Registry:
    """The SQLite registry of base models and adapters; safe to share between threads."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # One connection shared by the worker threads, taken in turn under the lock.
        self._connection = sqlite3.connect(
            data_dir / REGISTRY_FILE, check_same_thread=False, isolation_level=None
        )
        self._connection.execute("PRAGMA journal_mode=WAL")
        # FULL: a fine-tune answered is a fine-tune that survives a power cut.
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._connection.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def remembered(self, key: str, default: Callable[[], str]) -> str:
        """The value stored under ``key``; the first call stores ``default()``."""
        with self._transaction() as db:
            row = db.execute("SELECT value FROM remembered WHERE key = ?", (key,)).fetchone()
            if row is not None:
                return str(row[0])
            value = default()
            db.execute("INSERT INTO remembered (key, value) VALUES (?, ?)", (key, value))
            return value

    def base_model_id(self, slug: str) -> str:
        """The id of the base model with this slug, the same every time for this data dir."""
        return self.remembered(f"base model id of {slug}", new_base_model_id)

    def add_adapter(self, adapter: AdapterRecord) -> None:
        """Register a new adapter (its weights are already on disk)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO adapters (id, workspace_id, base_model_id, name, rank,"
                " learning_rate, created_time, latest_update_time, weights_version)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    adapter.id,
                    adapter.workspace_id,
                    adapter.base_model_id,
                    adapter.name,
                    adapter.rank,
                    adapter.learning_rate,
                    adapter.created_time.isoformat(),
                    adapter.latest_update_time.isoformat(),
                    adapter.weights_version,
                ),
            )

    def adapter(self, workspace_id: str, adapter_id: str) -> AdapterRecord | None:
        """The workspace's adapter with this id, or None."""
        with self._lock:
            row = self._connection.execute(
                f"SELECT {_COLUMNS} FROM adapters WHERE id = ? AND workspace_id = ?",
                (adapter_id, workspace_id),
            ).fetchone()
        return None if row is None else _record(row)

    def adapters(self, workspace_id: str, base_model_id: str) -> list[AdapterRecord]:
        """The workspace's adapters of one base model, oldest first."""
        with self._lock:
            rows = self._connection.execute(
                f"SELECT {_COLUMNS} FROM adapters WHERE workspace_id = ? AND base_model_id = ?"
                " ORDER BY created_time, id",
                (workspace_id, base_model_id),
            ).fetchall()
        return [_record(row) for row in rows]

    def weights_versions(self) -> dict[str, int]:
        """Every adapter's current weights version, by adapter id."""
        with self._lock:
            rows = self._connection.execute("SELECT id, weights_version FROM adapters").fetchall()
        return {str(adapter_id): int(version) for adapter_id, version in rows}

    def set_weights_version(self, adapter_id: str, version: int, updated: datetime) -> None:
        """Point an adapter at a new weights version: the commit point of a fine-tune."""
        with self._transaction() as db:
            db.execute(
                "UPDATE adapters SET weights_version = ?, latest_update_time = ? WHERE id = ?",
                (version, updated.isoformat(), adapter_id),
            )

    def remove_adapter(self, adapter_id: str) -> None:
        """Forget an adapter (its weights are removed afterwards)."""
        with self._transaction() as db:
            db.execute("DELETE FROM adapters WHERE id = ?", (adapter_id,))


_COLUMNS = (
    "id, workspace_id, base_model_id, name, rank, learning_rate, created_time,"
    " latest_update_time, weights_version"
)


def _record(row: tuple[object, ...]) -> AdapterRecord:
    (adapter_id, workspace, base, name, rank, rate, created, updated, version) = row
    return AdapterRecord(
        id=str(adapter_id),
        workspace_id=str(workspace),
        base_model_id=str(base),
        name=str(name),
        rank=int(str(rank)),
        learning_rate=float(str(rate)),
        created_time=datetime.fromisoformat(str(created)),
        latest_update_time=datetime.fromisoformat(str(updated)),
        weights_version=int(str(version)),
    )


class WeightStore:
    """The adapters' weight folders, written atomically (see the module docstring)."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / ADAPTERS_DIR
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, adapter_id: str, version: int) -> Path:
        """The folder of one weights version."""
        return self.root / adapter_id / f"{_VERSION_PREFIX}{version}"

    def write(self, adapter_id: str, version: int, save: Callable[[Path], None]) -> Path:
        """Have ``save`` fill a temporary folder, make it durable, and rename it into place.

        The registry is not touched: the caller commits the new version afterwards.
        """
        adapter_dir = self.root / adapter_id
        adapter_dir.mkdir(parents=True, exist_ok=True)
        temporary = adapter_dir / f"{_TEMPORARY_PREFIX}{uuid.uuid4().hex}"
        temporary.mkdir()
        try:
            save(temporary)
            _fsync_tree(temporary)
            target = self.path(adapter_id, version)
            if target.exists():
                # Left by a write whose commit never happened: not the registry's version.
                shutil.rmtree(target)
            temporary.rename(target)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        _fsync_directory(adapter_dir)
        _fsync_directory(self.root)
        return target

    def keep_only(self, adapter_id: str, version: int) -> None:
        """Remove every folder of an adapter but the given version's."""
        keep = self.path(adapter_id, version).name
        adapter_dir = self.root / adapter_id
        for entry in adapter_dir.iterdir():
            if entry.name != keep:
                _remove(entry)

    def remove(self, adapter_id: str) -> None:
        """Remove all of an adapter's weights."""
        _remove(self.root / adapter_id)

    def clean(self, versions: Mapping[str, int]) -> None:
        """Remove what interrupted writes and deletes left; ``versions`` is the registry's."""
        for adapter_dir in self.root.iterdir():
            version = versions.get(adapter_dir.name)
            if version is None:
                logger.info("removing the weights of unregistered adapter %s", adapter_dir.name)
                _remove(adapter_dir)
                continue
            self.keep_only(adapter_dir.name, version)
        for adapter_id, version in versions.items():
            if not self.path(adapter_id, version).is_dir():
                logger.error("adapter %s has lost its weights (version %d)", adapter_id, version)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _fsync_tree(directory: Path) -> None:
    # Engines fsync what they save, but a folder is only as durable as its least careful writer.
    for root, _, files in os.walk(directory):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                os.fsync(handle.fileno())
        _fsync_directory(Path(root))


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remembered_credentials(
    data_dir: Path,
    *,
    access_token: str | None,
    workspace_id: str | None,
    generate_token: Callable[[], str],
    generate_workspace: Callable[[], str],
) -> tuple[str, str]:
    """The credentials to serve a data dir with: the given ones, else those used last time.

    Generated credentials are remembered in the registry, so that restarting without them
    finds the same workspace, and with it the adapters created before.
    """
    registry = Registry(data_dir)
    try:
        token = access_token or registry.remembered("generated access token", generate_token)
        workspace = workspace_id or registry.remembered(
            "generated workspace id", generate_workspace
        )
    finally:
        registry.close()
    return token, workspace
