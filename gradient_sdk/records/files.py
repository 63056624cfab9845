"""Records of the files area: uploads that RAG collections and transcriptions refer to."""

from __future__ import annotations

import enum

import attrs


class FileType(str, enum.Enum):
    """What an upload is for: the ``type`` query parameter of ``POST /files``."""

    AUDIO_FILE = "audioFile"
    RAG_USER_FILE = "ragUserFile"


@attrs.frozen
class UploadFileResponse:
    """Body of a successful ``POST /files``."""

    id: str
