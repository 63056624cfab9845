"""THE endpoint table: every operation of the Gradient API, described once (sans-I/O).

Each :class:`Endpoint` row says how the operation travels: method, path template, operation
id, the request and response records, whether a resend is safe, which error body it answers
with, and its path and query parameters. The SDK sends by endpoint, the emulator routes by
it, and the emulator's OpenAPI document is built from it; adding an endpoint is one row here,
one SDK method and one emulator handler.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import attrs

from ._config import QUICK, SLOW
from ._uploads import FileUpload
from .records import (
    AddFilesRequest,
    AnalyzeSentimentRequest,
    AnalyzeSentimentResponse,
    AnswerRequest,
    AnswerResponse,
    CapabilityFilter,
    CompleteRequest,
    CompleteResponse,
    CreateModelRequest,
    CreateModelResponse,
    CreateRAGCollectionRequest,
    CreateRAGCollectionResponse,
    CreateTranscriptionRequest,
    CreateTranscriptionResponse,
    ErrorSchema,
    ExtractPdfResponse,
    ExtractRequest,
    ExtractResponse,
    FileType,
    FineTuneRequest,
    FineTuneResponse,
    GenerateEmbeddingsRequest,
    GenerateEmbeddingsResponse,
    GetTranscriptionResponse,
    ListEmbeddingsModelsResponse,
    ListModelsResponse,
    ListRAGCollectionsResponse,
    ModelAdapterInfo,
    PersonalizeRequest,
    PersonalizeResponse,
    RAGCollectionInfo,
    SummarizeRequest,
    SummarizeResponse,
    UploadFileResponse,
)

RequestT = TypeVar("RequestT")
ResponseT = TypeVar("ResponseT")
T = TypeVar("T")


class BodyKind(enum.Enum):
    """How a request body travels."""

    NONE = "none"
    JSON = "application/json"
    MULTIPART = "multipart/form-data"


def path_segment(value: str) -> str:
    """A value made safe to stand as one path segment (no ``/`` or ``..`` escapes)."""
    if not isinstance(value, str):
        raise TypeError(f"an id must be a string, got {type(value).__name__}")
    if not value or value in {".", ".."}:
        raise ValueError(f"not a valid id: {value!r}")
    return quote(value, safe="")


@attrs.frozen
class PathParameter:
    """A ``{name}`` in a path template, and the JSON schema of the values it takes."""

    name: str
    description: str
    schema: Mapping[str, Any]


class QueryParameterError(ValueError):
    """A query parameter is missing or holds a value it does not take."""


@attrs.frozen
class QueryParameter(Generic[T]):
    """A query parameter: a closed set of wire values read as Python values, or free text.

    ``values`` None means any non-empty text, read as itself.
    """

    name: str
    description: str
    values: Mapping[str, T] | None = None
    default: T | None = None
    required: bool = False

    def parse(self, raw: str | None) -> T | None:
        """The value ``raw`` stands for; the default when absent."""
        if raw is None:
            if self.required:
                raise QueryParameterError(f"query parameter {self.name} is required")
            return self.default
        if self.values is None:
            if not raw:
                raise QueryParameterError(f"query parameter {self.name} must not be empty")
            return raw  # type: ignore[return-value]  # free text: T is str
        if raw not in self.values:
            allowed = ", ".join(self.values)
            raise QueryParameterError(
                f"query parameter {self.name} must be one of {allowed}, got {raw!r}"
            )
        return self.values[raw]


@attrs.frozen
class Endpoint(Generic[RequestT, ResponseT]):
    """One operation of the API.

    ``request`` None means no body; :class:`~gradient_sdk._uploads.FileUpload` means a
    multipart body with one ``file`` part. ``response`` None means a body nobody reads (the
    API types it ``object``). ``resend_safe`` says whether the SDK may send it again after
    it may have reached the server. ``errors`` are the 4xx statuses the operation answers;
    ``creates`` names the path parameter that the ``id`` of its response fills elsewhere.
    """

    method: str
    path: str
    operation_id: str
    summary: str
    request: type[RequestT] | None
    response: type[ResponseT] | None
    resend_safe: bool
    error_schema: ErrorSchema = ErrorSchema.GENERIC
    path_parameters: tuple[PathParameter, ...] = ()
    query: tuple[QueryParameter[Any], ...] = ()
    errors: tuple[int, ...] = (400, 401, 403)
    creates: str | None = None
    #: The default seconds an attempt may take: listings are quick, model work is not.
    timeout: float = QUICK

    @property
    def body(self) -> BodyKind:
        """How the request body travels."""
        if self.request is None:
            return BodyKind.NONE
        return BodyKind.MULTIPART if self.request is FileUpload else BodyKind.JSON

    def url_path(self, values: Mapping[str, str] | None = None) -> str:
        """The path with its parameters filled in, each made safe as one segment."""
        items = tuple(values.items()) if values else ()
        key = (self.path, items)
        try:
            found = _FILLED_PATHS.get(key)
        except TypeError:  # an unhashable value, which _fill_path names
            found = None
        if found is None:
            found = self._fill_path(dict(items))
            if len(_FILLED_PATHS) >= MAX_FILLED_PATHS:  # ids are open-ended
                _FILLED_PATHS.clear()
            _FILLED_PATHS[key] = found
        return found

    def _fill_path(self, given: dict[str, str]) -> str:
        names = {parameter.name for parameter in self.path_parameters}
        if set(given) != names:
            raise TypeError(
                f"{self.operation_id} takes path parameters {sorted(names)}, got {sorted(given)}"
            )
        return self.path.format(**{name: path_segment(value) for name, value in given.items()})


#: How many filled-in paths (one per operation and id) are kept: filling one in checks and
#: quotes every value, a tenth of what the SDK itself spends on a completion.
MAX_FILLED_PATHS = 1024
_FILLED_PATHS: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}


_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

#: Model ids are exactly 50 characters: a uuid and a suffix (the official client insists).
ADAPTER_ID = PathParameter(
    "id", "The adapter's id.", {"type": "string", "pattern": f"^{_UUID}_model_adapter$"}
)
MODEL_ID = PathParameter(
    "id",
    "A base model's or an adapter's id.",
    {"type": "string", "pattern": f"^{_UUID}_(base_ml_model|model_adapter)$"},
)
EMBEDDINGS_SLUG = PathParameter(
    "slug", "The embeddings model's slug.", {"type": "string", "minLength": 1}
)
COLLECTION_ID = PathParameter("id", "The RAG collection's id.", {"type": "string", "minLength": 1})

ONLY_BASE = QueryParameter(
    name="onlyBase",
    description="List only base models.",
    # The official client capitalises (str(True)); others send JSON booleans.
    values={"True": True, "False": False, "true": True, "false": False},
    default=False,
)
CAPABILITY = QueryParameter(
    name="capability",
    description="Keep only base models with this capability (adapters have them all).",
    values={option.value: option for option in CapabilityFilter},
    default=CapabilityFilter.ANY,
)
FILE_TYPE = QueryParameter(
    name="type",
    description="What the file is for.",
    values={option.value: option for option in FileType},
    required=True,
)
TRANSCRIPTION_ID = QueryParameter[str](
    name="transcriptionId",
    description="The id ``POST /blocks/transcription`` answered.",
    required=True,
)

# Models

LIST_MODELS: Endpoint[None, ListModelsResponse] = Endpoint(
    "GET",
    "/models",
    "listModels",
    "List the base models and the workspace's adapters.",
    request=None,
    response=ListModelsResponse,
    resend_safe=True,
    query=(ONLY_BASE, CAPABILITY),
)
CREATE_MODEL: Endpoint[CreateModelRequest, CreateModelResponse] = Endpoint(
    "POST",
    "/models",
    "createModel",
    "Create a model adapter of a base model.",
    request=CreateModelRequest,
    response=CreateModelResponse,
    resend_safe=False,
    errors=(400, 401, 403, 404, 413),
    creates="id",
)
GET_MODEL: Endpoint[None, ModelAdapterInfo] = Endpoint(
    "GET",
    "/models/{id}",
    "getModel",
    "Describe one of the workspace's adapters.",
    request=None,
    response=ModelAdapterInfo,
    resend_safe=True,
    path_parameters=(ADAPTER_ID,),
    errors=(400, 401, 403, 404),
)
DELETE_MODEL: Endpoint[None, None] = Endpoint(
    "DELETE",
    "/models/{id}",
    "deleteModel",
    "Delete an adapter and its weights.",
    request=None,
    response=None,
    resend_safe=True,
    path_parameters=(ADAPTER_ID,),
    errors=(400, 401, 403, 404),
)
COMPLETE_MODEL: Endpoint[CompleteRequest, CompleteResponse] = Endpoint(
    "POST",
    "/models/{id}/complete",
    "completeModel",
    "Complete a prompt with a base model or an adapter.",
    request=CompleteRequest,
    response=CompleteResponse,
    resend_safe=True,
    error_schema=ErrorSchema.TYPED,
    path_parameters=(MODEL_ID,),
    errors=(400, 401, 403, 404, 413, 422),
    timeout=SLOW,
)
FINE_TUNE_MODEL: Endpoint[FineTuneRequest, FineTuneResponse] = Endpoint(
    "POST",
    "/models/{id}/fine-tune",
    "fineTuneModel",
    "Train an adapter on samples; the new weights are stored before the answer.",
    request=FineTuneRequest,
    response=FineTuneResponse,
    resend_safe=False,
    error_schema=ErrorSchema.TYPED,
    path_parameters=(ADAPTER_ID,),
    errors=(400, 401, 403, 404, 413, 422),
    timeout=SLOW,
)

# Embeddings

LIST_EMBEDDINGS: Endpoint[None, ListEmbeddingsModelsResponse] = Endpoint(
    "GET",
    "/embeddings",
    "listEmbeddings",
    "List the embeddings models.",
    request=None,
    response=ListEmbeddingsModelsResponse,
    resend_safe=True,
)
GENERATE_EMBEDDING: Endpoint[GenerateEmbeddingsRequest, GenerateEmbeddingsResponse] = Endpoint(
    "POST",
    "/embeddings/{slug}",
    "generateEmbedding",
    "Embed 1 to 256 texts.",
    request=GenerateEmbeddingsRequest,
    response=GenerateEmbeddingsResponse,
    resend_safe=True,
    path_parameters=(EMBEDDINGS_SLUG,),
    errors=(400, 401, 403, 404, 413),
    timeout=SLOW,
)

# Files

UPLOAD_FILE: Endpoint[FileUpload, UploadFileResponse] = Endpoint(
    "POST",
    "/files",
    "uploadFile",
    "Upload a file for a RAG collection or a transcription.",
    request=FileUpload,
    response=UploadFileResponse,
    resend_safe=False,
    query=(FILE_TYPE,),
    errors=(400, 401, 403, 413),
    timeout=SLOW,
)

# RAG collections

CREATE_RAG_COLLECTION: Endpoint[CreateRAGCollectionRequest, CreateRAGCollectionResponse] = Endpoint(
    "POST",
    "/rag-collections",
    "createRagCollection",
    "Create a RAG collection of uploaded files; ingestion runs in the background.",
    request=CreateRAGCollectionRequest,
    response=CreateRAGCollectionResponse,
    resend_safe=False,
    errors=(400, 401, 403, 404, 413),
    creates="id",
)
LIST_RAG_COLLECTIONS: Endpoint[None, ListRAGCollectionsResponse] = Endpoint(
    "GET",
    "/rag-collections",
    "listRagCollections",
    "List the workspace's RAG collections (without their files).",
    request=None,
    response=ListRAGCollectionsResponse,
    resend_safe=True,
)
GET_RAG_COLLECTION: Endpoint[None, RAGCollectionInfo] = Endpoint(
    "GET",
    "/rag-collections/{id}",
    "getRagCollection",
    "Describe a RAG collection and the ingestion status of its files.",
    request=None,
    response=RAGCollectionInfo,
    resend_safe=True,
    path_parameters=(COLLECTION_ID,),
    errors=(400, 401, 403, 404),
)
ADD_FILES_TO_RAG_COLLECTION: Endpoint[AddFilesRequest, None] = Endpoint(
    "POST",
    "/rag-collections/{id}/files",
    "addFilesToRagCollection",
    "Add uploaded files to a RAG collection; ingestion runs in the background.",
    request=AddFilesRequest,
    response=None,
    resend_safe=False,
    path_parameters=(COLLECTION_ID,),
    errors=(400, 401, 403, 404, 413),
)
DELETE_RAG_COLLECTION: Endpoint[None, None] = Endpoint(
    "DELETE",
    "/rag-collections/{id}",
    "deleteRagCollection",
    "Delete a RAG collection with its files, chunks and vectors.",
    request=None,
    response=None,
    resend_safe=True,
    path_parameters=(COLLECTION_ID,),
    errors=(400, 401, 403, 404),
)

# Blocks

ANSWER: Endpoint[AnswerRequest, AnswerResponse] = Endpoint(
    "POST",
    "/blocks/answer",
    "generateAnswer",
    "Answer a question from a document or from a RAG collection.",
    request=AnswerRequest,
    response=AnswerResponse,
    resend_safe=True,
    errors=(400, 401, 403, 404, 413, 422),
    timeout=SLOW,
)
SUMMARIZE: Endpoint[SummarizeRequest, SummarizeResponse] = Endpoint(
    "POST",
    "/blocks/summarize",
    "summarizeDocument",
    "Summarize a document.",
    request=SummarizeRequest,
    response=SummarizeResponse,
    resend_safe=True,
    errors=(400, 401, 403, 413, 422),
    timeout=SLOW,
)
ANALYZE_SENTIMENT: Endpoint[AnalyzeSentimentRequest, AnalyzeSentimentResponse] = Endpoint(
    "POST",
    "/blocks/analyze-sentiment",
    "analyzeSentiment",
    "Tell whether a document is negative, neutral or positive.",
    request=AnalyzeSentimentRequest,
    response=AnalyzeSentimentResponse,
    resend_safe=True,
    errors=(400, 401, 403, 413, 422),
    timeout=SLOW,
)
PERSONALIZE: Endpoint[PersonalizeRequest, PersonalizeResponse] = Endpoint(
    "POST",
    "/blocks/personalize",
    "personalizeDocument",
    "Rewrite a document for an audience.",
    request=PersonalizeRequest,
    response=PersonalizeResponse,
    resend_safe=True,
    errors=(400, 401, 403, 413, 422),
    timeout=SLOW,
)
EXTRACT: Endpoint[ExtractRequest, ExtractResponse] = Endpoint(
    "POST",
    "/blocks/extract",
    "extractEntity",
    "Extract typed values from a document by a schema.",
    request=ExtractRequest,
    response=ExtractResponse,
    resend_safe=True,
    errors=(400, 401, 403, 413, 422),
    timeout=SLOW,
)
EXTRACT_PDF: Endpoint[FileUpload, ExtractPdfResponse] = Endpoint(
    "POST",
    "/blocks/extract-pdf",
    "extractPdf",
    "Read the text, tables and images of a PDF.",
    request=FileUpload,
    response=ExtractPdfResponse,
    resend_safe=True,
    errors=(400, 401, 403, 413, 422),
    timeout=SLOW,
)
CREATE_TRANSCRIPTION: Endpoint[CreateTranscriptionRequest, CreateTranscriptionResponse] = Endpoint(
    "POST",
    "/blocks/transcription",
    "createAudioTranscription",
    "Start transcribing an uploaded audio file.",
    request=CreateTranscriptionRequest,
    response=CreateTranscriptionResponse,
    resend_safe=False,
    errors=(400, 401, 403, 404, 413),
    timeout=SLOW,
)
GET_TRANSCRIPTION: Endpoint[None, GetTranscriptionResponse] = Endpoint(
    "GET",
    "/blocks/transcription",
    "getAudioTranscription",
    "Read a transcription's status and, once it succeeded, its text.",
    request=None,
    response=GetTranscriptionResponse,
    resend_safe=True,
    query=(TRANSCRIPTION_ID,),
    errors=(400, 401, 403, 404),
)

#: Every operation, in the spec's order (section 2).
ENDPOINTS: tuple[Endpoint[Any, Any], ...] = (
    LIST_MODELS,
    GET_MODEL,
    CREATE_MODEL,
    DELETE_MODEL,
    COMPLETE_MODEL,
    FINE_TUNE_MODEL,
    LIST_EMBEDDINGS,
    GENERATE_EMBEDDING,
    UPLOAD_FILE,
    CREATE_RAG_COLLECTION,
    LIST_RAG_COLLECTIONS,
    GET_RAG_COLLECTION,
    ADD_FILES_TO_RAG_COLLECTION,
    DELETE_RAG_COLLECTION,
    ANSWER,
    SUMMARIZE,
    ANALYZE_SENTIMENT,
    PERSONALIZE,
    EXTRACT,
    EXTRACT_PDF,
    CREATE_TRANSCRIPTION,
    GET_TRANSCRIPTION,
)

#: The rows by operation id.
BY_OPERATION_ID: Mapping[str, Endpoint[Any, Any]] = {e.operation_id: e for e in ENDPOINTS}
