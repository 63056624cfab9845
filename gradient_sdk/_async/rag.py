"""The RAG area: collections of uploaded files, and waiting for their ingestion."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import partial

from .. import _endpoints as api
from .._polling import Polling, check_timeout
from .._uploads import FileUpload
from ..errors import IngestionFailedError, IngestionTimeoutError
from ..records import (
    MAX_FILES_PER_CALL,
    AddFilesRequest,
    Chunker,
    CreateRAGCollectionRequest,
    FileType,
    RAGCollectionInfo,
    RAGFileInfo,
    RAGFileRef,
    RAGFileStatus,
)
from . import _backend
from ._transport import AsyncTransport
from .handles import AsyncRAGCollection

#: Uploads running at once when a collection gets many files.
UPLOAD_CONCURRENCY = 4
#: How long ``wait_until_ready`` waits by default, in seconds.
DEFAULT_READY_TIMEOUT = 300.0
#: The first pause between two looks at a collection, doubling up to the second.
FIRST_POLL_DELAY = 0.25
MAX_POLL_DELAY = 5.0

#: Statuses of a file whose ingestion has not ended.
UNFINISHED = frozenset(
    {RAGFileStatus.PENDING, RAGFileStatus.RUNNING, RAGFileStatus.PENDING_CANCELLATION}
)

PathLike = str | os.PathLike[str]


class AsyncRAGCollections:
    """Everything under ``/rag-collections``. Reached as ``client.rag``."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    async def create_rag_collection(
        self,
        *,
        name: str,
        slug: str,
        filepaths: Iterable[PathLike] | None = None,
        chunker: Chunker | None = None,
    ) -> AsyncRAGCollection:
        """Upload the files, create a collection of them, and describe it.

        ``slug`` is the embeddings model (``"bge-large"``); ``chunker`` one of
        :class:`~gradient_sdk.FileChunker`, :class:`~gradient_sdk.NormalChunker`,
        :class:`~gradient_sdk.SentenceWithContextChunker` or
        :class:`~gradient_sdk.MeaningBasedChunker` (None lets the server choose). Every path
        is checked before any request; more than 20 files (the API's limit per call) are
        sent as a creation and then ``add_files`` calls of 20. Ingestion goes on in the
        background: :meth:`wait_until_ready` waits for it.
        """
        uploads = _uploads(filepaths or ())
        request = CreateRAGCollectionRequest(name=name, slug=slug, chunker=chunker)
        refs = await self._upload(uploads)
        first, rest = refs[:MAX_FILES_PER_CALL], refs[MAX_FILES_PER_CALL:]
        created = await self._transport.request(
            api.CREATE_RAG_COLLECTION,
            body=CreateRAGCollectionRequest(
                name=request.name, slug=request.slug, files=first, chunker=request.chunker
            ),
        )
        await self._add_refs(created.id, rest)
        return AsyncRAGCollection(await self._describe(created.id), self)

    async def list_rag_collections(self) -> list[AsyncRAGCollection]:
        """The workspace's collections; the listing leaves files out (``refresh()`` a handle
        to read them)."""
        listing = await self._transport.request(api.LIST_RAG_COLLECTIONS)
        return [AsyncRAGCollection(summary, self) for summary in listing.rag_collections]

    async def get_rag_collection(self, *, id_: str) -> AsyncRAGCollection:
        """The collection with this id, with its files and their status."""
        return AsyncRAGCollection(await self._describe(id_), self)

    async def add_files(self, *, collection_id: str, filepaths: Iterable[PathLike]) -> None:
        """Upload files and add them to a collection, 20 a call."""
        uploads = _uploads(filepaths)
        if not uploads:
            raise ValueError("filepaths must name at least one file")
        await self._add_refs(collection_id, await self._upload(uploads))

    async def delete_rag_collection(self, *, collection_id: str) -> None:
        """Delete a collection (the server deletes its files and chunks with it)."""
        await self._transport.request(api.DELETE_RAG_COLLECTION, path={"id": collection_id})

    async def wait_until_ready(
        self, *, collection_id: str, timeout: float | None = DEFAULT_READY_TIMEOUT
    ) -> RAGCollectionInfo:
        """Look at the collection, with growing pauses, until none of its files is pending
        or running, and return it.

        Raises :class:`~gradient_sdk.IngestionFailedError` naming the files that failed, and
        :class:`~gradient_sdk.IngestionTimeoutError` when files are still unfinished after
        ``timeout`` seconds (counted on the clock and in the pauses taken, so it also holds
        where sleeping is simulated; None waits as long as it takes).
        """
        check_timeout(timeout)
        polling = Polling(
            timeout=timeout,
            started=_backend.monotonic(),
            first_delay=FIRST_POLL_DELAY,
            max_delay=MAX_POLL_DELAY,
        )
        while True:
            info = await self._describe(collection_id)
            unfinished = tuple(file for file in info.files if file.status in UNFINISHED)
            if not unfinished:
                _raise_for_failures(info)
                return info
            pause = polling.next_pause(_backend.monotonic())
            if pause is None:
                raise IngestionTimeoutError(
                    f"RAG collection {collection_id!r} was not ready after {timeout:g} s: "
                    f"{_names(unfinished)} still pending or running",
                    collection_id=collection_id,
                    unfinished=unfinished,
                )
            await _backend.sleep(pause)

    async def _describe(self, collection_id: str) -> RAGCollectionInfo:
        return await self._transport.request(api.GET_RAG_COLLECTION, path={"id": collection_id})

    async def _upload(self, uploads: list[FileUpload]) -> list[RAGFileRef]:
        send = partial(self._transport.request, api.UPLOAD_FILE)
        params = {"type": FileType.RAG_USER_FILE.value}
        answers = await _backend.gather_in_order(
            [partial(send, body=upload, params=params) for upload in uploads],
            limit=UPLOAD_CONCURRENCY,
        )
        return [
            RAGFileRef(id=answer.id, name=upload.filename)
            for upload, answer in zip(uploads, answers, strict=True)
        ]

    async def _add_refs(self, collection_id: str, refs: list[RAGFileRef]) -> None:
        for start in range(0, len(refs), MAX_FILES_PER_CALL):
            batch = AddFilesRequest(files=refs[start : start + MAX_FILES_PER_CALL])
            await self._transport.request(
                api.ADD_FILES_TO_RAG_COLLECTION, path={"id": collection_id}, body=batch
            )


def _uploads(filepaths: Iterable[PathLike]) -> list[FileUpload]:
    """Every path checked (exists, is a file) before anything is sent."""
    if isinstance(filepaths, str | bytes | os.PathLike):
        raise TypeError("filepaths must be a list of paths, not one path")
    return [FileUpload(path) for path in filepaths]


def _names(files: tuple[RAGFileInfo, ...]) -> str:
    return ", ".join(repr(file.name) for file in files)


def _raise_for_failures(info: RAGCollectionInfo) -> None:
    failed = tuple(file for file in info.files if file.status is RAGFileStatus.FAILED)
    if failed:
        reasons = "; ".join(
            f"{file.name!r}: {file.failure_reason or 'no reason given'}" for file in failed
        )
        raise IngestionFailedError(
            f"{len(failed)} file(s) of RAG collection {info.id!r} failed to ingest: {reasons}",
            collection=info,
            failed=failed,
        )
