"""A local file as the ``file`` part of a multipart request (uploads and ``extract-pdf``)."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path


class FileUpload:
    """A local file sent as the ``file`` part of a multipart body.

    The path is checked on construction, so a missing file or a directory fails before any
    request; the content is streamed from disk when sent, never read whole into memory.
    """

    __slots__ = ("path",)

    path: Path

    def __init__(self, path: str | os.PathLike[str]) -> None:
        checked = Path(path)
        if not checked.exists():
            raise FileNotFoundError(f"no such file: {str(checked)!r}")
        if not checked.is_file():
            raise IsADirectoryError(f"not a regular file: {str(checked)!r}")
        self.path = checked

    def __repr__(self) -> str:
        return f"FileUpload(path={self.path!r})"

    @property
    def filename(self) -> str:
        """The name the part carries: the file's base name."""
        return self.path.name

    @property
    def content_type(self) -> str:
        """Guessed from the name, as gradientai does; ``application/octet-stream`` otherwise."""
        guessed, _ = mimetypes.guess_type(self.path.name)
        return guessed or "application/octet-stream"
