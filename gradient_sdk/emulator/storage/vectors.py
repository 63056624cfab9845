"""The vector index of the RAG collections: an exact cosine search over memory-mapped arrays.

Layout under the data directory::

    vectors/<collection id>/<file id>.npy   one float32 row per chunk, unit length

A file's vectors are written to a temporary name, fsynced and renamed before the database
marks the file ingested, so an ingested file always has its vectors; on start,
:meth:`VectorStore.clean` removes the arrays of files that are not ingested (a crash
between the two steps) and those of deleted collections.

Why exact search over ``numpy.load(mmap_mode="r")`` rather than an index library:
sqlite-vec cannot load into this Python's sqlite3 (built without extension loading), and
the approximate indexes (usearch, faiss) trade exactness for speed the emulator does not
need: an exact search over 100,000 chunks of 384 dimensions takes milliseconds (see
``benchmarks/rag.py`` and docs/benchmarks.md), the pages stay in the OS cache between
queries, nothing is held in the process, and deleting a collection is deleting a folder.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import cast

import attrs
import numpy as np
import numpy.typing as npt

from .durable import fsync_directory

VECTORS_DIR = "vectors"
_SUFFIX = ".npy"
_TEMPORARY_PREFIX = ".tmp-"


@attrs.frozen
class Hit:
    """A chunk found for a query: its file, its position in the file, and its cosine score."""

    file_id: str
    position: int
    score: float


class VectorStore:
    """The chunks' vectors, by collection and file."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / VECTORS_DIR
        self.root.mkdir(parents=True, exist_ok=True)

    def write(self, collection_id: str, file_id: str, vectors: npt.ArrayLike) -> None:
        """Keep a file's vectors (one row per chunk), replacing any it had."""
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim != 2:
            raise ValueError(f"expected one vector per row, got an array of shape {matrix.shape}")
        folder = self._folder(collection_id)
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f"{_TEMPORARY_PREFIX}{secrets.token_hex(8)}{_SUFFIX}"
        try:
            with temporary.open("wb") as target:
                np.save(target, matrix, allow_pickle=False)
                target.flush()
                os.fsync(target.fileno())
            temporary.rename(self._path(collection_id, file_id))
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        fsync_directory(folder)

    def search(
        self, collection_id: str, file_ids: Sequence[str], query: npt.ArrayLike, k: int
    ) -> list[Hit]:
        """The ``k`` chunks of these files most similar to ``query`` (a unit vector), best
        first."""
        vector = np.asarray(query, dtype=np.float32)
        scores: list[npt.NDArray[np.float32]] = []
        owners: list[tuple[str, int]] = []
        for file_id in file_ids:
            path = self._path(collection_id, file_id)
            if not path.is_file():
                continue
            matrix = np.load(path, mmap_mode="r", allow_pickle=False)
            if matrix.shape[0] == 0 or matrix.shape[1] != vector.shape[0]:
                continue
            scores.append(np.asarray(matrix @ vector, dtype=np.float32))
            owners.append((file_id, matrix.shape[0]))
        if not scores:
            return []
        flat: npt.NDArray[np.float32] = np.concatenate(scores)
        # The top k in linear time, then only those sorted.
        if k < flat.shape[0]:
            candidates = np.argpartition(-flat, k - 1)[:k]
        else:
            candidates = np.arange(flat.shape[0], dtype=np.intp)
        best = candidates[np.argsort(-flat[candidates], kind="stable")]
        starts = np.cumsum([0] + [count for _, count in owners])
        hits: list[Hit] = []
        for index in cast("list[int]", best.tolist()):
            owner = int(np.searchsorted(starts, index, side="right")) - 1
            file_id, _ = owners[owner]
            hits.append(Hit(file_id, index - int(starts[owner]), float(flat[index])))
        return hits

    def remove_collection(self, collection_id: str) -> None:
        """Remove all of a collection's vectors."""
        shutil.rmtree(self._folder(collection_id), ignore_errors=True)

    def clean(self, keep: Collection[tuple[str, str]]) -> None:
        """Remove every array but those of the (collection id, file id) pairs in ``keep``."""
        for folder in self.root.iterdir():
            if not folder.is_dir():
                folder.unlink(missing_ok=True)
                continue
            for path in folder.iterdir():
                if (folder.name, path.name.removesuffix(_SUFFIX)) not in keep:
                    path.unlink(missing_ok=True)
            if not any(folder.iterdir()):
                folder.rmdir()

    def _folder(self, collection_id: str) -> Path:
        return self.root / _safe(collection_id)

    def _path(self, collection_id: str, file_id: str) -> Path:
        return self._folder(collection_id) / f"{_safe(file_id)}{_SUFFIX}"


def _safe(key: str) -> str:
    # Ids are minted by the emulator; this only keeps a bug from writing outside the store.
    if not key or "/" in key or os.sep in key or key.startswith("."):
        raise ValueError(f"not a usable id: {key!r}")
    return key
