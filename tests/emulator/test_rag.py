"""RAG collections in the emulator, through the SDK: uploads, ingestion, retrieval, answers,
completions grounded in a collection, deletion, and the 4xx of bad input."""

from __future__ import annotations

import io
import sqlite3
import threading
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import httpx
import pytest
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from gradient_sdk import (
    AsyncGradient,
    BadRequestError,
    IngestionFailedError,
    NormalChunker,
    NotFoundError,
    RAGFileStatus,
    RequestTooLargeError,
    SentenceWithContextChunker,
    UnprocessableEntityError,
)
from gradient_sdk.emulator.engines import HashingEmbeddingEngine, TextEngine
from gradient_sdk.records import ErrorType

from .conftest import OTHER_TOKEN, OTHER_WORKSPACE_ID, Harness, make_settings, run_emulator

pytestmark = pytest.mark.anyio

SUBJECTS = {
    "astronomy.txt": (
        "The Moon orbits the Earth about every 27 days. Lunar craters were made by meteorite "
        "impacts. Astronauts first walked on the Moon in 1969."
    ),
    "baking.txt": (
        "Sourdough bread rises with a wild yeast starter. Bakers knead the dough, let it "
        "prove overnight, and bake the loaves in a hot oven."
    ),
    "volcanoes.md": (
        "# Volcanoes\n\nVolcanoes erupt molten lava, ash and gas. Magma chambers lie deep "
        "beneath volcanic mountains such as Etna."
    ),
    "chess.txt": (
        "Chess is played on a board of 64 squares. The knight moves in an L shape, and "
        "checkmate ends the game."
    ),
    "coffee.txt": (
        "Coffee beans are the roasted seeds of the coffee plant. Espresso is brewed by forcing "
        "hot water through finely ground coffee."
    ),
}
PDF_NAME = "honeybees.pdf"
PDF_TEXT = [
    "Honeybees live in hives ruled by a single queen.",
    "Worker bees collect nectar from flowers and make honey and wax.",
]
QUESTIONS = {
    "When did astronauts first walk on the Moon?": "astronomy.txt",
    "How does sourdough bread rise?": "baking.txt",
    "What do volcanoes erupt?": "volcanoes.md",
    "How does the knight move in chess?": "chess.txt",
    "How is espresso brewed from coffee?": "coffee.txt",
    "Who rules a hive of honeybees?": PDF_NAME,
}


