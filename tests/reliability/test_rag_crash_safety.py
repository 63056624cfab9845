"""SIGKILL the emulator in the middle of a RAG ingestion: after a restart the file is ingested
again, once, and never left ``running``.

The emulator runs as ``python -m gradient_sdk.emulator`` (tiny model, hashing embeddings) on a
free loopback port; the sync client talks to it over HTTP. The collection holds one large
text (about 330,000 words, cut into 32-word chunks: seconds of hashing) and one small one.
The test waits until the large file is ``running``, kills the process, and checks the data
dir as the crash left it (the file still ``running``, none of its chunks kept), then
restarts on the same data dir and waits for the collection.
"""

from __future__ import annotations

import math
import random
import sqlite3
import time
from pathlib import Path

import numpy as np

from gradient_sdk import Gradient, NormalChunker, RAGFileStatus

from .conftest import Backoff
from .emulator_support import TOKEN, WORKSPACE_ID, EmulatorProcess

WORDS = 330_000
CHUNK_WORDS = 32


def client_of(emulator: EmulatorProcess) -> Gradient:
    return Gradient(
        access_token=TOKEN,
        workspace_id=WORKSPACE_ID,
        host=emulator.api_url,
        max_retries=0,
        timeout=120.0,
    )


def big_text(path: Path) -> int:
    vocabulary = [f"word{n}" for n in range(5000)]
    chooser = random.Random(7)
    path.write_text(" ".join(chooser.choice(vocabulary) for _ in range(WORDS)))
    return WORDS


def status_in_db(data_dir: Path, name: str) -> tuple[str, int]:
    with sqlite3.connect(data_dir / "registry.sqlite3") as db:
        [status, file_id] = db.execute(
            "SELECT status, file_id FROM rag_files WHERE name = ?", (name,)
        ).fetchone()
        [chunks] = db.execute(
            "SELECT COUNT(*) FROM rag_chunks WHERE file_id = ?", (file_id,)
        ).fetchone()
    return str(status), int(chunks)


def test_an_ingestion_killed_midway_is_done_again_once_after_a_restart(
    tmp_path: Path, backoff: Backoff
) -> None:
    backoff.cap = 10.0  # the wait for ingestion sleeps for real: the server works meanwhile
    data_dir = tmp_path / "data"
    words = big_text(tmp_path / "big.txt")
    (tmp_path / "small.txt").write_text("A small note about tea.")

    with EmulatorProcess(data_dir) as first:
        first.wait_until_ready()
        with client_of(first) as client:
            collection = client.create_rag_collection(
                name="crash",
                slug="bge-large",
                filepaths=[tmp_path / "big.txt", tmp_path / "small.txt"],
                chunker=NormalChunker(size=CHUNK_WORDS, overlap=0),
            )
            deadline = time.monotonic() + 60
            while collection.refresh().files[0].status is not RAGFileStatus.RUNNING:
                assert time.monotonic() < deadline, "the large file never started"
                time.sleep(0.05)
        first.kill()

    assert status_in_db(data_dir, "big.txt") == ("running", 0)

    with EmulatorProcess(data_dir) as second:
        second.wait_until_ready()
        with client_of(second) as client:
            ready = client.get_rag_collection(id_=collection.id).wait_until_ready(timeout=120)
        log = second.output()

    assert [f.status for f in ready.files] == [RAGFileStatus.SUCCEEDED] * 2
    expected = math.ceil(words / CHUNK_WORDS)
    assert status_in_db(data_dir, "big.txt") == ("succeeded", expected)
    big_id = ready.files[0].id
    vectors = np.load(data_dir / "vectors" / collection.id / f"{big_id}.npy")
    assert vectors.shape[0] == expected
    assert not list((data_dir / "vectors").rglob(".tmp-*"))
    assert "ingesting again 1 file(s) interrupted by the last shutdown" in log
