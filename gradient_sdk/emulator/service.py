"""The emulator's logic, between the HTTP layer and the engines and storage.

Engines and storage block, so every call into them runs in a worker thread; the event loop
only waits, which keeps the server answering (listing models, say) while a fine-tune runs.
Work on one adapter is serialised by that adapter's lock, because an engine changes an
adapter in place; different adapters, and the base model, proceed in parallel, up to
``Emulator.model_concurrency`` engine calls at once.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TypeVar

import anyio
import anyio.to_thread
import attrs

from ..records import (
    BaseModelCapability,
    BaseModelInfo,
    CapabilityFilter,
    CompleteRequest,
    CompleteResponse,
    CreateModelRequest,
    CreateModelResponse,
    Embedding,
    EmbeddingsModelInfo,
    FineTuneRequest,
    FineTuneResponse,
    GenerateEmbeddingsRequest,
    GenerateEmbeddingsResponse,
    ListEmbeddingsModelsResponse,
    ListModelsResponse,
    ModelAdapterInfo,
    ModelInfo,
    Sample,
)
from .engines.base import (
    DEFAULT_LEARNING_RATE,
    DEFAULT_RANK,
    AdapterConfig,
    AdapterHandle,
    EmbeddingEngine,
    FineTuneResult,
    PromptTooLongError,
    TextEngine,
    TrainingExample,
    TrainingSegment,
)
from .errors import ApiError, ErrorType
from .settings import Emulator
from .storage import AdapterRecord, Registry, WeightStore, new_adapter_id

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: The slug clients ask for (the only one the service had); the emulator serves its own
#: embeddings model under it, whatever that model's dimensions.
COMPATIBLE_EMBEDDINGS_SLUG = "bge-large"
#: What ``embeddings_model=None`` loads, and the slug it answers to besides ``bge-large``.
DEFAULT_EMBEDDINGS_SPEC = "minilm"
_BASE_MODEL_SUFFIX = "_base_ml_model"


def _now() -> datetime:
    return datetime.now(timezone.utc)


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
        self._handles: OrderedDict[str, AdapterHandle] = OrderedDict()

    def get(self, adapter_id: str) -> AdapterHandle | None:
        """The loaded adapter, or None."""
        with self._lock:
            handle = self._handles.get(adapter_id)
            if handle is not None:
                self._handles.move_to_end(adapter_id)
            return handle

    def put(self, adapter_id: str, handle: AdapterHandle) -> None:
        """Keep an adapter; a dropped one is simply reloaded from disk when next needed."""
        with self._lock:
            self._handles[adapter_id] = handle
            self._handles.move_to_end(adapter_id)
            while len(self._handles) > self._size:
                self._handles.popitem(last=False)

    def pop(self, adapter_id: str) -> AdapterHandle | None:
        """Forget an adapter, returning it if it was loaded."""
        with self._lock:
            return self._handles.pop(adapter_id, None)


@attrs.frozen
class Engines:
    """The loaded engines and what the API calls them."""

    text: TextEngine
    embeddings: EmbeddingEngine
    embeddings_slugs: tuple[str, ...]


class EmulatorService:
    """Answers the API's operations for authorised workspaces; see :func:`open_service`."""

    def __init__(
        self,
        settings: Emulator,
        *,
        registry: Registry,
        weights: WeightStore,
        engines: Engines,
        base_model: BaseModelInfo,
    ) -> None:
        self.settings = settings
        self.base_model = base_model
        self._registry = registry
        self._weights = weights
        self._engine = engines.text
        self._embeddings = engines.embeddings
        self._embeddings_slugs = engines.embeddings_slugs
        self._model_limiter = anyio.CapacityLimiter(settings.model_concurrency)
        self._embeddings_lock = anyio.Lock()
        self._adapter_locks: dict[str, anyio.Lock] = {}
        self._handles = AdapterCache(settings.max_loaded_adapters)

    def close(self) -> None:
        """Close the registry; the service answers nothing afterwards."""
        self._registry.close()

    # Models

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
            records = await self._storage(self._registry.adapters, workspace_id, self.base_model.id)
            models.extend(record.info() for record in records)
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
        record = AdapterRecord(
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
            handle = self._engine.new_adapter(AdapterConfig(rank=rank, learning_rate=learning_rate))
            self._weights.write(record.id, 1, partial(self._engine.save_adapter, handle))
            # Cached before it is registered: nobody can ask for it before, so no one loads
            # a second copy from disk meanwhile.
            self._handles.put(record.id, handle)
            self._registry.add_adapter(record)

        await self._model_call(create)
        logger.info("created adapter %s in workspace %s", record.id, workspace_id)
        return CreateModelResponse(id=record.id)

    async def delete_model(self, workspace_id: str, model_id: str) -> None:
        """Delete an adapter and its weights, once the work under way on it has finished."""
        if model_id == self.base_model.id:
            raise ApiError(400, "base models cannot be deleted")
        await self._find_adapter(workspace_id, model_id)
        async with self._lock_of(model_id):
            # It may have gone while we waited for the lock.
            await self._find_adapter(workspace_id, model_id)
            self._handles.pop(model_id)

            def delete() -> None:
                self._registry.remove_adapter(model_id)
                self._weights.remove(model_id)

            await self._storage(delete)
            # Whoever still waits on this lock will find the adapter gone.
            del self._adapter_locks[model_id]
        logger.info("deleted adapter %s in workspace %s", model_id, workspace_id)

    async def complete(
        self, workspace_id: str, model_id: str, request: CompleteRequest
    ) -> CompleteResponse:
        """Complete ``request.query`` with the base model or one of the workspace's adapters.

        ``autoTemplate`` absent or null means false: the prompt is used as sent, which is
        also how fine-tune samples are read, so an adapter sees the format it learnt.
        """
        if request.rag is not None:
            raise ApiError(
                404,
                f"no RAG collection with id {request.rag.collection_id!r}: the emulator has none",
                error_type=ErrorType.UNKNOWN_RAG_COLLECTION,
            )
        if request.guidance is not None:
            raise ApiError(
                400,
                "the emulator's models do not support guidance",
                error_type=ErrorType.MODEL_DOES_NOT_SUPPORT_GUIDANCE,
            )
        if model_id == self.base_model.id:
            return await self._model_call(self._complete, request, None)
        await self._find_adapter(workspace_id, model_id)
        async with self._lock_of(model_id):
            record = await self._find_adapter(workspace_id, model_id)
            return await self._model_call(self._complete, request, record)

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
        async with self._lock_of(model_id):
            record = await self._find_adapter(workspace_id, model_id)
            try:
                result = await self._model_call(self._fine_tune, record, examples)
            except BaseException:
                # The engine may have changed the adapter in memory; the disk has the last
                # good weights, and the next call loads them.
                self._handles.pop(model_id)
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

    # Embeddings

    def list_embeddings_models(self) -> ListEmbeddingsModelsResponse:
        """The slugs the embeddings engine answers to."""
        return ListEmbeddingsModelsResponse(
            embeddings_models=tuple(EmbeddingsModelInfo(slug=s) for s in self._embeddings_slugs)
        )

    async def generate_embeddings(
        self, slug: str, request: GenerateEmbeddingsRequest
    ) -> GenerateEmbeddingsResponse:
        """One normalised vector per input, in input order."""
        if slug not in self._embeddings_slugs:
            known = ", ".join(self._embeddings_slugs)
            raise ApiError(404, f"no embeddings model with slug {slug!r}; available: {known}")
        texts = [item.input for item in request.inputs]
        # One batch at a time: the model already uses every core for one.
        async with self._embeddings_lock:
            vectors = await self._model_call(self._embeddings.embed, texts)
        return GenerateEmbeddingsResponse(
            embeddings=tuple(
                Embedding(embedding=tuple(vector), index=index)
                for index, vector in enumerate(vectors)
            )
        )

    # Helpers

    def _lock_of(self, adapter_id: str) -> anyio.Lock:
        return self._adapter_locks.setdefault(adapter_id, anyio.Lock())

    async def _model_call(self, function: Callable[..., T], *args: object) -> T:
        return await anyio.to_thread.run_sync(function, *args, limiter=self._model_limiter)

    async def _storage(self, function: Callable[..., T], *args: object) -> T:
        # Not the model limiter: a registry lookup must never wait behind a fine-tune.
        return await anyio.to_thread.run_sync(function, *args)

    async def _find_adapter(self, workspace_id: str, model_id: str) -> AdapterRecord:
        record = await self._storage(self._registry.adapter, workspace_id, model_id)
        # An adapter of a base model this run does not serve is as good as unknown.
        if record is None or record.base_model_id != self.base_model.id:
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
        return record

    # What runs in worker threads

    def _loaded(self, record: AdapterRecord) -> AdapterHandle:
        handle = self._handles.get(record.id)
        if handle is None:
            handle = self._engine.load_adapter(
                self._weights.path(record.id, record.weights_version)
            )
            self._handles.put(record.id, handle)
        return handle

    def _complete(self, request: CompleteRequest, record: AdapterRecord | None) -> CompleteResponse:
        adapter = None if record is None else self._loaded(record)
        try:
            completion = self._engine.complete(
                request.query,
                adapter,
                max_new_tokens=(
                    request.max_generated_token_count or self.settings.default_max_generated_tokens
                ),
                temperature=request.temperature,
                top_k=request.top_k,
                top_p=request.top_p,
                apply_chat_template=bool(request.auto_template),
            )
        except PromptTooLongError as error:
            raise ApiError(422, str(error), error_type=ErrorType.UNPROCESSABLE_CONTENT) from error
        return CompleteResponse(
            finish_reason=completion.finish_reason, generated_output=completion.text
        )

    def _fine_tune(self, record: AdapterRecord, examples: list[TrainingExample]) -> FineTuneResult:
        self._check_fine_tune_size(examples)
        handle = self._loaded(record)
        result = self._engine.fine_tune(handle, examples)
        if not (math.isfinite(result.sum_loss) and math.isfinite(result.sum_loss_after)):
            raise ApiError(
                422,
                "training on these samples gave a loss that is not a number; "
                "the adapter keeps its previous weights",
                error_type=ErrorType.NAN_LOSS,
            )
        version = record.weights_version + 1
        self._weights.write(record.id, version, partial(self._engine.save_adapter, handle))
        self._registry.set_weights_version(record.id, version, _now())
        self._weights.keep_only(record.id, version)
        return result

    def _check_fine_tune_size(self, examples: list[TrainingExample]) -> None:
        window = self._engine.context_window
        total = 0
        for position, example in enumerate(examples):
            tokens = sum(self._engine.count_tokens(s.text) for s in example.segments)
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


def load_engines(settings: Emulator) -> Engines:
    """The engines the settings name (loaded here, which may take a while) or hold.

    The embeddings engine answers to ``bge-large`` and, when named by a string, to that
    string too (``minilm``, ``hashing``).
    """
    from .engines import load_embedding_engine, load_text_engine

    model = settings.model
    text = load_text_engine(model) if model is None or isinstance(model, str) else model
    choice = settings.embeddings_model
    slugs = [COMPATIBLE_EMBEDDINGS_SLUG]
    if choice is None or isinstance(choice, str):
        embeddings = load_embedding_engine(choice)
        slugs.append(choice or DEFAULT_EMBEDDINGS_SPEC)
    else:
        embeddings = choice
    return Engines(text=text, embeddings=embeddings, embeddings_slugs=tuple(dict.fromkeys(slugs)))


def base_model_slug(engine_name: str) -> str:
    """A slug in the service's style: ``SmolLM2-135M-Instruct`` -> ``smollm2-135m-instruct``."""
    return re.sub(r"[^a-z0-9.]+", "-", engine_name.lower()).strip("-") or "base-model"


@contextlib.contextmanager
def _data_directory(configured: Path | None) -> Iterator[Path]:
    if configured is not None:
        configured.mkdir(mode=0o700, parents=True, exist_ok=True)
        yield configured
        return
    with tempfile.TemporaryDirectory(prefix="gradient-emulator-") as temporary:
        yield Path(temporary)


def _start(settings: Emulator, data_dir: Path) -> EmulatorService:
    registry = Registry(data_dir)
    try:
        weights = WeightStore(data_dir)
        weights.clean(registry.weights_versions())
        engines = load_engines(settings)
        slug = base_model_slug(engines.text.name)
        base_model = BaseModelInfo(
            id=registry.base_model_id(slug),
            slug=slug,
            name=engines.text.name,
            capabilities=(BaseModelCapability.COMPLETE, BaseModelCapability.FINE_TUNE),
        )
    except BaseException:
        registry.close()
        raise
    logger.info("serving base model %s (%s) from %s", slug, base_model.id, data_dir)
    return EmulatorService(
        settings, registry=registry, weights=weights, engines=engines, base_model=base_model
    )


@contextlib.asynccontextmanager
async def open_service(settings: Emulator) -> AsyncIterator[EmulatorService]:
    """Open the storage, load the engines, and close the storage afterwards."""
    with _data_directory(settings.data_dir) as data_dir:
        service = await anyio.to_thread.run_sync(_start, settings, data_dir)
        try:
            yield service
        finally:
            service.close()
