"""The models area: the base model and the workspaces' adapters.

Each adapter has a shared lock: completions only read the adapter, so they hold it together
(and the engine batches them into shared forward passes); a fine-tune or a delete changes
it, so it holds the lock alone. Different adapters, and the base model, proceed in parallel,
up to ``EmulatorSettings.model_concurrency`` engine calls at once.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from functools import partial

import attrs

from ...records import (
    BaseModelCapability,
    BaseModelInfo,
    CapabilityFilter,
    CompleteRequest,
    CompleteResponse,
    CreateModelRequest,
    CreateModelResponse,
    ErrorType,
    FineTuneRequest,
    FineTuneResponse,
    Guidance,
    ListModelsResponse,
    ModelAdapterInfo,
    ModelInfo,
    RAGDocument,
    Sample,
)
from ..engines.base import (
    DEFAULT_LEARNING_RATE,
    DEFAULT_RANK,
    AdapterConfig,
    ChoiceConstraint,
    ConstraintError,
    FineTuneResult,
    LoadedAdapter,
    PromptTooLongError,
    StopSignal,
    TextEngine,
    TrainingExample,
    TrainingSegment,
    check_stop,
)
from ..errors import ApiError
from ..settings import EmulatorSettings
from ..storage import AdapterRow, Adapters, WeightStore, new_adapter_id
from .prompts import fitted_grounded_prompt
from .shared_lock import SharedLock
from .workers import Workers

logger = logging.getLogger(__name__)

#: Finds the passages of a workspace's RAG collection for a query (the RAG service's own).
Retriever = Callable[[str, str, str], Awaitable[list[RAGDocument]]]

_BASE_MODEL_SUFFIX = "_base_ml_model"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def guidance_constraint(guidance: Guidance | None) -> ChoiceConstraint | None:
    """What ``guidance`` asks of the engine: the completion is exactly one of its values."""
    return None if guidance is None else ChoiceConstraint(guidance.value)


def training_example(sample: Sample) -> TrainingExample:
    """A wire sample as the engines take it: a plain string is one trainable segment."""
    if isinstance(sample.inputs, str):
        segments: tuple[TrainingSegment, ...] = (TrainingSegment(text=sample.inputs),)
    else:
        segments = tuple(
            TrainingSegment(
                text=piece.value,
                trainable=piece.trainable,
                parse_special_tokens=piece.parse_special_tokens,
            )
            for piece in sample.inputs
        )
    multiplier = 1.0 if sample.multiplier is None else sample.multiplier
    return TrainingExample(segments=segments, multiplier=multiplier)


class AdapterCache:
    """The adapters loaded into memory, by id, the least recently used dropped beyond a size.

    Callers hold an adapter's lock while they use its entry; the cache's own lock only keeps
    the bookkeeping whole when threads working on different adapters meet here.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, LoadedAdapter] = OrderedDict()

    def get(self, adapter_id: str) -> LoadedAdapter | None:
        """The loaded adapter, or None."""
        with self._lock:
            adapter = self._entries.get(adapter_id)
            if adapter is not None:
                self._entries.move_to_end(adapter_id)
            return adapter

    def put(self, adapter_id: str, adapter: LoadedAdapter) -> None:
        """Keep an adapter; a dropped one is simply reloaded from disk when next needed."""
        with self._lock:
            self._entries[adapter_id] = adapter
            self._entries.move_to_end(adapter_id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def pop(self, adapter_id: str) -> LoadedAdapter | None:
        """Forget an adapter, returning it if it was loaded."""
        with self._lock:
            return self._entries.pop(adapter_id, None)


class ModelsService:
    """The base model and the workspaces' adapters: list, create, complete, fine-tune."""

    def __init__(
        self,
        settings: EmulatorSettings,
        *,
        engine: TextEngine,
        base_model: BaseModelInfo,
        adapters: Adapters,
        weights: WeightStore,
        workers: Workers,
        retrieve: Retriever,
    ) -> None:
        self.settings = settings
        self.base_model = base_model
        self.engine = engine
        self._adapters = adapters
        self._weights = weights
        self._workers = workers
        self._retrieve = retrieve
        self._adapter_locks: dict[str, SharedLock] = {}
        self._loaded_adapters = AdapterCache(settings.max_loaded_adapters)
        # Completions of one adapter run together: one of them reads it from disk.
        self._loading = threading.Lock()

    async def list_models(
        self, workspace_id: str, *, only_base: bool, capability: CapabilityFilter
    ) -> ListModelsResponse:
        """The base model (if it has ``capability``) and, unless ``only_base``, the adapters."""
        models: list[ModelInfo] = []
        if capability is CapabilityFilter.ANY or (
            BaseModelCapability(capability.value) in self.base_model.capabilities
        ):
            models.append(self.base_model)
        if not only_base:
            # Adapters both complete and fine-tune, so every filter keeps them.
            rows = await self._workers.storage(
                self._adapters.of_workspace, workspace_id, self.base_model.id
            )
            models.extend(row.info() for row in rows)
        return ListModelsResponse(models=tuple(models))

    async def get_model_adapter(self, workspace_id: str, model_id: str) -> ModelAdapterInfo:
        """The workspace's adapter with this id."""
        if model_id == self.base_model.id:
            raise ApiError(
                404,
                f"{model_id} is a base model; only adapters can be described",
                error_type=ErrorType.UNKNOWN_MODEL_ADAPTER,
            )
        return (await self._find_adapter(workspace_id, model_id)).info()

    async def create_model_adapter(
        self, workspace_id: str, request: CreateModelRequest
    ) -> CreateModelResponse:
        """Create an adapter of the base model; its weights are on disk before it is listed."""
        if request.model.base_model_id != self.base_model.id:
            raise ApiError(
                404,
                f"no base model with id {request.model.base_model_id!r}",
                error_type=ErrorType.UNKNOWN_BASE_MODEL,
            )
        hyperparameters = request.initial_hyperparameters
        lora = hyperparameters.lora_hyperparameters if hyperparameters else None
        training = hyperparameters.training_arguments if hyperparameters else None
        rank = lora.rank if lora and lora.rank is not None else DEFAULT_RANK
        learning_rate = (
            training.learning_rate
            if training and training.learning_rate is not None
            else DEFAULT_LEARNING_RATE
        )
        now = _now()
        row = AdapterRow(
            id=new_adapter_id(),
            workspace_id=workspace_id,
            base_model_id=self.base_model.id,
            name=request.model.name,
            rank=rank,
            learning_rate=learning_rate,
            created_time=now,
            latest_update_time=now,
            weights_version=1,
        )

        def create() -> None:
            adapter = self.engine.new_adapter(AdapterConfig(rank=rank, learning_rate=learning_rate))
            self._weights.write(row.id, 1, partial(self.engine.save_adapter, adapter))
            # Cached before it is registered: nobody can ask for it before, so no one loads
            # a second copy from disk meanwhile.
            self._loaded_adapters.put(row.id, adapter)
            self._adapters.add(row)

        await self._workers.model(create)
        logger.info("created adapter %s in workspace %s", row.id, workspace_id)
        return CreateModelResponse(id=row.id)

    async def delete_model(self, workspace_id: str, model_id: str) -> None:
        """Delete an adapter and its weights, once the work under way on it has finished."""
        if model_id == self.base_model.id:
            raise ApiError(400, "base models cannot be deleted")
        await self._find_adapter(workspace_id, model_id)
        async with self._lock_of(model_id).exclusive():
            # It may have gone while we waited for the lock.
            await self._find_adapter(workspace_id, model_id)
            self._loaded_adapters.pop(model_id)

            def delete() -> None:
                # The row is the truth: once it is gone the adapter is deleted, and a folder
                # that cannot be removed now is removed at the next start.
                self._adapters.remove(model_id)
                try:
                    self._weights.remove(model_id)
                except OSError as error:
                    logger.warning(
                        "the weights of deleted adapter %s stay for now: %s", model_id, error
                    )

            await self._workers.storage(delete)
            # Whoever still waits on this lock will find the adapter gone.
            del self._adapter_locks[model_id]
        logger.info("deleted adapter %s in workspace %s", model_id, workspace_id)

    async def complete(
        self, workspace_id: str, model_id: str, request: CompleteRequest
    ) -> CompleteResponse:
        """Complete ``request.query`` with the base model or one of the workspace's adapters.

        ``autoTemplate`` absent or null means false: the prompt is used as sent, which is
        also how fine-tune samples are read, so an adapter sees the format it learnt.
        ``guidance`` makes the completion exactly one of its choices (constrained decoding),
        on the base model and on adapters alike.
        """
        if request.rag is not None:
            request = await self._grounded(workspace_id, request, request.rag.collection_id)
        if model_id == self.base_model.id:
            return await self._workers.stoppable_model(partial(self._complete, request, None))
        await self._find_adapter(workspace_id, model_id)
        async with self._lock_of(model_id).shared():
            row = await self._find_adapter(workspace_id, model_id)
            return await self._workers.stoppable_model(partial(self._complete, request, row))

    async def _grounded(
        self, workspace_id: str, request: CompleteRequest, collection_id: str
    ) -> CompleteRequest:
        """The request with its query wrapped in the passages the collection retrieves for
        it; RAG needs ``autoTemplate``, since the passages go into the chat template."""
        if not request.auto_template:
            raise ApiError(
                400,
                "completing with rag needs autoTemplate: true (the retrieved passages are put "
                "into the model's chat template)",
                error_type=ErrorType.RAG_REQUIRES_AUTO_TEMPLATING,
            )
        documents = await self._retrieve(workspace_id, collection_id, request.query)
        answer_tokens = (
            request.max_generated_token_count or self.settings.default_max_generated_tokens
        )
        prompt = await self._workers.storage(
            partial(
                fitted_grounded_prompt,
                request.query,
                [document.content for document in documents],
                count_tokens=self.engine.count_tokens,
                budget=self.engine.context_window - answer_tokens,
            )
        )
        return attrs.evolve(request, query=prompt)

    async def fine_tune(
        self, workspace_id: str, model_id: str, request: FineTuneRequest
    ) -> FineTuneResponse:
        """Train an adapter on the samples and store its new weights before answering."""
        if model_id == self.base_model.id:
            raise ApiError(
                400,
                "base models cannot be fine-tuned: create an adapter and fine-tune that",
                error_type=ErrorType.MODEL_INCAPABLE_OF_FINE_TUNING,
            )
        limit = self.settings.max_samples_per_fine_tune
        if len(request.samples) > limit:
            raise ApiError(
                422,
                f"one fine-tune takes at most {limit} samples, got {len(request.samples)}",
                error_type=ErrorType.UNPROCESSABLE_CONTENT,
            )
        examples = [training_example(sample) for sample in request.samples]
        await self._find_adapter(workspace_id, model_id)
        async with self._lock_of(model_id).exclusive():
            row = await self._find_adapter(workspace_id, model_id)
            try:
                result = await self._workers.stoppable_model(
                    partial(self._fine_tune, row, examples)
                )
            except BaseException:
                # The engine may have changed the adapter in memory (a failure, or a stop
                # before the commit); the disk has the last good weights, and the next call
                # loads them.
                self._loaded_adapters.pop(model_id)
                raise
        logger.info(
            "fine-tuned adapter %s: %d trainable tokens, loss %.4f -> %.4f",
            model_id,
            result.number_of_trainable_tokens,
            result.sum_loss,
            result.sum_loss_after,
        )
        return FineTuneResponse(
            number_of_trainable_tokens=result.number_of_trainable_tokens,
            sum_loss=result.sum_loss,
        )

    # Helpers

    def _lock_of(self, adapter_id: str) -> SharedLock:
        return self._adapter_locks.setdefault(adapter_id, SharedLock())

    async def _find_adapter(self, workspace_id: str, model_id: str) -> AdapterRow:
        row = await self._workers.storage(self._adapters.get, workspace_id, model_id)
        # An adapter of a base model this run does not serve is as good as unknown.
        if row is None or row.base_model_id != self.base_model.id:
            if model_id.endswith(_BASE_MODEL_SUFFIX):
                raise ApiError(
                    404,
                    f"no base model with id {model_id!r}",
                    error_type=ErrorType.UNKNOWN_BASE_MODEL,
                )
            raise ApiError(
                404,
                f"no model adapter with id {model_id!r} in this workspace",
                error_type=ErrorType.UNKNOWN_MODEL_ADAPTER,
            )
        return row

    # What runs in worker threads

    def _loaded(self, row: AdapterRow) -> LoadedAdapter:
        with self._loading:
            adapter = self._loaded_adapters.get(row.id)
            if adapter is None:
                path = self._weights.path(row.id, row.weights_version)
                adapter = self.engine.load_adapter(path)
                self._loaded_adapters.put(row.id, adapter)
            return adapter

    def _complete(
        self, request: CompleteRequest, row: AdapterRow | None, *, stop: StopSignal
    ) -> CompleteResponse:
        adapter = None if row is None else self._loaded(row)
        try:
            completion = self.engine.complete(
                request.query,
                adapter,
                max_new_tokens=(
                    request.max_generated_token_count or self.settings.default_max_generated_tokens
                ),
                temperature=request.temperature,
                top_k=request.top_k,
                top_p=request.top_p,
                apply_chat_template=bool(request.auto_template),
                constraint=guidance_constraint(request.guidance),
                stop=stop,
            )
        except (PromptTooLongError, ConstraintError) as error:
            raise ApiError(422, str(error), error_type=ErrorType.UNPROCESSABLE_CONTENT) from error
        logger.info(
            "completed with %s: %d new token(s), finish reason %s",
            self.base_model.slug if row is None else f"adapter {row.id}",
            completion.generated_token_count,
            completion.finish_reason,
        )
        return CompleteResponse(
            finish_reason=completion.finish_reason, generated_output=completion.text
        )

    def _fine_tune(
        self, row: AdapterRow, examples: list[TrainingExample], *, stop: StopSignal
    ) -> FineTuneResult:
        self._check_fine_tune_size(examples)
        adapter = self._loaded(row)
        logger.info("fine-tuning adapter %s on %d sample(s)", row.id, len(examples))
        result = self.engine.fine_tune(adapter, examples, stop=stop)
        if not (math.isfinite(result.sum_loss) and math.isfinite(result.sum_loss_after)):
            raise ApiError(
                422,
                "training on these samples gave a loss that is not a number; "
                "the adapter keeps its previous weights",
                error_type=ErrorType.NAN_LOSS,
            )
        # The last moment to stop: past it, the new weights are committed and reported.
        check_stop(stop)
        version = row.weights_version + 1
        self._weights.write(row.id, version, partial(self.engine.save_adapter, adapter))
        self._adapters.set_weights_version(row.id, version, _now())
        self._weights.keep_only(row.id, version)
        return result

    def _check_fine_tune_size(self, examples: list[TrainingExample]) -> None:
        window = self.engine.context_window
        total = 0
        for position, example in enumerate(examples):
            tokens = sum(self.engine.count_tokens(s.text) for s in example.segments)
            if tokens > window:
                raise ApiError(
                    422,
                    f"sample {position} is {tokens} tokens, more than the model's context"
                    f" window of {window}",
                    error_type=ErrorType.UNPROCESSABLE_CONTENT,
                )
            total += tokens
        limit = self.settings.max_tokens_per_fine_tune
        if total > limit:
            raise ApiError(
                422,
                f"one fine-tune takes at most {limit} tokens in all, got {total}",
                error_type=ErrorType.UNPROCESSABLE_CONTENT,
            )
