"""Records of the RAG area: collections of files, chunkers, and answers from them."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar, Literal

import attrs

from ._keyed import KeyedRecord
from ._validators import item_count, optional_int_in_range, text

#: The API's limit of files in one create or add-files call.
MAX_FILES_PER_CALL = 20
_MAX_INT = 2**31 - 1


def _overlap_below_size(instance: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    size = getattr(instance, "size", None)
    if value is not None and size is not None and value >= size:
        raise ValueError(f"overlap must be smaller than size ({size}), got {value}")


def _size() -> Any:
    return attrs.field(default=None, validator=optional_int_in_range(1, _MAX_INT), kw_only=True)


def _overlap() -> Any:
    return attrs.field(
        default=None,
        validator=[optional_int_in_range(0, _MAX_INT), _overlap_below_size],
        kw_only=True,
    )


@attrs.frozen
class FileChunker:
    """Each file is one chunk."""

    chunker_type: ClassVar[str] = "fileChunker"


@attrs.frozen
class NormalChunker:
    """Windows of ``size`` tokens, each overlapping the previous one by ``overlap`` tokens.

    None leaves a setting to the server.
    """

    chunker_type: ClassVar[str] = "normalChunker"

    size: int | None = _size()
    overlap: int | None = _overlap()


@attrs.frozen
class SentenceWithContextChunker:
    """Chunks of whole sentences, each with ``context_sentences`` neighbours on either side."""

    chunker_type: ClassVar[str] = "sentenceWithContextChunker"

    size: int | None = _size()
    overlap: int | None = _overlap()
    context_sentences: int | None = attrs.field(
        default=None, validator=optional_int_in_range(1, _MAX_INT), kw_only=True
    )


@attrs.frozen(init=False)
class MeaningBasedChunker:
    """Groups of ``sentence_group_length`` sentences, split where the meaning changes.

    A chunk ends where the similarity of neighbouring groups drops below
    ``similarity_percent_threshold`` percent. The wire (and gradientai) spell it
    ``similiarity``; the constructor takes either spelling.
    """

    chunker_type: ClassVar[str] = "meaningBasedChunker"

    size: int | None = _size()
    overlap: int | None = _overlap()
    sentence_group_length: int | None = attrs.field(
        default=None, validator=optional_int_in_range(1, _MAX_INT), kw_only=True
    )
    similarity_percent_threshold: int | None = attrs.field(
        default=None, validator=optional_int_in_range(0, 100), kw_only=True
    )

    def __init__(
        self,
        *,
        size: int | None = None,
        overlap: int | None = None,
        sentence_group_length: int | None = None,
        similarity_percent_threshold: int | None = None,
        similiarity_percent_threshold: int | None = None,
    ) -> None:
        if similarity_percent_threshold is not None and similiarity_percent_threshold is not None:
            raise TypeError(
                "give similarity_percent_threshold or similiarity_percent_threshold, not both"
            )
        threshold = (
            similarity_percent_threshold
            if similarity_percent_threshold is not None
            else similiarity_percent_threshold
        )
        self.__attrs_init__(  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]
            size=size,
            overlap=overlap,
            sentence_group_length=sentence_group_length,
            similarity_percent_threshold=threshold,
        )

    @property
    def similiarity_percent_threshold(self) -> int | None:
        """gradientai's spelling of :attr:`similarity_percent_threshold`."""
        return self.similarity_percent_threshold


#: The chunkers a collection may use, told apart on the wire by ``chunkerType``.
Chunker = FileChunker | NormalChunker | SentenceWithContextChunker | MeaningBasedChunker


class RAGFileStatus(str, enum.Enum):
    """Where a file of a collection is in its ingestion."""

    PENDING = "pending"
    PENDING_CANCELLATION = "pendingCancellation"
    RUNNING = "running"
    CANCELLED = "cancelled"
    FAILED = "failed"
    SUCCEEDED = "succeeded"


@attrs.frozen
class RAGFileRef:
    """An uploaded file as a collection takes it: the id ``POST /files`` gave, and a name."""

    id: str = attrs.field(validator=text)
    name: str = attrs.field(validator=text)


def _files(values: Iterable[RAGFileRef]) -> tuple[RAGFileRef, ...]:
    return tuple(values)


@attrs.frozen
class CreateRAGCollectionRequest:
    """Body of ``POST /rag-collections``."""

    name: str = attrs.field(validator=text)
    slug: str = attrs.field(validator=text)
    files: tuple[RAGFileRef, ...] = attrs.field(
        default=(),
        converter=_files,
        validator=item_count(0, MAX_FILES_PER_CALL, what="files"),
    )
    chunker: Chunker | None = None


@attrs.frozen
class CreateRAGCollectionResponse:
    """Body of a successful ``POST /rag-collections``."""

    id: str


@attrs.frozen
class AddFilesRequest:
    """Body of ``POST /rag-collections/{id}/files``."""

    files: tuple[RAGFileRef, ...] = attrs.field(
        converter=_files, validator=item_count(1, MAX_FILES_PER_CALL, what="files")
    )


@attrs.frozen
class RAGFileInfo:
    """A file of a collection and its ingestion status.

    ``failure_reason`` says why a ``failed`` file could not be ingested; the emulator sends
    it (the hosted service did not, as far as anyone knows).
    """

    id: str
    name: str
    status: RAGFileStatus
    failure_reason: str | None = None


@attrs.frozen
class RAGCollectionSummary:
    """A collection as ``GET /rag-collections`` lists it: without its files."""

    id: str
    name: str
    slug: str
    chunker: Chunker
    creation_time: datetime
    latest_update_time: datetime


@attrs.frozen
class RAGCollectionInfo:
    """A collection as ``GET /rag-collections/{id}`` describes it: with its files."""

    id: str
    name: str
    slug: str
    chunker: Chunker
    creation_time: datetime
    latest_update_time: datetime
    files: tuple[RAGFileInfo, ...]


@attrs.frozen
class ListRAGCollectionsResponse:
    """Body of ``GET /rag-collections``."""

    rag_collections: tuple[RAGCollectionSummary, ...]


@attrs.frozen
class DocumentSource:
    """Answer from a document given in the request."""

    value: str = attrs.field(validator=text)
    type: Literal["document"] = "document"


@attrs.frozen
class RAGSource:
    """Answer from what a RAG collection retrieves."""

    collection_id: str = attrs.field(validator=text)
    type: Literal["rag"] = "rag"


#: Where ``answer`` looks for the answer, told apart on the wire by ``type``.
AnswerSource = DocumentSource | RAGSource


@attrs.frozen
class AnswerRequest:
    """Body of ``POST /blocks/answer``."""

    question: str = attrs.field(validator=text)
    source: AnswerSource


@attrs.frozen
class RAGDocument(KeyedRecord):
    """A chunk retrieved for an answer, and the file it came from."""

    content: str
    file_name: str


@attrs.frozen
class RAGContext(KeyedRecord):
    """What a RAG source retrieved for an answer."""

    documents: tuple[RAGDocument, ...]


@attrs.frozen
class AnswerResponse(KeyedRecord):
    """Body of a successful ``POST /blocks/answer``; also answers gradientai's keys
    (``result["answer"]``, ``result["rag_context"]``)."""

    answer: str
    rag_context: RAGContext | None = None
