"""The RAG tables: collections, the files each holds with their ingestion status, and the
chunks of the files ingested.

A file's chunks are written in the same transaction that marks it ``succeeded``, so a
collection never shows a file as ingested without its chunks, nor chunks of a file that is
not. Deleting a collection deletes its files' rows and chunks with it (foreign keys).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

import attrs

from ..._wire import from_wire, to_wire
from ...records import Chunker, RAGFileStatus
from .db import Database

#: Statuses of a file whose ingestion has not ended.
UNFINISHED = (RAGFileStatus.PENDING, RAGFileStatus.RUNNING, RAGFileStatus.PENDING_CANCELLATION)


@attrs.frozen
class CollectionRow:
    """One RAG collection."""

    id: str
    workspace_id: str
    name: str
    slug: str
    chunker: Chunker
    creation_time: datetime
    latest_update_time: datetime


@attrs.frozen
class CollectionFileRow:
    """A file of a collection, where it is in its ingestion, and why it failed if it did."""

    collection_id: str
    file_id: str
    name: str
    position: int
    status: RAGFileStatus
    failure_reason: str | None = None


@attrs.frozen
class ChunkRow:
    """One chunk of an ingested file; its vector is row ``position`` of the file's vectors."""

    collection_id: str
    file_id: str
    position: int
    content: str


_COLLECTION = "id, workspace_id, name, slug, chunker, creation_time, latest_update_time"
_FILE = "collection_id, file_id, name, position, status, failure_reason"


