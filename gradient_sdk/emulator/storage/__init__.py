"""What the emulator keeps on disk, each write crash-safe.

Layout under the data directory::

    registry.sqlite3    the database (WAL mode): adapters, remembered ids and credentials;
                        its schema versioned and migrated forward (:mod:`.db`)
    adapters/<id>/v<N>/ each adapter's current weights (:mod:`.weights`)
    files/<key>         uploaded files (:mod:`.blobs`)

Everything here blocks; the services call it from worker threads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .adapters import AdapterRow, Adapters, new_adapter_id, new_base_model_id
from .blobs import BlobStore, BlobTooLargeError
from .db import (
    MIGRATIONS,
    REGISTRY_FILE,
    SCHEMA_VERSION,
    Database,
    DataDirGoneError,
    SchemaTooNewError,
)
from .lock import DataDirInUseError, DataDirLock
from .weights import ADAPTERS_DIR, WeightStore

__all__ = [
    "ADAPTERS_DIR",
    "MIGRATIONS",
    "REGISTRY_FILE",
    "SCHEMA_VERSION",
    "AdapterRow",
    "Adapters",
    "BlobStore",
    "BlobTooLargeError",
    "DataDirGoneError",
    "DataDirInUseError",
    "DataDirLock",
    "Database",
    "SchemaTooNewError",
    "WeightStore",
    "new_adapter_id",
    "new_base_model_id",
    "remembered_credentials",
]


def remembered_credentials(
    data_dir: Path,
    *,
    access_token: str | None,
    workspace_id: str | None,
    generate_token: Callable[[], str],
    generate_workspace: Callable[[], str],
) -> tuple[str, str]:
    """The credentials to serve a data dir with: the given ones, else those used last time.

    Generated credentials are remembered in the database, so that restarting without them
    finds the same workspace, and with it the adapters created before.
    """
    database = Database.in_data_dir(data_dir)
    try:
        token = access_token or database.remembered("generated access token", generate_token)
        workspace = workspace_id or database.remembered(
            "generated workspace id", generate_workspace
        )
    finally:
        database.close()
    return token, workspace
