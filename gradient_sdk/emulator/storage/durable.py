"""Writing files so that a crash right after leaves them whole: fsync the file, then its folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def write_durably(path: Path, data: bytes) -> None:
    """Write a file and fsync it."""
    with path.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def fsync_tree(directory: Path) -> None:
    """Fsync every file under ``directory`` and every folder, the folder itself last."""
    for root, _, files in os.walk(directory):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                os.fsync(handle.fileno())
        fsync_directory(Path(root))


def fsync_directory(directory: Path) -> None:
    """Fsync a folder, so the names created or renamed in it survive a crash."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove(path: Path) -> None:
    """Remove a file or a whole folder (never following a symlink); absent is fine."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
