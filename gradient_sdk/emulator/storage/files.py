"""The files table: what each uploaded blob is, and whose."""

from __future__ import annotations

from datetime import datetime

import attrs

from .db import Database


@attrs.frozen
class FileRow:
    """One uploaded file; its bytes are the blob with the same key as its id."""

    id: str
    workspace_id: str
    type: str
    name: str
    content_type: str
    size: int
    created_time: datetime


_COLUMNS = "id, workspace_id, type, name, content_type, size, created_time"


class Files:
    """Queries of the files table; safe to call from several threads."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, row: FileRow) -> None:
        """Register an upload (its blob is already on disk)."""
        with self._db.transaction() as db:
            db.execute(
                f"INSERT INTO files ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    row.id,
                    row.workspace_id,
                    row.type,
                    row.name,
                    row.content_type,
                    row.size,
                    row.created_time.isoformat(),
                ),
            )

    def get(self, workspace_id: str, file_id: str) -> FileRow | None:
        """The workspace's file with this id, or None."""
        rows = self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM files WHERE id = ? AND workspace_id = ?",
            (file_id, workspace_id),
        )
        return _row(rows[0]) if rows else None

    def count(self, workspace_id: str) -> int:
        """How many files the workspace has uploaded and not deleted."""
        [count] = self._db.fetch_one(
            "SELECT COUNT(*) FROM files WHERE workspace_id = ?", (workspace_id,)
        )
        return int(count)

    def remove_unreferenced(self, file_ids: list[str]) -> list[str]:
        """Forget the files no RAG collection holds any more; their ids, for their blobs."""
        removed: list[str] = []
        with self._db.transaction() as db:
            for file_id in file_ids:
                held = db.execute(
                    "SELECT 1 FROM rag_files WHERE file_id = ? LIMIT 1", (file_id,)
                ).fetchone()
                if held is None:
                    db.execute("DELETE FROM files WHERE id = ?", (file_id,))
                    removed.append(file_id)
        return removed

    def ids(self) -> set[str]:
        """Every file's id (the blobs that may stay)."""
        return {str(file_id) for (file_id,) in self._db.fetch_all("SELECT id FROM files")}


def _row(row: tuple[object, ...]) -> FileRow:
    (file_id, workspace, kind, name, content_type, size, created) = row
    return FileRow(
        id=str(file_id),
        workspace_id=str(workspace),
        type=str(kind),
        name=str(name),
        content_type=str(content_type),
        size=int(str(size)),
        created_time=datetime.fromisoformat(str(created)),
    )