class Collections:
    """Queries of the RAG tables; safe to call from several threads."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def create(self, row: CollectionRow, files: Sequence[tuple[str, str]]) -> None:
        """Add a collection and its first files (id and name each), all pending."""
        with self._db.transaction() as db:
            db.execute(
                f"INSERT INTO rag_collections ({_COLLECTION}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    row.id,
                    row.workspace_id,
                    row.name,
                    row.slug,
                    json.dumps(to_wire(row.chunker, Chunker)),
                    row.creation_time.isoformat(),
                    row.latest_update_time.isoformat(),
                ),
            )
            _insert_files(db, row.id, files, first_position=0)

    def add_files(
        self, collection_id: str, files: Sequence[tuple[str, str]], updated: datetime
    ) -> int:
        """Add files to a collection, pending; a file it holds already is left as it is.
        Returns how many were added."""
        with self._db.transaction() as db:
            held = {
                str(file_id)
                for (file_id,) in db.execute(
                    "SELECT file_id FROM rag_files WHERE collection_id = ?", (collection_id,)
                )
            }
            [last] = db.execute(
                "SELECT COALESCE(MAX(position), -1) FROM rag_files WHERE collection_id = ?",
                (collection_id,),
            ).fetchone()
            new = [(file_id, name) for file_id, name in files if file_id not in held]
            _insert_files(db, collection_id, new, first_position=int(last) + 1)
            db.execute(
                "UPDATE rag_collections SET latest_update_time = ? WHERE id = ?",
                (updated.isoformat(), collection_id),
            )
            return len(new)

    def get(self, workspace_id: str, collection_id: str) -> CollectionRow | None:
        """The workspace's collection with this id, or None."""
        rows = self._db.fetch_all(
            f"SELECT {_COLLECTION} FROM rag_collections WHERE id = ? AND workspace_id = ?",
            (collection_id, workspace_id),
        )
        return _collection(rows[0]) if rows else None

    def by_id(self, collection_id: str) -> CollectionRow | None:
        """The collection with this id, whatever its workspace (for background work)."""
        rows = self._db.fetch_all(
            f"SELECT {_COLLECTION} FROM rag_collections WHERE id = ?", (collection_id,)
        )
        return _collection(rows[0]) if rows else None

    def of_workspace(self, workspace_id: str) -> list[CollectionRow]:
        """The workspace's collections, oldest first."""
        rows = self._db.fetch_all(
            f"SELECT {_COLLECTION} FROM rag_collections WHERE workspace_id = ?"
            " ORDER BY creation_time, id",
            (workspace_id,),
        )
        return [_collection(row) for row in rows]

    def files(self, collection_id: str) -> list[CollectionFileRow]:
        """A collection's files, in the order they were added."""
        rows = self._db.fetch_all(
            f"SELECT {_FILE} FROM rag_files WHERE collection_id = ? ORDER BY position",
            (collection_id,),
        )
        return [_file(row) for row in rows]

    def delete(self, collection_id: str) -> list[str]:
        """Delete a collection with its files' rows and chunks; the ids of its files."""
        with self._db.transaction() as db:
            file_ids = [
                str(file_id)
                for (file_id,) in db.execute(
                    "SELECT file_id FROM rag_files WHERE collection_id = ?", (collection_id,)
                )
            ]
            db.execute("DELETE FROM rag_collections WHERE id = ?", (collection_id,))
        return file_ids

    def claim_pending(self) -> CollectionFileRow | None:
        """The oldest pending file, marked running; None when nothing waits."""
        with self._db.transaction() as db:
            row = db.execute(
                f"SELECT {_FILE} FROM rag_files WHERE status = ? ORDER BY rowid LIMIT 1",
                (RAGFileStatus.PENDING.value,),
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE rag_files SET status = ? WHERE collection_id = ? AND file_id = ?",
                (RAGFileStatus.RUNNING.value, row[0], row[1]),
            )
        return attrs.evolve(_file(row), status=RAGFileStatus.RUNNING)

    def succeed(self, file: CollectionFileRow, chunks: Sequence[str]) -> bool:
        """Keep a running file's chunks and mark it succeeded, in one transaction; False
        when the file is no longer running (its collection was deleted meanwhile)."""
        with self._db.transaction() as db:
            updated = db.execute(
                "UPDATE rag_files SET status = ?, failure_reason = NULL"
                " WHERE collection_id = ? AND file_id = ? AND status = ?",
                (
                    RAGFileStatus.SUCCEEDED.value,
                    file.collection_id,
                    file.file_id,
                    RAGFileStatus.RUNNING.value,
                ),
            ).rowcount
            if not updated:
                return False
            db.execute(
                "DELETE FROM rag_chunks WHERE collection_id = ? AND file_id = ?",
                (file.collection_id, file.file_id),
            )
            db.executemany(
                "INSERT INTO rag_chunks (collection_id, file_id, position, content)"
                " VALUES (?, ?, ?, ?)",
                [
                    (file.collection_id, file.file_id, position, content)
                    for position, content in enumerate(chunks)
                ],
            )
        return True

    def fail(self, file: CollectionFileRow, reason: str) -> None:
        """Mark a running file failed, with the reason."""
        with self._db.transaction() as db:
            db.execute(
                "UPDATE rag_files SET status = ?, failure_reason = ?"
                " WHERE collection_id = ? AND file_id = ? AND status = ?",
                (
                    RAGFileStatus.FAILED.value,
                    reason,
                    file.collection_id,
                    file.file_id,
                    RAGFileStatus.RUNNING.value,
                ),
            )

    def resume_interrupted(self) -> int:
        """Put the files that were running when the last process stopped back in the queue;
        how many there were."""
        with self._db.transaction() as db:
            return db.execute(
                "UPDATE rag_files SET status = ? WHERE status = ?",
                (RAGFileStatus.PENDING.value, RAGFileStatus.RUNNING.value),
            ).rowcount

    def ingested(self, collection_id: str) -> list[str]:
        """The ids of a collection's files that have their chunks, in order."""
        rows = self._db.fetch_all(
            "SELECT file_id FROM rag_files WHERE collection_id = ? AND status = ?"
            " ORDER BY position",
            (collection_id, RAGFileStatus.SUCCEEDED.value),
        )
        return [str(file_id) for (file_id,) in rows]

    def chunks(self, collection_id: str, keys: Sequence[tuple[str, int]]) -> list[ChunkRow]:
        """The chunks at (file id, position) keys, in the order asked."""
        found: dict[tuple[str, int], ChunkRow] = {}
        for file_id, position in keys:
            rows = self._db.fetch_all(
                "SELECT content FROM rag_chunks"
                " WHERE collection_id = ? AND file_id = ? AND position = ?",
                (collection_id, file_id, position),
            )
            if rows:
                found[file_id, position] = ChunkRow(
                    collection_id, file_id, position, str(rows[0][0])
                )
        return [found[key] for key in keys if key in found]

    def ingested_everywhere(self) -> set[tuple[str, str]]:
        """Every (collection id, file id) that has its chunks: whose vectors may stay."""
        rows = self._db.fetch_all(
            "SELECT collection_id, file_id FROM rag_files WHERE status = ?",
            (RAGFileStatus.SUCCEEDED.value,),
        )
        return {(str(collection), str(file)) for collection, file in rows}


def _insert_files(
    db: sqlite3.Connection,
    collection_id: str,
    files: Sequence[tuple[str, str]],
    *,
    first_position: int,
) -> None:
    db.executemany(
        f"INSERT INTO rag_files ({_FILE}) VALUES (?, ?, ?, ?, ?, NULL)",
        [
            (collection_id, file_id, name, first_position + offset, RAGFileStatus.PENDING.value)
            for offset, (file_id, name) in enumerate(files)
        ],
    )


def _collection(row: tuple[object, ...]) -> CollectionRow:
    (collection_id, workspace, name, slug, chunker, created, updated) = row
    return CollectionRow(
        id=str(collection_id),
        workspace_id=str(workspace),
        name=str(name),
        slug=str(slug),
        chunker=from_wire(json.loads(str(chunker)), Chunker),  # type: ignore[arg-type]
        creation_time=datetime.fromisoformat(str(created)),
        latest_update_time=datetime.fromisoformat(str(updated)),
    )


def _file(row: tuple[object, ...]) -> CollectionFileRow:
    (collection_id, file_id, name, position, status, reason) = row
    return CollectionFileRow(
        collection_id=str(collection_id),
        file_id=str(file_id),
        name=str(name),
        position=int(str(position)),
        status=RAGFileStatus(str(status)),
        failure_reason=None if reason is None else str(reason),
    )
