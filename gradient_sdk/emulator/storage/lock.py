"""One emulator per data dir: an exclusive lock, held while the emulator runs.

Two processes serving one data dir would each train their own copy of an adapter and delete
folders the other still points at. The lock is ``flock`` on ``<data dir>/.lock``, which the
operating system releases when the process ends, however it ends (a SIGKILL included), so a
crash never leaves a stale lock. The file also records the holder's pid, for the message.
Where ``fcntl`` does not exist (Windows), no lock is taken.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".lock"


class DataDirInUseError(RuntimeError):
    """Another process serves this data dir."""


class DataDirLock:
    """The lock of one data dir; :meth:`release` (or the process's end) lets it go."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE
        self._file: IO[str] | None = open(self.path, "a+")  # noqa: SIM115 (held open)
        if fcntl is None:  # pragma: no cover
            return
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.seek(0)
            holder = self._file.read().strip() or "another process"
            self._file.close()
            self._file = None
            raise DataDirInUseError(
                f"{data_dir} is in use by another emulator (pid {holder}): stop it, or give "
                "this one another --data-dir"
            ) from None
        self._file.seek(0)
        self._file.truncate()
        self._file.write(str(os.getpid()))
        self._file.flush()

    def release(self) -> None:
        """Let the data dir go."""
        if self._file is not None:
            self._file.close()  # closing the file releases the flock
            self._file = None
