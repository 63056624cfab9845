"""The blocks: summarize, analyze sentiment, personalize and extract on the base model, and
reading PDFs (:mod:`.pdf`).

Each block prompts the model (:mod:`.block_prompts`) and decodes greedily, so the same
request gets the same answer. Where the answer has a form, constrained decoding guarantees
it whatever the model says: a sentiment is always one of the three values, an extracted
entity always a JSON object with the schema's keys and value types (every required key
there). A document too long for the model's context window is a 422.
"""

from __future__ import annotations

import json
import re
from functools import partial
from typing import Any, cast

from ...records import (
    AnalyzeSentimentRequest,
    AnalyzeSentimentResponse,
    ExtractedValue,
    ExtractPdfResponse,
    ExtractRequest,
    ExtractResponse,
    ExtractSchemaValue,
    PersonalizeRequest,
    PersonalizeResponse,
    Sentiment,
    SummarizeRequest,
    SummarizeResponse,
)
from ..engines.base import (
    ChoiceConstraint,
    ConstraintError,
    JsonField,
    JsonObjectConstraint,
    OutputConstraint,
    PromptTooLongError,
    StopSignal,
    TextEngine,
)
from ..errors import ApiError
from .block_prompts import (
    BlockPrompt,
    extract_prompt,
    personalize_prompt,
    sentiment_prompt,
    summarize_prompt,
)
from .files import Upload
from .pdf import read_pdf
from .workers import Workers

#: The most keys one ``extract`` schema may name; more get 422.
MAX_EXTRACT_FIELDS = 32
SENTIMENTS = ChoiceConstraint(tuple(sentiment.value for sentiment in Sentiment))
_FIRST_SENTENCE = re.compile(r"\S.*?(?:[.!?](?=\s|$)|$)", re.DOTALL)


class BlocksService:
    """The blocks but ``answer`` and transcription."""

    def __init__(self, *, engine: TextEngine, workers: Workers) -> None:
        self._engine = engine
        self._workers = workers

    async def summarize(self, request: SummarizeRequest) -> SummarizeResponse:
        """A summary at the length asked, in the style of the examples."""
        _check_text(request.document, "document")
        prompt = summarize_prompt(request.document, request.examples or (), request.length)
        summary = (await self._complete(prompt)).strip()
        # The API promises a non-empty summary; a model that says nothing gets the lead.
        return SummarizeResponse(summary=summary or _first_sentence(request.document))

    async def analyze_sentiment(self, request: AnalyzeSentimentRequest) -> AnalyzeSentimentResponse:
        """The document's sentiment: always one of the three values."""
        _check_text(request.document, "document")
        prompt = sentiment_prompt(request.document, request.examples or ())
        return AnalyzeSentimentResponse(
            sentiment=Sentiment(await self._complete(prompt, SENTIMENTS))
        )

    async def personalize(self, request: PersonalizeRequest) -> PersonalizeResponse:
        """The document rewritten for the audience."""
        _check_text(request.document, "document")
        _check_text(request.audience_description, "audienceDescription")
        tokens = await self._workers.storage(self._engine.count_tokens, request.document)
        prompt = personalize_prompt(
            request.document, request.audience_description, document_tokens=tokens
        )
        rewritten = (await self._complete(prompt)).strip()
        return PersonalizeResponse(personalized_document=rewritten or request.document.strip())

    async def extract(self, request: ExtractRequest) -> ExtractResponse:
        """The schema's values, read from the document: a JSON object that always fits it."""
        _check_text(request.document, "document")
        if len(request.schema) > MAX_EXTRACT_FIELDS:
            raise ApiError(
                422,
                f"the emulator extracts at most {MAX_EXTRACT_FIELDS} values at once, the "
                f"schema names {len(request.schema)}",
            )
        constraint = schema_constraint(request.schema)
        text = await self._complete(extract_prompt(request.document, request.schema), constraint)
        return ExtractResponse(entity=entity_of(text, constraint))

    async def extract_pdf(self, upload: Upload) -> ExtractPdfResponse:
        """The text, text blocks, tables and images of an uploaded PDF."""
        return await self._workers.storage(
            partial(read_pdf, upload.file, name=repr(upload.filename))
        )

    async def _complete(
        self, prompt: BlockPrompt, constraint: OutputConstraint | None = None
    ) -> str:
        try:
            completion = await self._workers.stoppable_model(partial(self._run, prompt, constraint))
        except PromptTooLongError as error:
            raise ApiError(
                422, f"the document is too long for the model's context window: {error}"
            ) from error
        except ConstraintError as error:
            raise ApiError(422, str(error)) from error
        return completion

    def _run(
        self, prompt: BlockPrompt, constraint: OutputConstraint | None, *, stop: StopSignal
    ) -> str:
        return self._engine.complete(
            prompt.text,
            None,
            max_new_tokens=prompt.max_new_tokens,
            temperature=None,
            top_k=None,
            top_p=None,
            apply_chat_template=prompt.chat_template,
            constraint=constraint,
            stop=stop,
        ).text


def schema_constraint(schema: dict[str, ExtractSchemaValue]) -> JsonObjectConstraint:
    """The JSON object an ``extract`` schema asks for."""
    return JsonObjectConstraint(
        tuple(
            JsonField(name=key, type=value.type.value, required=bool(value.required))
            for key, value in schema.items()
        )
    )


def entity_of(text: str, constraint: JsonObjectConstraint) -> dict[str, ExtractedValue]:
    """The object a constrained completion spelled, checked against the constraint (a
    mismatch is a bug of the decoder, never the caller's fault)."""
    parsed: Any = json.loads(text)
    if not isinstance(parsed, dict):
        raise RuntimeError(f"constrained decoding gave {text!r}, not a JSON object")
    entity = cast("dict[str, ExtractedValue]", parsed)
    expected = {field.name: field for field in constraint.fields}
    for key, value in entity.items():
        field = expected.get(key)
        if field is None or not _is_of_type(value, field.type):
            raise RuntimeError(f"constrained decoding gave {text!r}, which does not fit")
    missing = [
        field.name for field in constraint.fields if field.required and field.name not in entity
    ]
    if missing:
        raise RuntimeError(f"constrained decoding gave {text!r}, without {missing}")
    return entity


def _is_of_type(value: object, json_type: str) -> bool:
    if json_type == "boolean":
        return isinstance(value, bool)
    if json_type == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str)


def _check_text(value: str, name: str) -> None:
    if not value.strip():
        raise ApiError(400, f"{name} holds only white space")


def _first_sentence(document: str) -> str:
    found = _FIRST_SENTENCE.search(document)
    return (found[0] if found else document).strip()[:500]
