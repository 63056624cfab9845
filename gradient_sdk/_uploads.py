"""A local file as the ``file`` part of a multipart request (uploads and ``extract-pdf``)."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import Any

import attrs


def _to_path(value: str | os.PathLike[str]) -> Path:
    return Path(value)


def _check_file(instance: object, attribute: attrs.Attribute[Any], value: Path) -> None:
    if not value.exists():
        raise FileNotFoundError(f"no such file: {str(value)!r}")
    if not value.is_file():
        raise IsADirectoryError(f"not a regular file: {str(value)!r}")


@attrs.frozen
class FileUpload:
    """A local file sent as the ``file`` part of a multipart body.

    The path is checked on construction, so a missing file or a directory fails before any
    request; the content is streamed from disk when sent, never read whole into memory.
    """

    path: Path = attrs.field(converter=_to_path, validator=_check_file)

    @property
    def filename(self) -> str:
        """The name the part carries: the file's base name."""
        return self.path.name

    @property
    def content_type(self) -> str:
        """Guessed from the name, as gradientai does; ``application/octet-stream`` otherwise."""
        guessed, _ = mimetypes.guess_type(self.path.name)
        return guessed or "application/octet-stream"
