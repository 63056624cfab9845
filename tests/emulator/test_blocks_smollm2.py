"""The blocks with the real SmolLM2-135M: answers that make sense, not only answers of the
right form. Slow: the model loads once for the module, and each block runs a few seconds."""

from __future__ import annotations

import pytest

from gradient_sdk import Sentiment
from gradient_sdk.emulator import Emulator, serve
from gradient_sdk.emulator.engines import TextEngine, load_text_engine

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

POSITIVE_REVIEW = (
    "I absolutely loved this movie! The acting was brilliant, the story moving, and I would "
    "happily watch it again."
)
ARTICLE = (
    "The city council voted on Tuesday to build a new public library in the town centre. "
    "The library will have a children's reading room, a cafe and a makerspace with 3D "
    "printers. Construction starts next spring and should take two years. The council said "
    "the project costs 12 million dollars, paid for by a state grant."
)


@pytest.fixture(scope="module")
def smollm2() -> TextEngine:
    return load_text_engine("smollm2")


def emulator(engine: TextEngine) -> Emulator:
    return Emulator(model=engine, embeddings_model="hashing")


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # the model is too slow to run twice
async def test_an_obviously_positive_review_is_positive(
    anyio_backend: str, smollm2: TextEngine
) -> None:
    async with serve(emulator(smollm2)) as client:
        result = await client.analyze_sentiment(document=POSITIVE_REVIEW)

    assert result.sentiment is Sentiment.POSITIVE


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_extract_pulls_a_name_and_a_number_from_a_sentence(
    anyio_backend: str, smollm2: TextEngine
) -> None:
    async with serve(emulator(smollm2)) as client:
        result = await client.extract(
            document="John Smith is 42 years old and lives in Boston.",
            schema_={
                "name": {"type": "string", "required": True},
                "age": {"type": "number", "required": True},
            },
        )

    assert result.entity["name"] == "John Smith"
    assert result.entity["age"] == 42


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_summary_is_shorter_than_the_article_and_about_it(
    anyio_backend: str, smollm2: TextEngine
) -> None:
    async with serve(emulator(smollm2)) as client:
        result = await client.summarize(document=ARTICLE, length="short")

    assert 0 < len(result.summary) < len(ARTICLE)
    assert "library" in result.summary.lower()


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_personalize_rewrites_for_the_audience(
    anyio_backend: str, smollm2: TextEngine
) -> None:
    async with serve(emulator(smollm2)) as client:
        result = await client.personalize(
            document=ARTICLE, audience_description="children aged eight"
        )

    assert result.personalized_document.strip()
    assert result.personalized_document != ARTICLE
    assert "library" in result.personalized_document.lower()


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_guidance_picks_the_sensible_choice(anyio_backend: str, smollm2: TextEngine) -> None:
    async with serve(emulator(smollm2)) as client:
        [base] = await client.list_models(only_base=True)
        answer = await base.complete(
            query="What colour is the sky on a clear day?",
            auto_template=True,
            guidance={"type": "choice", "value": ["green", "blue", "purple"]},
        )

    assert answer.generated_output == "blue"
