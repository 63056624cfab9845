"""The RAG area: collections of uploaded files, their ingestion, and retrieval.

Creating a collection (or adding files to one) only records the files as ``pending`` and
wakes the ingestion worker, which takes one file at a time: ``running``, then its text is
read (:mod:`.documents`), cut into chunks by the collection's chunker (:mod:`.chunking`),
embedded, and kept; the file ends ``succeeded``, or ``failed`` with the reason. Retrieval
embeds the query and returns the chunks most similar to it, by cosine.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timezone
from functools import partial

import attrs
import numpy as np

from ...records import (
    AddFilesRequest,
    CreateRAGCollectionRequest,
    CreateRAGCollectionResponse,
    ErrorType,
    FileType,
    ListRAGCollectionsResponse,
    RAGCollectionInfo,
    RAGCollectionSummary,
    RAGDocument,
    RAGFileInfo,
    RAGFileRef,
)
from ..errors import ApiError
from ..jobs import BackgroundJobs
from ..storage.rag import CollectionFileRow, CollectionRow, Collections
from ..storage.vectors import VectorStore
from .chunking import chunk_text, with_defaults
from .documents import UnreadableDocument, document_text
from .embeddings import EmbeddingsService
from .files import FilesService
from .workers import Workers

logger = logging.getLogger(__name__)

#: The worker's name in :class:`~gradient_sdk.emulator.jobs.BackgroundJobs`.
INGESTION = "rag-ingestion"
#: How many chunks retrieval returns.
DEFAULT_TOP_K = 3


def _now() -> datetime:
    return datetime.now(timezone.utc)


class RAGService:
    """Collections, their ingestion in the background, and retrieval from them."""

    def __init__(
        self,
        *,
        collections: Collections,
        vectors: VectorStore,
        files: FilesService,
        embeddings: EmbeddingsService,
        workers: Workers,
    ) -> None:
        self._collections = collections
        self._vectors = vectors
        self._files = files
        self._embeddings = embeddings
        self._workers = workers
        self._jobs: BackgroundJobs | None = None

    def start(self, jobs: BackgroundJobs) -> None:
        """Start the ingestion worker, after putting back what the last run left running."""
        resumed = self._collections.resume_interrupted()
        if resumed:
            logger.info("ingesting again %d file(s) interrupted by the last shutdown", resumed)
        self._vectors.clean(self._collections.ingested_everywhere())
        self._jobs = jobs
        jobs.start(INGESTION, self.ingest_next)

    # The API's operations

    async def create(
        self, workspace_id: str, request: CreateRAGCollectionRequest
    ) -> CreateRAGCollectionResponse:
        """Create a collection; its files are ingested in the background."""
        self._check_slug(request.slug)
        files = await self._owned_files(workspace_id, request.files)
        now = _now()
        row = CollectionRow(
            id="rag_" + secrets.token_hex(16),
            workspace_id=workspace_id,
            name=request.name,
            slug=request.slug,
            chunker=with_defaults(request.chunker),
            creation_time=now,
            latest_update_time=now,
        )
        await self._workers.storage(self._collections.create, row, files)
        self._wake()
        logger.info("created RAG collection %s with %d file(s)", row.id, len(files))
        return CreateRAGCollectionResponse(id=row.id)

    async def list_collections(self, workspace_id: str) -> ListRAGCollectionsResponse:
        """The workspace's collections, without their files."""
        rows = await self._workers.storage(self._collections.of_workspace, workspace_id)
        return ListRAGCollectionsResponse(rag_collections=tuple(map(_summary, rows)))

    async def get(self, workspace_id: str, collection_id: str) -> RAGCollectionInfo:
        """A collection with its files and their ingestion status."""
        row = await self._find(workspace_id, collection_id)
        files = await self._workers.storage(self._collections.files, collection_id)
        # The summary's fields, and the files.
        return RAGCollectionInfo(
            **attrs.asdict(_summary(row), recurse=False), files=tuple(map(_file_info, files))
        )

    async def add_files(
        self, workspace_id: str, collection_id: str, request: AddFilesRequest
    ) -> None:
        """Add files to a collection; they are ingested in the background."""
        await self._find(workspace_id, collection_id)
        files = await self._owned_files(workspace_id, request.files)
        added = await self._workers.storage(
            self._collections.add_files, collection_id, files, _now()
        )
        self._wake()
        logger.info("added %d file(s) to RAG collection %s", added, collection_id)

    async def delete(self, workspace_id: str, collection_id: str) -> None:
        """Delete a collection with its chunks, vectors and files."""
        await self._find(workspace_id, collection_id)
        file_ids = await self._workers.storage(self._collections.delete, collection_id)
        await self._workers.storage(self._vectors.remove_collection, collection_id)
        await self._files.forget(file_ids)
        logger.info("deleted RAG collection %s and %d file(s)", collection_id, len(file_ids))

    async def retrieve(
        self, workspace_id: str, collection_id: str, query: str, *, k: int = DEFAULT_TOP_K
    ) -> list[RAGDocument]:
        """The ``k`` chunks most similar to ``query``, best first, with their file names.

        404 (``unknownRagCollection``) for a collection the workspace does not have; 422
        (``noRagDocumentsFound``) while none of its files is ingested.
        """
        await self._find(workspace_id, collection_id)
        ingested = await self._workers.storage(self._collections.ingested, collection_id)
        if not ingested:
            raise ApiError(
                422,
                f"RAG collection {collection_id!r} has no ingested documents yet: its files are"
                " pending, running or failed",
                error_type=ErrorType.NO_RAG_DOCUMENTS_FOUND,
            )
        [vector] = await self._embeddings.embed([query])
        hits = await self._workers.storage(
            self._vectors.search, collection_id, ingested, np.asarray(vector), k
        )
        chunks = await self._workers.storage(
            self._collections.chunks, collection_id, [(hit.file_id, hit.position) for hit in hits]
        )
        names = {
            file.file_id: file.name
            for file in await self._workers.storage(self._collections.files, collection_id)
        }
        return [
            RAGDocument(content=chunk.content, file_name=names[chunk.file_id]) for chunk in chunks
        ]

    # Ingestion

    async def ingest_next(self) -> bool:
        """Ingest the oldest pending file; False when none waits."""
        file = await self._workers.storage(self._collections.claim_pending)
        if file is None:
            return False
        collection = await self._workers.storage(self._collections.by_id, file.collection_id)
        if collection is None:
            return True  # deleted since: its rows went with it
        try:
            await self._ingest(collection, file)
        except UnreadableDocument as error:
            await self._workers.storage(self._collections.fail, file, str(error))
            logger.info("could not ingest %s (%s): %s", file.name, file.file_id, error)
        except Exception:
            logger.exception("ingesting %s (%s) failed", file.name, file.file_id)
            reason = "the emulator failed to ingest this file; see its log"
            await self._workers.storage(self._collections.fail, file, reason)
        return True

    async def _ingest(self, collection: CollectionRow, file: CollectionFileRow) -> None:
        blob = self._files.blobs.path(file.file_id)
        row = await self._files.find(collection.workspace_id, file.file_id, FileType.RAG_USER_FILE)
        data = await self._workers.storage(blob.read_bytes)
        text = await self._workers.storage(
            partial(document_text, data, name=row.name, content_type=row.content_type)
        )
        chunks = await self._workers.model(
            chunk_text, text, collection.chunker, self._embeddings.engine.embed
        )
        if not chunks:
            raise UnreadableDocument(f"{row.name} has no words to index")
        vectors = await self._embeddings.embed([chunk.embedded for chunk in chunks])
        await self._workers.storage(
            self._vectors.write, collection.id, file.file_id, np.asarray(vectors)
        )
        kept = await self._workers.storage(
            self._collections.succeed, file, [chunk.content for chunk in chunks]
        )
        if kept:
            logger.info("ingested %s (%s): %d chunk(s)", row.name, file.file_id, len(chunks))

    # Helpers

    def _wake(self) -> None:
        if self._jobs is not None:
            self._jobs.wake(INGESTION)

    def _check_slug(self, slug: str) -> None:
        if slug not in self._embeddings.slugs:
            known = ", ".join(self._embeddings.slugs)
            raise ApiError(404, f"no embeddings model with slug {slug!r}; available: {known}")

    async def _find(self, workspace_id: str, collection_id: str) -> CollectionRow:
        row = await self._workers.storage(self._collections.get, workspace_id, collection_id)
        if row is None:
            raise ApiError(
                404,
                f"no RAG collection with id {collection_id!r} in this workspace",
                error_type=ErrorType.UNKNOWN_RAG_COLLECTION,
            )
        return row

    async def _owned_files(
        self, workspace_id: str, refs: tuple[RAGFileRef, ...]
    ) -> list[tuple[str, str]]:
        """The (id, name) of each file, once each; 404 for one the workspace did not upload
        as a ``ragUserFile``."""
        unique = list({ref.id: ref for ref in refs}.values())
        for ref in unique:
            await self._files.find(workspace_id, ref.id, FileType.RAG_USER_FILE)
        return [(ref.id, ref.name) for ref in unique]


def _summary(row: CollectionRow) -> RAGCollectionSummary:
    return RAGCollectionSummary(
        id=row.id,
        name=row.name,
        slug=row.slug,
        chunker=row.chunker,
        creation_time=row.creation_time,
        latest_update_time=row.latest_update_time,
    )


def _file_info(row: CollectionFileRow) -> RAGFileInfo:
    return RAGFileInfo(
        id=row.file_id, name=row.name, status=row.status, failure_reason=row.failure_reason
    )
