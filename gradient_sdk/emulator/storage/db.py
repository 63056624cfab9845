"""The emulator's SQLite database: one file, its schema versioned and migrated forward.

The schema's version is SQLite's ``PRAGMA user_version``: the number of :data:`MIGRATIONS`
applied. Opening a database applies the missing ones in order, all in one transaction with
the version bump, so a failure or a crash mid-migration leaves the previous version whole.
A data dir written by this release therefore opens in the next one; one written by a
*newer* release is refused rather than misread.

Version 0 is the unversioned schema of the first release (its tables were created with
``IF NOT EXISTS`` and no version): migration 1 creates those same tables the same way, so it
applies to a fresh file and to a first-release one alike.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import Any

REGISTRY_FILE = "registry.sqlite3"

#: Each entry is one migration's SQL; its position + 1 is the version it brings.
MIGRATIONS: tuple[str, ...] = (
    # 1: adapters, and values remembered between runs (ids, generated credentials).
    """
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
    """,
    # 2: uploaded files, RAG collections, the files each holds and their chunks.
    """
    CREATE TABLE files (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        created_time TEXT NOT NULL
    );
    CREATE INDEX files_by_workspace ON files (workspace_id);
    CREATE TABLE rag_collections (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        name TEXT NOT NULL,
        slug TEXT NOT NULL,
        chunker TEXT NOT NULL,
        creation_time TEXT NOT NULL,
        latest_update_time TEXT NOT NULL
    );
    CREATE INDEX rag_collections_by_workspace ON rag_collections (workspace_id, creation_time);
    CREATE TABLE rag_files (
        collection_id TEXT NOT NULL REFERENCES rag_collections (id) ON DELETE CASCADE,
        file_id TEXT NOT NULL,
        name TEXT NOT NULL,
        position INTEGER NOT NULL,
        status TEXT NOT NULL,
        failure_reason TEXT,
        PRIMARY KEY (collection_id, file_id)
    );
    CREATE INDEX rag_files_by_status ON rag_files (status);
    CREATE TABLE rag_chunks (
        collection_id TEXT NOT NULL,
        file_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        content TEXT NOT NULL,
        PRIMARY KEY (collection_id, file_id, position),
        FOREIGN KEY (collection_id, file_id) REFERENCES rag_files (collection_id, file_id)
            ON DELETE CASCADE
    );
    """,
    # 3: transcription jobs, each reading one uploaded audio file.
    """
    CREATE TABLE transcriptions (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        file_id TEXT NOT NULL,
        status TEXT NOT NULL,
        created_time TEXT NOT NULL,
        text TEXT,
        failure_reason TEXT
    );
    CREATE INDEX transcriptions_by_status ON transcriptions (status, created_time);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer release of the emulator."""


class DataDirGoneError(RuntimeError):
    """The data dir was removed while the emulator ran: a write would be acknowledged and
    lost (the open database file lives on, unlinked), so writes are refused."""


def ensure_present(path: Path) -> None:
    """:class:`DataDirGoneError` unless ``path`` (a file or folder of the data dir) exists."""
    if not path.exists():
        raise DataDirGoneError(
            f"the data dir {path.parent} was removed while the emulator ran; nothing more can "
            "be kept: restart the emulator"
        )


class Database:
    """One SQLite connection shared by the worker threads, taken in turn under a lock."""

    def __init__(self, path: Path, *, migrations: Sequence[str] = MIGRATIONS) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            self._connection.execute("PRAGMA journal_mode=WAL")
            # FULL: a write answered is a write that survives a power cut.
            self._connection.execute("PRAGMA synchronous=FULL")
            self._connection.execute("PRAGMA foreign_keys=ON")
            self._migrate(migrations)
        except BaseException:
            self._connection.close()
            raise

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> Database:
        """The database of a data directory."""
        return cls(data_dir / REGISTRY_FILE)

    @property
    def schema_version(self) -> int:
        """The version of the schema on disk."""
        return int(self.fetch_one("PRAGMA user_version")[0])

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._connection.close()

    @contextlib.contextmanager
    def transaction(self) -> Generator[sqlite3.Connection, None, None]:
        """Hold the connection in a write transaction: all of it commits, or none."""
        ensure_present(self.path)
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def fetch_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows a query reads."""
        with self._lock:
            return list(self._connection.execute(sql, parameters).fetchall())

    def fetch_one(self, sql: str, parameters: Sequence[Any] = ()) -> tuple[Any, ...]:
        """The first row a query reads; the query must read one."""
        rows = self.fetch_all(sql, parameters)
        if not rows:
            raise LookupError(f"no row for {sql!r}")
        return rows[0]

    def remembered(self, key: str, default: Callable[[], str]) -> str:
        """The value stored under ``key``; the first call stores ``default()``."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM remembered WHERE key = ?", (key,)).fetchone()
            if row is not None:
                return str(row[0])
            value = default()
            db.execute("INSERT INTO remembered (key, value) VALUES (?, ?)", (key, value))
            return value

    def _migrate(self, migrations: Sequence[str]) -> None:
        with self.transaction() as db:
            [current] = db.execute("PRAGMA user_version").fetchone()
            if current > len(migrations):
                raise SchemaTooNewError(
                    f"{self.path} has schema version {current}, newer than this emulator's "
                    f"{len(migrations)}: it was written by a newer release; upgrade"
                    " gradient-llm-sdk"
                )
            for version, script in enumerate(migrations[current:], start=current + 1):
                for statement in _statements(script):
                    db.execute(statement)
                # PRAGMA takes no parameters; the version is an int we made.
                db.execute(f"PRAGMA user_version = {int(version)}")


def _statements(script: str) -> list[str]:
    """The statements of a migration, so each runs inside the migration's transaction
    (``executescript`` would commit first)."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {pending.strip()!r}")
    return statements
