"""The adapters' weight folders, one folder per adapter and weights version.

Layout under the data directory::

    adapters/<adapter id>/v<N>/ the files the engine saved for weights version N

Weights are written to ``adapters/<id>/.tmp-<random>/``, fsynced, and renamed to ``v<N>``;
only then does the adapter's row switch to version N (the commit point), and only after that
is the previous version removed. A crash at any step therefore leaves the row pointing at a
complete folder. On start, :meth:`WeightStore.clean` removes what an interrupted write or
delete left behind: temporary folders, versions no row points at, and the folders of
adapters no row knows.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

from .db import ensure_present
from .durable import fsync_directory, fsync_tree, remove

logger = logging.getLogger(__name__)

ADAPTERS_DIR = "adapters"
_TEMPORARY_PREFIX = ".tmp-"
_VERSION_PREFIX = "v"


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

        The database is not touched: the caller commits the new version afterwards.
        """
        ensure_present(self.root)
        adapter_dir = self.root / adapter_id
        # Not parents=True: a data dir removed meanwhile must not come back half empty.
        adapter_dir.mkdir(exist_ok=True)
        temporary = adapter_dir / f"{_TEMPORARY_PREFIX}{uuid.uuid4().hex}"
        temporary.mkdir()
        try:
            save(temporary)
            fsync_tree(temporary)
            target = self.path(adapter_id, version)
            if target.exists():
                # Left by a write whose commit never happened: not the row's version.
                shutil.rmtree(target)
            temporary.rename(target)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        fsync_directory(adapter_dir)
        fsync_directory(self.root)
        return target

    def keep_only(self, adapter_id: str, version: int) -> None:
        """Remove every folder of an adapter but the given version's."""
        keep = self.path(adapter_id, version).name
        for entry in (self.root / adapter_id).iterdir():
            if entry.name != keep:
                remove(entry)

    def remove(self, adapter_id: str) -> None:
        """Remove all of an adapter's weights."""
        remove(self.root / adapter_id)

    def clean(self, versions: Mapping[str, int]) -> None:
        """Remove what interrupted writes and deletes left; ``versions`` is the database's."""
        for adapter_dir in self.root.iterdir():
            version = versions.get(adapter_dir.name)
            if version is None:
                logger.info("removing the weights of unregistered adapter %s", adapter_dir.name)
                remove(adapter_dir)
                continue
            self.keep_only(adapter_dir.name, version)
        for adapter_id, version in versions.items():
            if not self.path(adapter_id, version).is_dir():
                logger.error("adapter %s has lost its weights (version %d)", adapter_id, version)