def pdf_bytes(lines: Sequence[str]) -> bytes:
    """A one-page PDF with a text layer, made in code."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=letter)
    for number, line in enumerate(lines):
        page.drawString(72, 720 - 18 * number, line)
    page.save()
    return out.getvalue()


def write_library(folder: Path) -> list[Path]:
    paths = []
    for name, text in SUBJECTS.items():
        (folder / name).write_text(text)
        paths.append(folder / name)
    (folder / PDF_NAME).write_bytes(pdf_bytes(PDF_TEXT))
    return [*paths, folder / PDF_NAME]


async def answer(raw: httpx.AsyncClient, question: str, collection_id: str) -> dict[str, Any]:
    response = await raw.post(
        "/blocks/answer",
        json={"question": question, "source": {"type": "rag", "collectionId": collection_id}},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_retrieval_finds_the_file_each_question_is_about(tiny: Harness, tmp_path: Path):
    client = tiny.client()
    collection = await client.create_rag_collection(
        name="library", slug="bge-large", filepaths=write_library(tmp_path)
    )
    await collection.wait_until_ready(timeout=60)

    firsts = {
        question: (await answer(tiny.raw(), question, collection.id))["ragContext"]["documents"][0]
        for question in QUESTIONS
    }

    assert {q: doc["fileName"] for q, doc in firsts.items()} == QUESTIONS
    assert all(doc["content"] for doc in firsts.values())
    assert "queen" in firsts["Who rules a hive of honeybees?"]["content"]
    assert [f.status for f in collection.files] == [RAGFileStatus.SUCCEEDED] * 6


class GatedEmbeddings:
    """Hashing embeddings that wait for the test to open the gate before the first batch."""

    def __init__(self) -> None:
        self.inner = HashingEmbeddingEngine()
        self.dimensions = self.inner.dimensions
        self.entered = threading.Event()
        self.gate = threading.Event()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.entered.set()
        if not self.gate.wait(timeout=30):
            raise TimeoutError("the test never opened the gate")
        return self.inner.embed(texts)


@pytest.fixture
async def gated(
    tiny_engine: TextEngine, data_dir: Path
) -> AsyncIterator[tuple[Harness, GatedEmbeddings]]:
    embeddings = GatedEmbeddings()
    settings = make_settings(data_dir, tiny_engine, embeddings_model=embeddings)
    async with run_emulator(settings) as harness:
        yield harness, embeddings
        embeddings.gate.set()


async def wait_for(event: threading.Event) -> None:
    assert await anyio.to_thread.run_sync(event.wait, 30), "the engine was never called"


async def test_a_file_goes_pending_running_then_succeeded(gated, tmp_path: Path):
    harness, embeddings = gated
    client = harness.client()
    (tmp_path / "a.txt").write_text("A short note about tea.")

    collection = await client.create_rag_collection(
        name="c", slug="bge-large", filepaths=[tmp_path / "a.txt"]
    )
    created = collection.files[0].status
    await wait_for(embeddings.entered)
    running = (await collection.refresh()).files[0].status
    embeddings.gate.set()
    ready = await collection.wait_until_ready(timeout=30)

    assert created in {RAGFileStatus.PENDING, RAGFileStatus.RUNNING}
    assert running is RAGFileStatus.RUNNING
    assert ready.files[0].status is RAGFileStatus.SUCCEEDED


async def test_nothing_ingested_yet_is_no_rag_documents_found(gated, tmp_path: Path):
    harness, _ = gated
    client = harness.client()
    (tmp_path / "a.txt").write_text("A short note about tea.")
    collection = await client.create_rag_collection(
        name="c", slug="bge-large", filepaths=[tmp_path / "a.txt"]
    )
    [base] = await client.list_models(only_base=True)

    with pytest.raises(UnprocessableEntityError) as raised:
        await base.complete(query="tea?", rag_collection_id=collection.id, auto_template=True)
    answered = await harness.raw().post(
        "/blocks/answer",
        json={"question": "tea?", "source": {"type": "rag", "collectionId": collection.id}},
    )

    assert raised.value.error_type is ErrorType.NO_RAG_DOCUMENTS_FOUND
    assert answered.status_code == 422
    assert "no ingested documents" in answered.json()["message"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("blob.bin", b"\x00\x01\x02\x03 not text", "looks binary"),
        ("latin.txt", "caf\xe9 au lait".encode("latin-1"), "is not UTF-8 text"),
        ("blank.txt", b"   \n\t  \n", "is empty"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "PDF"),
        ("scan.pdf", pdf_bytes([]), "no text layer"),
    ],
    ids=["binary", "bad encoding", "white space", "broken pdf", "no text layer"],
)
async def test_an_unreadable_file_fails_with_its_reason(
    tiny: Harness, tmp_path: Path, name: str, content: bytes, reason: str
):
    client = tiny.client()
    (tmp_path / name).write_bytes(content)
    (tmp_path / "fine.txt").write_text("Perfectly readable text.")
    collection = await client.create_rag_collection(
        name="c", slug="bge-large", filepaths=[tmp_path / name, tmp_path / "fine.txt"]
    )

    with pytest.raises(IngestionFailedError) as raised:
        await collection.wait_until_ready(timeout=60)

    [failed] = raised.value.failed
    assert failed.name == name
    assert reason in (failed.failure_reason or "")
    statuses = {f.name: f.status for f in collection.files}
    assert statuses == {name: RAGFileStatus.FAILED, "fine.txt": RAGFileStatus.SUCCEEDED}


def rows(data_dir: Path, table: str) -> int:
    with sqlite3.connect(data_dir / "registry.sqlite3") as db:
        [count] = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    return int(count)


async def test_deleting_a_collection_deletes_its_chunks_vectors_and_files(
    tiny: Harness, tmp_path: Path, data_dir: Path
):
    client = tiny.client()
    collection = await client.create_rag_collection(
        name="c",
        slug="bge-large",
        filepaths=write_library(tmp_path),
        chunker=NormalChunker(size=6, overlap=1),
    )
    await collection.wait_until_ready(timeout=60)
    kept = (rows(data_dir, "rag_chunks"), len(list((data_dir / "files").iterdir())))

    await collection.delete()

    assert kept[0] > 6  # several chunks a file
    assert kept[1] == 6  # one blob a file
    assert rows(data_dir, "rag_chunks") == rows(data_dir, "rag_files") == 0
    assert rows(data_dir, "files") == 0
    assert list((data_dir / "files").iterdir()) == []
    assert list((data_dir / "vectors").iterdir()) == []
    with pytest.raises(NotFoundError) as raised:
        await client.get_rag_collection(id_=collection.id)
    assert raised.value.status_code == 404
    assert await client.list_rag_collections() == []


async def test_a_file_held_by_another_collection_is_kept(tiny: Harness, tmp_path: Path):
    client = tiny.client()
    (tmp_path / "shared.txt").write_text("Shared between two collections.")
    first = await client.create_rag_collection(
        name="a", slug="bge-large", filepaths=[tmp_path / "shared.txt"]
    )
    file_id = first.files[0].id
    second = await tiny.raw().post(
        "/rag-collections",
        json={"name": "b", "slug": "bge-large", "files": [{"id": file_id, "name": "shared.txt"}]},
    )

    await first.delete()
    again = await client.get_rag_collection(id_=second.json()["id"])
    await again.wait_until_ready(timeout=60)

    assert [f.id for f in again.files] == [file_id]


async def test_complete_with_rag_needs_auto_template(tiny: Harness, tmp_path: Path):
    client = tiny.client()
    (tmp_path / "tea.txt").write_text("Green tea is steeped at 80 degrees.")
    collection = await client.create_rag_collection(
        name="c", slug="bge-large", filepaths=[tmp_path / "tea.txt"]
    )
    await collection.wait_until_ready(timeout=60)
    [base] = await client.list_models(only_base=True)

    with pytest.raises(BadRequestError) as refused:
        await base.complete(query="How hot?", rag_collection_id=collection.id)
    grounded = await base.complete(
        query="How hot?",
        rag={"collection_id": collection.id},
        auto_template=True,
        max_generated_token_count=4,
    )

    assert refused.value.error_type is ErrorType.RAG_REQUIRES_AUTO_TEMPLATING
    assert isinstance(grounded.generated_output, str)
    assert grounded.finish_reason in {"length", "stop"}


async def test_an_unknown_or_foreign_collection_is_unknown(tiny: Harness, tmp_path: Path):
    owner = tiny.client()
    (tmp_path / "tea.txt").write_text("Green tea.")
    theirs = await owner.create_rag_collection(
        name="c", slug="bge-large", filepaths=[tmp_path / "tea.txt"]
    )
    stranger = tiny.client(access_token=OTHER_TOKEN, workspace_id=OTHER_WORKSPACE_ID)
    [base] = await stranger.list_models(only_base=True)

    for collection_id in (theirs.id, "rag_does_not_exist"):
        with pytest.raises(NotFoundError) as raised:
            await base.complete(query="tea", rag_collection_id=collection_id, auto_template=True)
        assert raised.value.error_type is ErrorType.UNKNOWN_RAG_COLLECTION
        with pytest.raises(NotFoundError):
            await stranger.get_rag_collection(id_=collection_id)
    assert await stranger.list_rag_collections() == []


async def test_answer_from_a_document(tiny: Harness):
    response = await tiny.raw().post(
        "/blocks/answer",
        json={"question": "What colour?", "source": {"type": "document", "value": "It is red."}},
    )

    assert response.status_code == 200
    assert response.json()["answer"]
    assert "ragContext" not in response.json() or response.json()["ragContext"] is None


async def test_the_sdk_answers_from_a_collection_with_its_passages(tiny: Harness, tmp_path: Path):
    client = tiny.client()
    collection = await client.create_rag_collection(
        name="library", slug="bge-large", filepaths=write_library(tmp_path)
    )
    await collection.wait_until_ready(timeout=60)

    result = await client.answer(
        question="Who rules a hive of honeybees?",
        source={"type": "rag", "collection_id": collection.id},
    )

    assert result.answer
    assert result.rag_context is not None
    assert result.rag_context.documents[0].file_name == QUESTIONS["Who rules a hive of honeybees?"]
    assert "queen" in result.rag_context.documents[0].content


async def test_the_sentence_chunker_returns_its_context(tiny: Harness, tmp_path: Path):
    client = tiny.client()
    (tmp_path / "story.txt").write_text(
        "Anna lives in Oslo. She keeps three cats. Her brother plays the violin. They meet "
        "every Sunday."
    )
    collection = await client.create_rag_collection(
        name="c",
        slug="bge-large",
        filepaths=[tmp_path / "story.txt"],
        chunker=SentenceWithContextChunker(size=4, context_sentences=1),
    )
    await collection.wait_until_ready(timeout=60)

    found = await answer(tiny.raw(), "Who plays the violin?", collection.id)

    assert found["ragContext"]["documents"][0]["content"] == (
        "She keeps three cats. Her brother plays the violin. They meet every Sunday."
    )


# Bad input: the spec's 4xx, before or instead of any work


async def upload(raw: httpx.AsyncClient, content: bytes = b"text", **params: str) -> httpx.Response:
    return await raw.post(
        "/files",
        params={"type": "ragUserFile", **params},
        files={"file": ("a.txt", content, "text/plain")},
    )


async def test_more_than_20_files_in_one_create_is_400(tiny: Harness):
    raw = tiny.raw()
    file_id = (await upload(raw)).json()["id"]

    response = await raw.post(
        "/rag-collections",
        json={
            "name": "c",
            "slug": "bge-large",
            "files": [{"id": file_id, "name": f"{n}.txt"} for n in range(21)],
        },
    )

    assert response.status_code == 400
    assert "0 to 20 files" in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        (
            {"name": "c", "slug": "bge-large", "chunker": {"chunkerType": "magic"}},
            400,
            "chunker type",
        ),
        (
            {
                "name": "c",
                "slug": "bge-large",
                "chunker": {"chunkerType": "normalChunker", "size": 5, "overlap": 5},
            },
            400,
            "smaller than size",
        ),
        ({"name": "", "slug": "bge-large"}, 400, "name"),
        ({"name": "c", "slug": "no-such-model"}, 404, "no embeddings model"),
        (
            {"name": "c", "slug": "bge-large", "files": [{"id": "file_nope", "name": "x"}]},
            404,
            "no ragUserFile",
        ),
    ],
    ids=["unknown chunker", "overlap", "empty name", "unknown slug", "unknown file"],
)
async def test_a_bad_create_is_a_4xx(
    tiny: Harness, body: dict[str, Any], status: int, problem: str
):
    response = await tiny.raw().post("/rag-collections", json=body)

    assert response.status_code == status
    assert problem in response.json()["message"]


@pytest.mark.parametrize(
    ("question", "problem"), [("", "question"), (None, "question")], ids=["empty", "missing"]
)
async def test_an_empty_question_is_400(tiny: Harness, question: Any, problem: str):
    response = await tiny.raw().post(
        "/blocks/answer", json={"question": question, "source": {"type": "document", "value": "x"}}
    )

    assert response.status_code == 400
    assert problem in response.json()["message"]


async def test_bad_uploads_are_4xx(tiny: Harness):
    raw = tiny.raw()

    empty = await upload(raw, b"")
    wrong_type = await upload(raw, type="pdfFile")
    no_type = await raw.post("/files", files={"file": ("a.txt", b"x")})
    no_part = await raw.post("/files", params={"type": "ragUserFile"}, files={"doc": ("a", b"x")})

    assert (empty.status_code, empty.json()) == (400, {"message": "the file 'a.txt' is empty"})
    assert wrong_type.status_code == no_type.status_code == no_part.status_code == 400
    assert "audioFile, ragUserFile" in wrong_type.json()["message"]
    assert "required" in no_type.json()["message"]
    assert "no file part named 'file'" in no_part.json()["message"]


async def test_an_upload_over_the_limit_is_413(tiny_engine: TextEngine, data_dir: Path, tmp_path):
    settings = make_settings(data_dir, tiny_engine, max_upload_bytes=1000)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 1001)
    async with run_emulator(settings) as harness:
        client: AsyncGradient = harness.client()
        with pytest.raises(RequestTooLargeError):
            await client.files.upload(filepath=big, file_type="ragUserFile")
        files = list((data_dir / "files").iterdir())

    assert files == []


async def test_the_file_count_limit_is_422(tiny_engine: TextEngine, data_dir: Path):
    settings = make_settings(data_dir, tiny_engine, max_files_per_workspace=2)
    async with run_emulator(settings) as harness:
        raw = harness.raw()
        answers = [(await upload(raw)).status_code for _ in range(3)]

    assert answers == [200, 200, 422]


async def test_an_audio_file_cannot_join_a_collection(tiny: Harness):
    raw = tiny.raw()
    audio = await raw.post(
        "/files", params={"type": "audioFile"}, files={"file": ("a.wav", b"RIFF....")}
    )

    response = await raw.post(
        "/rag-collections",
        json={"name": "c", "slug": "bge-large", "files": [{"id": audio.json()["id"], "name": "a"}]},
    )

    assert response.status_code == 404
