"""The text blocks and choice guidance through the SDK: summarize, analyze sentiment,
personalize and extract on the tiny random model (whose noise constrained decoding still
turns into valid answers) and on the fake engine (which shows what the model was asked),
and every 4xx they answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gradient_sdk import (
    AsyncGradient,
    BadRequestError,
    Sentiment,
    SummarizeParamsLength,
    UnprocessableEntityError,
)
from gradient_sdk.emulator.services.block_prompts import (
    DEFAULT_SENTIMENT_EXAMPLES,
    SUMMARY_TOKENS,
    sentiment_prompt,
    summarize_prompt,
)
from gradient_sdk.records import SentimentExample, SummarizeExample

from .conftest import Harness

pytestmark = pytest.mark.anyio

REVIEW = "The hotel was spotless, the staff were lovely and breakfast was superb."
SCHEMA: dict[str, Any] = {
    "name": {"type": "string", "required": True},
    "age": {"type": "number", "required": True},
    "member": {"type": "boolean"},
}


# On the tiny random model: the answers have the right form whatever the model says


async def test_sentiment_is_always_one_of_the_three(tiny: Harness) -> None:
    client = tiny.client()

    results = [
        await client.analyze_sentiment(document=document)
        for document in (REVIEW, "Awful.", "It is Tuesday.")
    ]

    assert all(isinstance(result.sentiment, Sentiment) for result in results)


async def test_extract_always_fits_the_schema(tiny: Harness) -> None:
    client = tiny.client()

    result = await client.extract(document="Ada Lovelace, 36, is a member.", schema_=SCHEMA)

    entity = result["entity"]
    assert {"name", "age"} <= set(entity) <= set(SCHEMA)
    assert isinstance(entity["name"], str)
    assert isinstance(entity["age"], int | float)
    assert not isinstance(entity["age"], bool)
    assert isinstance(entity.get("member", False), bool)


async def test_summaries_and_rewrites_are_never_empty(tiny: Harness) -> None:
    client = tiny.client()

    summary = await client.summarize(document="Cats sleep a lot. They also purr.", length="short")
    rewritten = await client.personalize(document="Taxes are due.", audience_description="kids")

    assert summary.summary.strip()
    assert rewritten.personalized_document.strip()


@pytest.mark.parametrize("target", ["base", "adapter"])
async def test_guidance_makes_the_completion_one_of_the_choices(tiny: Harness, target: str) -> None:
    client = tiny.client()
    [base] = await client.list_models(only_base=True)
    model = base if target == "base" else await base.create_model_adapter(name="guided")
    choices = ["yes", "no", "it depends on the weather"]

    answers = [
        await model.complete(
            query=f"Question {n}?",
            guidance={"type": "choice", "value": choices},
            max_generated_token_count=2,
            temperature=1.0,
        )
        for n in range(4)
    ]

    assert all(answer.generated_output in choices for answer in answers)


async def test_a_document_longer_than_the_context_window_is_422(tiny: Harness) -> None:
    client = tiny.client()

    with pytest.raises(UnprocessableEntityError, match="too long for the model's context"):
        await client.summarize(document="word " * 400)  # the tiny model holds 512 tokens


# On the fake engine: what the model is asked


@pytest.mark.parametrize(
    ("length", "tokens"),
    [
        (None, SUMMARY_TOKENS[SummarizeParamsLength.MEDIUM]),
        ("short", SUMMARY_TOKENS[SummarizeParamsLength.SHORT]),
        (SummarizeParamsLength.LONG, SUMMARY_TOKENS[SummarizeParamsLength.LONG]),
    ],
)
async def test_the_length_sets_the_summarys_token_budget(
    client: AsyncGradient, length: Any, tokens: int
) -> None:
    result = await client.summarize(document="A document.", length=length)

    assert result.summary == f"base template=True max={tokens}"


async def test_sentiment_asks_the_engine_for_one_of_the_three(client: AsyncGradient) -> None:
    result = await client.analyze_sentiment(document="Fine.")

    # The fake answers a constraint with its first choice, and anything else with a
    # description that is no sentiment at all.
    assert result.sentiment is Sentiment.NEGATIVE


def test_sentiment_is_a_few_shot_completion_without_the_chat_template() -> None:
    prompt = sentiment_prompt("Fine.", [])

    assert not prompt.chat_template


def test_examples_go_into_the_prompt_in_place_of_the_built_in_ones() -> None:
    mine = [SentimentExample(document="Meh, it broke.", sentiment="negative")]

    with_mine = sentiment_prompt("A text.", mine).text
    without = sentiment_prompt("A text.", []).text

    assert "Text: Meh, it broke.\nSentiment: negative" in with_mine
    assert DEFAULT_SENTIMENT_EXAMPLES[0].document not in with_mine
    assert all(example.document in without for example in DEFAULT_SENTIMENT_EXAMPLES)
    assert without.endswith("Text: A text.\nSentiment:")


def test_summarize_examples_go_into_the_prompt() -> None:
    example = SummarizeExample(document="Long text about rain.", summary="Rain.")

    prompt = summarize_prompt("The document.", [example], None)

    assert "Document: Long text about rain.\nSummary: Rain." in prompt.text
    assert prompt.text.endswith("Document: The document.")
    assert prompt.chat_template


# The 4xx of the blocks


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/blocks/summarize", {"document": ""}, 400, "document"),
        ("/blocks/summarize", {"document": "  \n "}, 400, "only white space"),
        ("/blocks/summarize", {"document": "d", "length": "huge"}, 400, "huge"),
        (
            "/blocks/analyze-sentiment",
            {"document": "d", "examples": [{"document": "x"}]},
            400,
            "sentiment",
        ),
        (
            "/blocks/analyze-sentiment",
            {"document": "d", "examples": [{"document": "x", "sentiment": "angry"}]},
            400,
            "angry",
        ),
        (
            "/blocks/personalize",
            {"document": "d", "audienceDescription": " "},
            400,
            "audienceDescription",
        ),
        ("/blocks/extract", {"document": "d", "schema": {"a": {"type": "date"}}}, 400, "date"),
        ("/blocks/extract", {"document": "d", "schema": {}}, 400, "at least one"),
        ("/blocks/extract", {"document": "", "schema": {"a": {"type": "string"}}}, 400, "document"),
        (
            "/blocks/extract",
            {"document": "d", "schema": {f"k{n}": {"type": "string"} for n in range(33)}},
            422,
            "at most 32",
        ),
    ],
    ids=[
        "empty-document",
        "blank-document",
        "unknown-length",
        "example-without-sentiment",
        "unknown-sentiment",
        "blank-audience",
        "unknown-schema-type",
        "empty-schema",
        "extract-empty-document",
        "too-many-fields",
    ],
)
async def test_bad_block_requests_get_a_4xx_with_a_message(
    raw: httpx.AsyncClient, path: str, body: dict[str, Any], status: int, message: str
) -> None:
    response = await raw.post(path, json=body)

    assert response.status_code == status
    answer = response.json()
    assert message in answer["message"]
    assert set(answer) == {"message"}  # the blocks' error schema: a message only


@pytest.mark.parametrize(
    "guidance",
    [
        {"type": "choice", "value": [str(n) for n in range(11)]},
        {"type": "choice", "value": ["x" * 33]},
        {"type": "choice", "value": []},
        {"type": "regex", "value": ["a"]},
    ],
    ids=["eleven-values", "33-characters", "no-values", "not-choice"],
)
async def test_bad_guidance_is_a_typed_400(
    emulator: Harness, raw: httpx.AsyncClient, guidance: dict[str, Any]
) -> None:
    [base] = await emulator.client().list_models(only_base=True)

    response = await raw.post(
        f"/models/{base.id}/complete", json={"query": "Hi", "guidance": guidance}
    )

    assert response.status_code == 400
    assert response.json()["type"] == "bodyParsingError"


async def test_the_sdk_raises_bad_request_for_a_blank_document(client: AsyncGradient) -> None:
    with pytest.raises(BadRequestError, match="only white space"):
        await client.analyze_sentiment(document="   ")
