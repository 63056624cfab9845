"""The ``answer`` block: a question answered from a document, or from a RAG collection."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from ...records import (
    AnswerRequest,
    AnswerResponse,
    DocumentSource,
    ErrorType,
    RAGContext,
    RAGDocument,
)
from ..engines.base import PromptTooLongError, TextEngine
from ..errors import ApiError
from .prompts import fitted_grounded_prompt
from .workers import Workers

#: New tokens an answer may take.
ANSWER_TOKENS = 128
#: What an answer says when the model says nothing (the API promises a non-empty answer).
NO_ANSWER = "I do not know."

#: Finds the passages of a workspace's RAG collection for a question.
Retriever = Callable[[str, str, str], Awaitable[list[RAGDocument]]]


class AnswerService:
    """Answers with the base model, through its chat template, greedily."""

    def __init__(self, *, engine: TextEngine, retrieve: Retriever, workers: Workers) -> None:
        self._engine = engine
        self._retrieve = retrieve
        self._workers = workers

    async def answer(self, workspace_id: str, request: AnswerRequest) -> AnswerResponse:
        """The answer, and for a RAG source the passages it was grounded in."""
        source = request.source
        if isinstance(source, DocumentSource):
            passages, context = [source.value], None
        else:
            documents = await self._retrieve(workspace_id, source.collection_id, request.question)
            passages = [document.content for document in documents]
            context = RAGContext(documents=tuple(documents))
        prompt = await self._workers.storage(
            partial(
                fitted_grounded_prompt,
                request.question,
                passages,
                count_tokens=self._engine.count_tokens,
                budget=self._engine.context_window - ANSWER_TOKENS,
            )
        )
        try:
            completion = await self._workers.stoppable_model(
                partial(
                    self._engine.complete,
                    prompt,
                    None,
                    max_new_tokens=ANSWER_TOKENS,
                    temperature=None,
                    top_k=None,
                    top_p=None,
                    apply_chat_template=True,
                )
            )
        except PromptTooLongError as error:
            raise ApiError(
                422,
                f"the document and the question do not fit the model's context window: {error}",
                error_type=ErrorType.UNPROCESSABLE_CONTENT,
            ) from error
        return AnswerResponse(answer=completion.text.strip() or NO_ANSWER, rag_context=context)
