"""RAG collections in the emulator: ingestion throughput and retrieval latency.

Run it with ``nox -s bench -- rag`` or ``python benchmarks/rag.py [--embeddings minilm|hashing]
[--large-chunks N] [--queries N]``. Two measurements:

- **ingestion**: a collection of text files cut into 1,000 chunks, through the SDK into an
  in-process emulator, from the create call until every file has succeeded: chunks per
  second, embeddings included (MiniLM by default: the real engine);
- **retrieval**: the latency of one search at 1,000 and at 100,000 chunks, over the
  emulator's own vector store (exact cosine over memory-mapped arrays): the median and p99
  of ``--queries`` searches for random unit vectors. The large store is filled with random
  unit vectors (filling it through the embedder would only measure the embedder).

Results go to ``benchmarks/results/rag.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from gradient_sdk import NormalChunker
from gradient_sdk.emulator import EmulatorSettings, serve
from gradient_sdk.emulator.storage.vectors import VectorStore

RESULTS = Path(__file__).resolve().parent / "results" / "rag.json"
CHUNK_WORDS = 64
FILES = 20
DIMENSIONS = 384
#: Chunks per file in the large store: 100 files of 1,000 chunks.
CHUNKS_PER_FILE = 1000
#: Common English words, so chunks cost the embedder what prose costs it.
COMMON_WORDS = (
    "the of and to in is was for on that with as by at from his her they this which had "
    "have are not be or one all were we when there can an their more if no out so said what "
    "up its about into than them only other new some time could these two may first then do "
    "any like my now over such our man me even most made after also did many before must "
    "through back years where much your way well down should because each just those people "
    "how too little state good very make world still own see men work long get here between "
    "both life being under never day same another know while last might us great old year "
    "off come since against go came right used take three river city house water ship light"
)
VOCABULARY = COMMON_WORDS.split()


def write_corpus(folder: Path, chunks: int) -> list[Path]:
    """``FILES`` text files that a 64-word chunker cuts into ``chunks`` chunks in all."""
    chooser = random.Random(11)
    per_file = chunks // FILES
    paths = []
    for number in range(FILES):
        words = [chooser.choice(VOCABULARY) for _ in range(per_file * CHUNK_WORDS)]
        path = folder / f"doc{number:02d}.txt"
        path.write_text(" ".join(words))
        paths.append(path)
    return paths


async def ingestion(embeddings: str, chunks: int) -> dict[str, Any]:
    """Seconds from create to ready, and chunks per second."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = write_corpus(root, chunks)
        settings = EmulatorSettings(
            model="tiny", embeddings_model=embeddings, data_dir=root / "data"
        )
        async with serve(settings, timeout=600) as client:
            started = time.perf_counter()
            collection = await client.create_rag_collection(
                name="bench",
                slug="bge-large",
                filepaths=paths,
                chunker=NormalChunker(size=CHUNK_WORDS, overlap=0),
            )
            await collection.wait_until_ready(timeout=3600)
            seconds = time.perf_counter() - started
    return {"chunks": chunks, "seconds": seconds, "chunks_per_second": chunks / seconds}


def unit_rows(rng: np.random.Generator, count: int) -> np.ndarray:
    rows = rng.standard_normal((count, DIMENSIONS)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def retrieval(chunks: int, queries: int) -> dict[str, Any]:
    """Milliseconds per search over ``chunks`` stored vectors (top 3)."""
    rng = np.random.default_rng(5)
    with tempfile.TemporaryDirectory() as folder:
        store = VectorStore(Path(folder))
        files = max(1, chunks // CHUNKS_PER_FILE)
        file_ids = [f"file_{n:04d}" for n in range(files)]
        for file_id in file_ids:
            store.write("bench", file_id, unit_rows(rng, chunks // files))
        store.search("bench", file_ids, unit_rows(rng, 1)[0], 3)  # warm the page cache
        times = []
        for query in unit_rows(rng, queries):
            started = time.perf_counter()
            store.search("bench", file_ids, query, 3)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "chunks": chunks,
        "files": files,
        "median_ms": statistics.median(times),
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embeddings", default="minilm", choices=["minilm", "hashing"])
    parser.add_argument("--ingest-chunks", type=int, default=1000)
    parser.add_argument("--large-chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    arguments = parser.parse_args()

    ingested = asyncio.run(ingestion(arguments.embeddings, arguments.ingest_chunks))
    small = retrieval(1000, arguments.queries)
    large = retrieval(arguments.large_chunks, arguments.queries)
    print(
        f"ingestion ({arguments.embeddings}): {ingested['chunks']} chunks in "
        f"{ingested['seconds']:.1f} s = {ingested['chunks_per_second']:.0f} chunks/s"
    )
    for result in (small, large):
        print(
            f"retrieval over {result['chunks']:>7} chunks: median {result['median_ms']:.2f} ms,"
            f" p99 {result['p99_ms']:.2f} ms"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "machine": {"python": platform.python_version(), "cpu": platform.machine()},
                "embeddings": arguments.embeddings,
                "ingestion": ingested,
                "retrieval": [small, large],
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
