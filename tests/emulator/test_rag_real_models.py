"""RAG with the real models: MiniLM finds the right file, SmolLM2 answers from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradient_sdk.emulator import EmulatorSettings, serve

from .test_rag import QUESTIONS, write_library

pytestmark = [pytest.mark.slow, pytest.mark.anyio]


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # the models are too slow to run twice
async def test_minilm_retrieves_and_smollm2_answers(anyio_backend: str, tmp_path: Path) -> None:
    async with serve(EmulatorSettings(), timeout=600) as client:  # SmolLM2 and MiniLM
        collection = await client.create_rag_collection(
            name="library", slug="bge-large", filepaths=write_library(tmp_path)
        )
        await collection.wait_until_ready(timeout=300)
        source = {"type": "rag", "collection_id": collection.id}
        firsts = {}
        for question in QUESTIONS:
            answered = await client.answer(question=question, source=source)
            assert answered.rag_context is not None
            firsts[question] = answered.rag_context.documents[0].file_name
        moon = await client.answer(
            question="In which year did astronauts first walk on the Moon?", source=source
        )

    assert firsts == QUESTIONS
    assert "1969" in moon.answer
