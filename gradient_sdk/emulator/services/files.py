"""The files area: uploads that RAG collections and transcriptions refer to."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import IO

import attrs

from ...records import ErrorType, FileType, UploadFileResponse
from ..errors import ApiError
from ..settings import EmulatorSettings
from ..storage import BlobStore, BlobTooLargeError
from ..storage.files import FileRow, Files
from .workers import Workers

logger = logging.getLogger(__name__)


@attrs.frozen
class Upload:
    """The file of a multipart body, spooled (to disk past a megabyte); close it when done."""

    filename: str
    content_type: str
    file: IO[bytes]

    def close(self) -> None:
        """Free the spooled copy."""
        self.file.close()


class FilesService:
    """Keeps uploads in the blob store, each owned by the workspace that sent it."""

    def __init__(
        self, settings: EmulatorSettings, *, files: Files, blobs: BlobStore, workers: Workers
    ) -> None:
        self.settings = settings
        self.files = files
        self.blobs = blobs
        self._workers = workers

    async def upload(
        self, workspace_id: str, file_type: FileType, upload: Upload
    ) -> UploadFileResponse:
        """Keep an uploaded file; its id is random and names its blob."""
        limit = self.settings.max_files_per_workspace
        if await self._workers.storage(self.files.count, workspace_id) >= limit:
            raise ApiError(
                422,
                f"the workspace holds {limit} files, the emulator's limit; delete a RAG "
                "collection to free some",
                error_type=ErrorType.UNPROCESSABLE_CONTENT,
            )
        row = await self._workers.storage(self._keep, workspace_id, file_type, upload)
        logger.info(
            "kept %s file %s (%s, %d bytes) in workspace %s",
            file_type.value,
            row.id,
            row.name,
            row.size,
            workspace_id,
        )
        return UploadFileResponse(id=row.id)

    def _keep(self, workspace_id: str, file_type: FileType, upload: Upload) -> FileRow:
        try:
            key, size = self.blobs.put(upload.file, max_bytes=self.settings.max_upload_bytes)
        except BlobTooLargeError as error:
            raise ApiError(413, str(error)) from error
        if size == 0:
            self.blobs.remove(key)
            raise ApiError(400, f"the file {upload.filename!r} is empty")
        row = FileRow(
            id=key,
            workspace_id=workspace_id,
            type=file_type.value,
            name=upload.filename,
            content_type=upload.content_type,
            size=size,
            created_time=datetime.now(timezone.utc),
        )
        try:
            self.files.add(row)
        except BaseException:
            self.blobs.remove(key)
            raise
        return row

    async def find(self, workspace_id: str, file_id: str, file_type: FileType) -> FileRow:
        """The workspace's upload of this type; 404 for any other id."""
        row = await self._workers.storage(self.files.get, workspace_id, file_id)
        if row is None or row.type != file_type.value:
            raise ApiError(404, f"no {file_type.value} with id {file_id!r} in this workspace")
        return row

    async def forget(self, file_ids: list[str]) -> None:
        """Delete the files no collection holds any more, rows first, then their blobs."""

        def forget() -> None:
            for file_id in self.files.remove_unreferenced(file_ids):
                try:
                    self.blobs.remove(file_id)
                except OSError as error:  # the row is gone: the blob goes at the next start
                    logger.warning("the blob of deleted file %s stays for now: %s", file_id, error)

        await self._workers.storage(forget)
