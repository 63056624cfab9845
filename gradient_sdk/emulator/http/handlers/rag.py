"""The handlers of the RAG collection operations."""

from __future__ import annotations

from collections.abc import Mapping

from .... import _endpoints as api
from ....records import (
    AddFilesRequest,
    CreateRAGCollectionRequest,
    CreateRAGCollectionResponse,
    ListRAGCollectionsResponse,
    RAGCollectionInfo,
)
from .call import Call, Handler


async def create_rag_collection(call: Call) -> CreateRAGCollectionResponse:
    """``POST /rag-collections``."""
    request = await call.body(CreateRAGCollectionRequest)
    return await call.services.rag.create(call.workspace_id, request)


async def list_rag_collections(call: Call) -> ListRAGCollectionsResponse:
    """``GET /rag-collections``."""
    return await call.services.rag.list_collections(call.workspace_id)


async def get_rag_collection(call: Call) -> RAGCollectionInfo:
    """``GET /rag-collections/{id}``."""
    return await call.services.rag.get(call.workspace_id, call.path("id"))


async def add_files_to_rag_collection(call: Call) -> None:
    """``POST /rag-collections/{id}/files``."""
    request = await call.body(AddFilesRequest)
    await call.services.rag.add_files(call.workspace_id, call.path("id"), request)


async def delete_rag_collection(call: Call) -> None:
    """``DELETE /rag-collections/{id}``."""
    await call.services.rag.delete(call.workspace_id, call.path("id"))


#: The handlers of this area, by operation id.
HANDLERS: Mapping[str, Handler] = {
    api.CREATE_RAG_COLLECTION.operation_id: create_rag_collection,
    api.LIST_RAG_COLLECTIONS.operation_id: list_rag_collections,
    api.GET_RAG_COLLECTION.operation_id: get_rag_collection,
    api.ADD_FILES_TO_RAG_COLLECTION.operation_id: add_files_to_rag_collection,
    api.DELETE_RAG_COLLECTION.operation_id: delete_rag_collection,
}
