"""Uploaded files, kept as they came: ``files/<key>`` under the data directory.

A blob is copied into ``files/.tmp-<random>``, fsynced, and renamed to its key, so a crash
never leaves half a file under a key. Keys are random and unguessable (they become the API's
file ids). What a blob is (its name, its workspace) is the database's business; on start,
:meth:`BlobStore.clean` removes temporary files and blobs the database does not know.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Collection
from pathlib import Path
from typing import IO

from .db import ensure_present
from .durable import fsync_directory, remove

FILES_DIR = "files"
_TEMPORARY_PREFIX = ".tmp-"
_CHUNK = 1024 * 1024


class BlobTooLargeError(ValueError):
    """A blob is larger than the store was asked to take."""


def new_blob_key() -> str:
    """A fresh key: 128 random bits, safe as a file name and as a URL segment."""
    return "file_" + secrets.token_hex(16)


class BlobStore:
    """Files by key, written atomically (see the module docstring)."""

    def __init__(self, data_dir: Path, *, new_key: Callable[[], str] = new_blob_key) -> None:
        self.root = data_dir / FILES_DIR
        self.root.mkdir(parents=True, exist_ok=True)
        self._new_key = new_key

    def path(self, key: str) -> Path:
        """Where a blob lives; keys never hold a path separator."""
        if not key or "/" in key or os.sep in key or key.startswith("."):
            raise ValueError(f"not a blob key: {key!r}")
        return self.root / key

    def put(self, source: IO[bytes], *, max_bytes: int) -> tuple[str, int]:
        """Copy ``source`` into a new blob; its key and size. More than ``max_bytes`` raises
        :class:`BlobTooLargeError` and keeps nothing."""
        ensure_present(self.root)
        temporary = self.root / f"{_TEMPORARY_PREFIX}{secrets.token_hex(8)}"
        size = 0
        try:
            with temporary.open("wb") as target:
                while chunk := source.read(_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise BlobTooLargeError(f"the file is larger than {max_bytes} bytes")
                    target.write(chunk)
                target.flush()
                os.fsync(target.fileno())
            key = self._new_key()
            temporary.rename(self.path(key))
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        fsync_directory(self.root)
        return key, size

    def remove(self, key: str) -> None:
        """Remove a blob; an absent one is fine."""
        remove(self.path(key))

    def clean(self, known: Collection[str]) -> None:
        """Remove temporary files and blobs whose keys are not in ``known``."""
        for entry in self.root.iterdir():
            if entry.name not in known:
                remove(entry)
