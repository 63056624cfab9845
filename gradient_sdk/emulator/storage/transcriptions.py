"""The transcriptions table: each job, the audio file it reads, where it is, and its outcome.

A job is claimed (``pending`` -> ``running``) and finished (-> ``succeeded`` with its text,
or ``failed`` with the reason) in single transactions, so a crash leaves it pending or
running, never half finished; :meth:`Transcriptions.requeue_running` puts the running ones
back in the queue when the emulator starts again.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

import attrs

from ...records import TranscriptionStatus
from .db import Database


def new_transcription_id() -> str:
    """A fresh id: 128 random bits."""
    return "transcription_" + secrets.token_hex(16)


@attrs.frozen
class TranscriptionRow:
    """One transcription job."""

    id: str
    workspace_id: str
    file_id: str
    status: TranscriptionStatus
    created_time: datetime
    text: str | None = None
    failure_reason: str | None = None


_COLUMNS = "id, workspace_id, file_id, status, created_time, text, failure_reason"


class Transcriptions:
    """Queries of the transcriptions table; safe to call from several threads."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, row: TranscriptionRow) -> None:
        """Queue a new job."""
        with self._db.transaction() as db:
            db.execute(
                f"INSERT INTO transcriptions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    row.id,
                    row.workspace_id,
                    row.file_id,
                    row.status.value,
                    row.created_time.isoformat(),
                    row.text,
                    row.failure_reason,
                ),
            )

    def get(self, workspace_id: str, transcription_id: str) -> TranscriptionRow | None:
        """The workspace's job with this id, or None."""
        rows = self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM transcriptions WHERE id = ? AND workspace_id = ?",
            (transcription_id, workspace_id),
        )
        return _row(rows[0]) if rows else None

    def claim_pending(self) -> TranscriptionRow | None:
        """The oldest pending job, marked running; None when nothing waits."""
        with self._db.transaction() as db:
            found = db.execute(
                f"SELECT {_COLUMNS} FROM transcriptions WHERE status = ?"
                " ORDER BY created_time, rowid LIMIT 1",
                (TranscriptionStatus.PENDING.value,),
            ).fetchone()
            if found is None:
                return None
            db.execute(
                "UPDATE transcriptions SET status = ? WHERE id = ?",
                (TranscriptionStatus.RUNNING.value, found[0]),
            )
        return attrs.evolve(_row(found), status=TranscriptionStatus.RUNNING)

    def succeed(self, transcription_id: str, text: str) -> None:
        """Finish a running job with its text."""
        self._finish(transcription_id, TranscriptionStatus.SUCCEEDED, text=text, reason=None)

    def fail(self, transcription_id: str, reason: str) -> None:
        """Finish a running job as failed, with the reason."""
        self._finish(transcription_id, TranscriptionStatus.FAILED, text=None, reason=reason)

    def requeue_running(self) -> int:
        """Put the jobs a previous run left running back in the queue; how many there were."""
        with self._db.transaction() as db:
            return db.execute(
                "UPDATE transcriptions SET status = ? WHERE status = ?",
                (TranscriptionStatus.PENDING.value, TranscriptionStatus.RUNNING.value),
            ).rowcount

    def _finish(
        self,
        transcription_id: str,
        status: TranscriptionStatus,
        *,
        text: str | None,
        reason: str | None,
    ) -> None:
        with self._db.transaction() as db:
            db.execute(
                "UPDATE transcriptions SET status = ?, text = ?, failure_reason = ?"
                " WHERE id = ? AND status = ?",
                (status.value, text, reason, transcription_id, TranscriptionStatus.RUNNING.value),
            )


def _row(row: tuple[object, ...]) -> TranscriptionRow:
    (transcription_id, workspace, file_id, status, created, text, reason) = row
    return TranscriptionRow(
        id=str(transcription_id),
        workspace_id=str(workspace),
        file_id=str(file_id),
        status=TranscriptionStatus(str(status)),
        created_time=datetime.fromisoformat(str(created)).astimezone(timezone.utc),
        text=None if text is None else str(text),
        failure_reason=None if reason is None else str(reason),
    )
