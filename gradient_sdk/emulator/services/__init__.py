"""The emulator's logic, one service per area, between the HTTP layer and engines and storage.

:func:`open_services` opens the storage, loads the engines and builds the services; the app's
lifespan holds them while it runs. Services know nothing of HTTP: they take and give records,
and refuse with :class:`~gradient_sdk.emulator.errors.ApiError`.
"""

from __future__ import annotations

import contextlib
import logging
import re
import tempfile
from collections.abc import AsyncGenerator, Generator
from pathlib import Path

import anyio.to_thread
import attrs

from ...records import BaseModelCapability, BaseModelInfo
from ..engines.base import EmbeddingEngine, SpeechEngine, TextEngine
from ..jobs import BackgroundJobs
from ..settings import EmulatorSettings
from ..storage import Adapters, BlobStore, Database, DataDirLock, WeightStore
from ..storage.files import Files
from ..storage.rag import Collections
from ..storage.transcriptions import Transcriptions
from ..storage.vectors import VectorStore
from .answers import AnswerService
from .blocks import BlocksService
from .embeddings import EmbeddingsService
from .files import FilesService
from .models import ModelsService
from .rag import RAGService
from .transcriptions import TranscriptionService
from .workers import Workers

logger = logging.getLogger(__name__)

#: What ``embeddings_model=None`` loads, and the slug it answers to besides ``bge-large``.
DEFAULT_EMBEDDINGS_SPEC = "minilm"


@attrs.frozen
class Services:
    """Every area's service, and what they share."""

    settings: EmulatorSettings
    lock: DataDirLock
    database: Database
    models: ModelsService
    embeddings: EmbeddingsService
    files: FilesService
    rag: RAGService
    answers: AnswerService
    blocks: BlocksService
    transcriptions: TranscriptionService

    def start_background_work(self, jobs: BackgroundJobs) -> None:
        """Start the workers of the areas that work in the background; they resume what a
        previous run left pending."""
        self.rag.start(jobs)
        self.transcriptions.start(jobs)

    def close(self) -> None:
        """Close the database and let the data dir go; the services answer nothing after."""
        self.database.close()
        self.lock.release()


def load_text_engine(settings: EmulatorSettings) -> TextEngine:
    """The text engine the settings name (loaded here, which may take a while) or hold."""
    from ..engines import load_text_engine as load

    model = settings.model
    if model is None or isinstance(model, str):
        return load(model, threads=settings.threads, engine=settings.engine)
    return model


def load_speech_engine(settings: EmulatorSettings) -> SpeechEngine | None:
    """The speech engine the settings name (a model folder, loaded here) or hold; None when
    they name none."""
    from ..engines import load_speech_engine as load

    choice = settings.speech_model
    return load(choice) if isinstance(choice, str | Path) else choice


def load_embedding_engine(settings: EmulatorSettings) -> tuple[EmbeddingEngine, str | None]:
    """The embeddings engine, and the slug it answers to besides ``bge-large`` (when the
    settings name it by a string: ``minilm``, ``hashing``)."""
    from ..engines import load_embedding_engine as load

    choice = settings.embeddings_model
    if choice is None or isinstance(choice, str):
        return load(choice), choice or DEFAULT_EMBEDDINGS_SPEC
    return choice, None


def base_model_slug(engine_name: str) -> str:
    """A slug in the service's style: ``SmolLM2-135M-Instruct`` -> ``smollm2-135m-instruct``."""
    return re.sub(r"[^a-z0-9.]+", "-", engine_name.lower()).strip("-") or "base-model"


@contextlib.contextmanager
def _data_directory(configured: Path | None) -> Generator[Path, None, None]:
    if configured is not None:
        configured.mkdir(mode=0o700, parents=True, exist_ok=True)
        yield configured
        return
    with tempfile.TemporaryDirectory(prefix="gradient-emulator-") as temporary:
        yield Path(temporary)


def _start(settings: EmulatorSettings, data_dir: Path) -> Services:
    lock = DataDirLock(data_dir)  # before anything reads or cleans the data dir
    try:
        database = Database.in_data_dir(data_dir)
    except BaseException:
        lock.release()
        raise
    try:
        adapters = Adapters(database)
        weights = WeightStore(data_dir)
        weights.clean(adapters.weights_versions())
        files = Files(database)
        blobs = BlobStore(data_dir)
        blobs.clean(files.ids())
        text = load_text_engine(settings)
        embeddings, own_slug = load_embedding_engine(settings)
        speech = load_speech_engine(settings)
        slug = base_model_slug(text.name)
        base_model = BaseModelInfo(
            id=adapters.base_model_id(slug),
            slug=slug,
            name=text.name,
            capabilities=(BaseModelCapability.COMPLETE, BaseModelCapability.FINE_TUNE),
        )
    except BaseException:
        database.close()
        lock.release()
        raise
    logger.info("serving base model %s (%s) from %s", slug, base_model.id, data_dir)
    workers = Workers(settings.model_concurrency)
    embeddings_service = EmbeddingsService(embeddings, own_slug=own_slug, workers=workers)
    files_service = FilesService(settings, files=files, blobs=blobs, workers=workers)
    rag_service = RAGService(
        collections=Collections(database),
        vectors=VectorStore(data_dir),
        files=files_service,
        embeddings=embeddings_service,
        workers=workers,
    )
    return Services(
        settings=settings,
        lock=lock,
        database=database,
        models=ModelsService(
            settings,
            engine=text,
            base_model=base_model,
            adapters=adapters,
            weights=weights,
            workers=workers,
            retrieve=rag_service.retrieve,
        ),
        embeddings=embeddings_service,
        files=files_service,
        rag=rag_service,
        answers=AnswerService(engine=text, retrieve=rag_service.retrieve, workers=workers),
        blocks=BlocksService(engine=text, workers=workers),
        transcriptions=TranscriptionService(
            transcriptions=Transcriptions(database),
            files=files_service,
            engine=speech,
            workers=workers,
        ),
    )


@contextlib.asynccontextmanager
async def open_services(settings: EmulatorSettings) -> AsyncGenerator[Services, None]:
    """Open the storage, load the engines, and close the storage afterwards."""
    with _data_directory(settings.data_dir) as data_dir:
        services = await anyio.to_thread.run_sync(_start, settings, data_dir)
        try:
            yield services
        finally:
            services.close()
