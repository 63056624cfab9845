"""Files and RAG collections on the wire: uploads (multipart, streamed), the collection
bodies as gradientai 1.13.1 writes them, the handles, and waiting for ingestion. Each test
runs with the async and the sync client, on asyncio and trio."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from gradient_sdk import (
    AsyncRAGCollection,
    FileChunker,
    Gradient,
    IngestionFailedError,
    IngestionTimeoutError,
    MeaningBasedChunker,
    NormalChunker,
    RAGCollection,
    RAGFileStatus,
    SentenceWithContextChunker,
    from_wire_dict,
)
from gradient_sdk.records import RAGCollectionInfo

from ._support import TOKEN, WORKSPACE_ID, call, sent_json

pytestmark = pytest.mark.anyio

COLLECTION_ID = "rag_0123456789abcdef"
CREATED = "2024-05-01T12:30:00Z"


def collection_json(*statuses: str, chunker: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": COLLECTION_ID,
        "name": "docs",
        "slug": "bge-large",
        "chunker": chunker or {"chunkerType": "normalChunker", "size": 512, "overlap": 0},
        "creationTime": CREATED,
        "latestUpdateTime": CREATED,
        "files": [
            {"id": f"file_{n}", "name": f"f{n}.txt", "status": status}
            for n, status in enumerate(statuses)
        ],
    }


def write_files(folder: Path, count: int) -> list[Path]:
    paths = []
    for number in range(count):
        path = folder / f"f{number}.txt"
        path.write_text(f"document number {number}\n")
        paths.append(path)
    return paths


class Uploads:
    """A mocked ``POST /files`` that numbers the files it receives."""

    def __init__(self, api: respx.MockRouter) -> None:
        self.received: list[httpx.Request] = []
        self.route = api.post("/files").mock(side_effect=self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        return httpx.Response(200, json={"id": f"file_{len(self.received) - 1}"})


def multipart_file(request: httpx.Request) -> tuple[str, str, bytes]:
    """The filename, content type and content of the one ``file`` part."""
    body = request.content
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    [part] = [p for p in body.split(b"--" + boundary) if b'name="file"' in p]
    head, _, content = part.partition(b"\r\n\r\n")
    filename = re.search(rb'filename="([^"]+)"', head)
    content_type = re.search(rb"Content-Type: ([^\r\n]+)", head)
    assert filename is not None
    assert content_type is not None
    return filename[1].decode(), content_type[1].decode(), content.removesuffix(b"\r\n")


async def test_create_uploads_each_file_then_creates_and_describes(client, api, tmp_path):
    paths = write_files(tmp_path, 2)
    (tmp_path / "notes.md").write_text("# notes\n")
    paths.append(tmp_path / "notes.md")
    uploads = Uploads(api)
    create = api.post("/rag-collections").respond(json={"id": COLLECTION_ID})
    describe = api.get(f"/rag-collections/{COLLECTION_ID}").respond(
        json=collection_json("pending", "pending", "pending")
    )

    collection = await call(
        client.create_rag_collection(
            name="docs",
            slug="bge-large",
            filepaths=paths,
            chunker=NormalChunker(size=512, overlap=0),
        )
    )

    assert [r.url.params["type"] for r in uploads.received] == ["ragUserFile"] * 3
    assert sorted(multipart_file(r) for r in uploads.received) == [
        ("f0.txt", "text/plain", b"document number 0\n"),
        ("f1.txt", "text/plain", b"document number 1\n"),
        ("notes.md", "text/markdown", b"# notes\n"),
    ]
    body = sent_json(create)
    # Uploads run concurrently: each name keeps the id its own upload was given.
    ids_by_name = {multipart_file(r)[0]: f"file_{n}" for n, r in enumerate(uploads.received)}
    assert body == {
        "name": "docs",
        "slug": "bge-large",
        "files": [
            {"id": ids_by_name[name], "name": name} for name in ("f0.txt", "f1.txt", "notes.md")
        ],
        "chunker": {"chunkerType": "normalChunker", "overlap": 0, "size": 512},
    }
    assert describe.called
    assert isinstance(collection, AsyncRAGCollection | RAGCollection)
    assert (collection.id_, collection.name) == (COLLECTION_ID, "docs")
    assert [f.status for f in collection.files] == [RAGFileStatus.PENDING] * 3
    assert collection.chunker == NormalChunker(size=512, overlap=0)
    for request in uploads.received:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["x-gradient-workspace-id"] == WORKSPACE_ID


async def test_create_without_files_or_chunker_sends_what_gradientai_sends(client, api):
    create = api.post("/rag-collections").respond(json={"id": COLLECTION_ID})
    api.get(f"/rag-collections/{COLLECTION_ID}").respond(json=collection_json())

    await call(client.create_rag_collection(name="n", slug="bge-large"))

    assert json.loads(create.calls.last.request.content) == {
        "name": "n",
        "slug": "bge-large",
        "files": [],
        "chunker": None,
    }


async def test_more_than_20_files_go_as_a_create_and_add_files_batches(client, api, tmp_path):
    paths = write_files(tmp_path, 45)
    Uploads(api)
    create = api.post("/rag-collections").respond(json={"id": COLLECTION_ID})
    add = api.post(f"/rag-collections/{COLLECTION_ID}/files").respond(json={})
    api.get(f"/rag-collections/{COLLECTION_ID}").respond(json=collection_json())

    await call(client.create_rag_collection(name="n", slug="bge-large", filepaths=paths))

    batches = [len(sent_json(create)["files"])] + [
        len(json.loads(c.request.content)["files"]) for c in add.calls
    ]
    assert batches == [20, 20, 5]
    sent_names = [f["name"] for f in sent_json(create)["files"]] + [
        f["name"] for c in add.calls for f in json.loads(c.request.content)["files"]
    ]
    assert sent_names == [f"f{n}.txt" for n in range(45)]


@pytest.mark.parametrize("kind", ["missing", "directory"])
async def test_a_bad_path_fails_before_any_request(client, api, tmp_path, kind):
    good = write_files(tmp_path, 1)[0]
    bad = tmp_path / "nope.txt" if kind == "missing" else tmp_path

    with pytest.raises(FileNotFoundError if kind == "missing" else IsADirectoryError):
        await call(client.create_rag_collection(name="n", slug="s", filepaths=[good, bad]))

    assert not api.calls


async def test_one_path_instead_of_a_list_is_refused(client, api, tmp_path):
    with pytest.raises(TypeError, match="list of paths"):
        await call(client.create_rag_collection(name="n", slug="s", filepaths=str(tmp_path)))


async def test_list_returns_handles_without_files(client, api):
    summary = {k: v for k, v in collection_json("succeeded").items() if k != "files"}
    api.get("/rag-collections").respond(json={"ragCollections": [summary]})

    [collection] = await call(client.list_rag_collections())

    assert collection.id == COLLECTION_ID
    assert collection.files == ()


@pytest.mark.parametrize(
    ("wire", "record"),
    [
        ({"chunkerType": "fileChunker"}, FileChunker()),
        (
            {"chunkerType": "normalChunker", "size": 64, "overlap": 8},
            NormalChunker(size=64, overlap=8),
        ),
        (
            {
                "chunkerType": "sentenceWithContextChunker",
                "size": 64,
                "overlap": 0,
                "contextSentences": 2,
            },
            SentenceWithContextChunker(size=64, overlap=0, context_sentences=2),
        ),
        (
            {
                "chunkerType": "meaningBasedChunker",
                "size": 64,
                "overlap": 0,
                "sentenceGroupLength": 3,
                "similiarityPercentThreshold": 80,
            },
            MeaningBasedChunker(
                size=64, overlap=0, sentence_group_length=3, similarity_percent_threshold=80
            ),
        ),
    ],
    ids=lambda value: value["chunkerType"] if isinstance(value, dict) else "",
)
async def test_every_chunker_is_read_from_its_tag(client, api, wire, record):
    api.get(f"/rag-collections/{COLLECTION_ID}").respond(json=collection_json(chunker=wire))

    collection = await call(client.get_rag_collection(id_=COLLECTION_ID))

    assert collection.chunker == record


@pytest.mark.parametrize(
    "chunker",
    [
        FileChunker(),
        SentenceWithContextChunker(size=64, context_sentences=2),
        MeaningBasedChunker(similiarity_percent_threshold=80, sentence_group_length=3),
    ],
    ids=lambda chunker: chunker.chunker_type,
)
async def test_every_chunker_is_sent_with_its_tag_and_wire_names(client, api, chunker):
    create = api.post("/rag-collections").respond(json={"id": COLLECTION_ID})
    api.get(f"/rag-collections/{COLLECTION_ID}").respond(json=collection_json())

    await call(client.create_rag_collection(name="n", slug="bge-large", chunker=chunker))

    sent = sent_json(create)["chunker"]
    assert sent["chunkerType"] == chunker.chunker_type
    if isinstance(chunker, MeaningBasedChunker):
        assert sent["similiarityPercentThreshold"] == 80
        assert sent["sentenceGroupLength"] == 3
        assert "similarityPercentThreshold" not in sent
    if isinstance(chunker, SentenceWithContextChunker):
        assert sent["contextSentences"] == 2


def test_the_meaning_based_chunker_takes_either_spelling_once():
    assert MeaningBasedChunker(similiarity_percent_threshold=40) == MeaningBasedChunker(
        similarity_percent_threshold=40
    )
    assert MeaningBasedChunker(similarity_percent_threshold=40).similiarity_percent_threshold == 40
    with pytest.raises(TypeError, match="not both"):
        MeaningBasedChunker(similarity_percent_threshold=1, similiarity_percent_threshold=2)
    with pytest.raises(ValueError, match="0, 100"):
        MeaningBasedChunker(similarity_percent_threshold=101)


def test_a_chunker_overlap_must_be_below_its_size():
    with pytest.raises(ValueError, match="smaller than size"):
        NormalChunker(size=10, overlap=10)


async def test_add_files_on_a_handle_uploads_adds_and_reads_again(client, api, tmp_path):
    api.get(f"/rag-collections/{COLLECTION_ID}").mock(
        side_effect=[
            httpx.Response(200, json=collection_json("succeeded")),
            httpx.Response(200, json=collection_json("succeeded", "pending")),
        ]
    )
    collection = await call(client.get_rag_collection(id_=COLLECTION_ID))
    Uploads(api)
    add = api.post(f"/rag-collections/{COLLECTION_ID}/files").respond(json={})

    await call(collection.add_files(filepaths=write_files(tmp_path, 1)))

    assert sent_json(add) == {"files": [{"id": "file_0", "name": "f0.txt"}]}
    assert [f.status for f in collection.files] == [RAGFileStatus.SUCCEEDED, RAGFileStatus.PENDING]


async def test_delete_on_a_handle(client, api):
    api.get(f"/rag-collections/{COLLECTION_ID}").respond(json=collection_json())
    delete = api.delete(f"/rag-collections/{COLLECTION_ID}").respond(json={})
    collection = await call(client.get_rag_collection(id_=COLLECTION_ID))

    await call(collection.delete())

    assert delete.called


async def test_wait_until_ready_polls_with_growing_pauses(client, api, sleeps):
    api.get(f"/rag-collections/{COLLECTION_ID}").mock(
        side_effect=[
            httpx.Response(200, json=collection_json("pending", "pending")),
            httpx.Response(200, json=collection_json("running", "pending")),
            httpx.Response(200, json=collection_json("succeeded", "running")),
            httpx.Response(200, json=collection_json("succeeded", "running")),
            httpx.Response(200, json=collection_json("succeeded", "succeeded")),
        ]
    )
    collection = await call(client.get_rag_collection(id_=COLLECTION_ID))

    ready = await call(collection.wait_until_ready(timeout=60))

    assert ready is collection
    assert [f.status for f in collection.files] == [RAGFileStatus.SUCCEEDED] * 2
    assert sleeps == [0.25, 0.5, 1.0]


async def test_wait_until_ready_names_the_files_that_failed(client, api):
    failed = collection_json("succeeded", "failed")
    failed["files"][1]["failureReason"] = "f1.txt looks binary"
    api.get(f"/rag-collections/{COLLECTION_ID}").respond(json=failed)
    collection = await call(client.get_rag_collection(id_=COLLECTION_ID))

    with pytest.raises(
        IngestionFailedError, match=re.escape("'f1.txt': f1.txt looks binary")
    ) as raised:
        await call(collection.wait_until_ready())

    assert [f.name for f in raised.value.failed] == ["f1.txt"]
    assert raised.value.collection_id == COLLECTION_ID
    assert collection.files[1].status is RAGFileStatus.FAILED


async def test_wait_until_ready_never_waits_past_its_timeout(client, api, sleeps):
    route = api.get(f"/rag-collections/{COLLECTION_ID}").respond(
        json=collection_json("succeeded", "running")
    )

    with pytest.raises(
        IngestionTimeoutError, match=re.escape("'f1.txt' still pending or running")
    ) as raised:
        await call(client.rag.wait_until_ready(collection_id=COLLECTION_ID, timeout=3))

    assert isinstance(raised.value, TimeoutError)
    assert sum(sleeps) == pytest.approx(3)
    assert sleeps == [0.25, 0.5, 1.0, 1.25]
    assert route.call_count == 5
    assert [f.name for f in raised.value.unfinished] == ["f1.txt"]


async def test_wait_until_ready_without_a_timeout_waits_until_the_end(client, api, sleeps):
    running = collection_json("succeeded", "running")
    route = api.get(f"/rag-collections/{COLLECTION_ID}").mock(
        side_effect=[httpx.Response(200, json=running)] * 8
        + [httpx.Response(200, json=collection_json("succeeded", "succeeded"))]
    )

    info = await call(client.rag.wait_until_ready(collection_id=COLLECTION_ID, timeout=None))

    assert [f.status for f in info.files] == [RAGFileStatus.SUCCEEDED] * 2
    assert route.call_count == 9
    assert sleeps == [0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]


@pytest.mark.parametrize("timeout", [0, -1, float("nan")])
async def test_wait_until_ready_needs_a_positive_timeout(client, api, timeout):
    with pytest.raises(ValueError, match="positive"):
        await call(client.rag.wait_until_ready(collection_id=COLLECTION_ID, timeout=timeout))
    assert not api.calls


def test_an_upload_is_streamed_from_disk_not_read_whole(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 600_000)  # 3 MB

    def refuse(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("the SDK read the whole file")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    chunk_sizes: list[int] = []

    class CountingTransport(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            for chunk in request.stream:  # type: ignore[union-attr]
                chunk_sizes.append(len(chunk))
            return httpx.Response(200, json={"id": "file_big"})

    with Gradient(
        access_token=TOKEN, workspace_id=WORKSPACE_ID, transport=CountingTransport()
    ) as client:
        answer = client.files.upload(filepath=big, file_type="ragUserFile")

    assert answer.id == "file_big"
    assert sum(chunk_sizes) > 3_000_000
    assert max(chunk_sizes) <= 1024 * 1024


def test_a_collection_record_reads_the_emulators_failure_reason():
    data = collection_json("failed")
    data["files"][0]["failureReason"] = "empty"

    assert from_wire_dict(data, RAGCollectionInfo).files[0].failure_reason == "empty"
