"""The adapters table: one row per adapter, pointing at its current weights version."""

from __future__ import annotations

import uuid
from datetime import datetime

import attrs

from ...records import ModelAdapterInfo
from .db import Database


def new_base_model_id() -> str:
    """``<uuid4>_base_ml_model``: 50 characters, as the official client insists."""
    return f"{uuid.uuid4()}_base_ml_model"


def new_adapter_id() -> str:
    """``<uuid4>_model_adapter``: 50 characters, as the official client insists."""
    return f"{uuid.uuid4()}_model_adapter"


@attrs.frozen
class AdapterRow:
    """One adapter as the database holds it."""

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


_COLUMNS = (
    "id, workspace_id, base_model_id, name, rank, learning_rate, created_time,"
    " latest_update_time, weights_version"
)


class Adapters:
    """Queries of the adapters table; safe to call from several threads."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def base_model_id(self, slug: str) -> str:
        """The id of the base model with this slug, the same every time for this data dir."""
        return self._db.remembered(f"base model id of {slug}", new_base_model_id)

    def add(self, adapter: AdapterRow) -> None:
        """Register a new adapter (its weights are already on disk)."""
        with self._db.transaction() as db:
            db.execute(
                f"INSERT INTO adapters ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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

    def get(self, workspace_id: str, adapter_id: str) -> AdapterRow | None:
        """The workspace's adapter with this id, or None."""
        rows = self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM adapters WHERE id = ? AND workspace_id = ?",
            (adapter_id, workspace_id),
        )
        return _row(rows[0]) if rows else None

    def of_workspace(self, workspace_id: str, base_model_id: str) -> list[AdapterRow]:
        """The workspace's adapters of one base model, oldest first."""
        rows = self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM adapters WHERE workspace_id = ? AND base_model_id = ?"
            " ORDER BY created_time, id",
            (workspace_id, base_model_id),
        )
        return [_row(row) for row in rows]

    def weights_versions(self) -> dict[str, int]:
        """Every adapter's current weights version, by adapter id."""
        rows = self._db.fetch_all("SELECT id, weights_version FROM adapters")
        return {str(adapter_id): int(version) for adapter_id, version in rows}

    def set_weights_version(self, adapter_id: str, version: int, updated: datetime) -> None:
        """Point an adapter at a new weights version: the commit point of a fine-tune."""
        with self._db.transaction() as db:
            db.execute(
                "UPDATE adapters SET weights_version = ?, latest_update_time = ? WHERE id = ?",
                (version, updated.isoformat(), adapter_id),
            )

    def remove(self, adapter_id: str) -> None:
        """Forget an adapter (its weights are removed afterwards)."""
        with self._db.transaction() as db:
            db.execute("DELETE FROM adapters WHERE id = ?", (adapter_id,))


def _row(row: tuple[object, ...]) -> AdapterRow:
    (adapter_id, workspace, base, name, rank, rate, created, updated, version) = row
    return AdapterRow(
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
