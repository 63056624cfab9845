"""The files area: uploads that RAG collections and transcriptions refer to."""

from __future__ import annotations

import os
from typing import Literal

from .. import _endpoints as api
from .._uploads import FileUpload
from ..records import FileType, UploadFileResponse
from ..records._validators import enum_member
from ._transport import AsyncTransport

FileTypeLike = FileType | Literal["audioFile", "ragUserFile"]


class AsyncFiles:
    """``POST /files``. Reached as ``client.files``."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def upload(
        self, *, filepath: str | os.PathLike[str], file_type: FileTypeLike
    ) -> UploadFileResponse:
        """Upload a local file, streamed from disk; its ``id`` is what collections and
        transcriptions take.

        A path that does not exist or is not a regular file raises before any request.
        An upload reached the server once it was sent, so it is not sent again on a retry.
        """
        kind = enum_member(FileType, file_type)
        return await self._transport.request(
            api.UPLOAD_FILE, body=FileUpload(filepath), params={"type": kind.value}
        )
