"""Records of the blocks: summarize, sentiment, personalize, extract, PDFs, transcription.

The results that gradientai returned as TypedDicts (summaries, sentiments, extracted entities,
PDF pages, transcripts) also answer their keys: ``result["summary"]``, with gradientai's
snake_case names (``page["text_blocks"]``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from ._keyed import KeyedRecord
from ._validators import enum_member, item_count, optional_bool, text

_MAX_EXAMPLES = 1000


class SummarizeLength(str, enum.Enum):
    """How long a summary should be."""

    SHORT = "short"
    MEDIUM = "medium"
    LONG = "long"


class Sentiment(str, enum.Enum):
    """The sentiment of a document."""

    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class ExtractSchemaValueType(str, enum.Enum):
    """The type of one value ``extract`` pulls out of a document."""

    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"


def _length(value: SummarizeLength | str | None) -> SummarizeLength | None:
    return None if value is None else enum_member(SummarizeLength, value)


def _sentiment(value: Sentiment | str) -> Sentiment:
    return enum_member(Sentiment, value)


def _value_type(value: ExtractSchemaValueType | str) -> ExtractSchemaValueType:
    return enum_member(ExtractSchemaValueType, value)


@attrs.frozen
class SummarizeExample:
    """A document and the summary wanted of it: a few-shot example."""

    document: str = attrs.field(validator=text)
    summary: str = attrs.field(validator=text)


def _summarize_examples(
    values: Iterable[SummarizeExample] | None,
) -> tuple[SummarizeExample, ...] | None:
    return None if values is None else tuple(values)


@attrs.frozen
class SummarizeRequest:
    """Body of ``POST /blocks/summarize``."""

    document: str = attrs.field(validator=text)
    examples: tuple[SummarizeExample, ...] | None = attrs.field(
        default=None,
        converter=_summarize_examples,
        validator=item_count(0, _MAX_EXAMPLES, what="examples"),
    )
    length: SummarizeLength | None = attrs.field(default=None, converter=_length)


@attrs.frozen
class SummarizeResponse(KeyedRecord):
    """Body of a successful ``POST /blocks/summarize``."""

    summary: str


@attrs.frozen
class SentimentExample:
    """A document and its sentiment: a few-shot example."""

    document: str = attrs.field(validator=text)
    sentiment: Sentiment = attrs.field(converter=_sentiment)


def _sentiment_examples(
    values: Iterable[SentimentExample] | None,
) -> tuple[SentimentExample, ...] | None:
    return None if values is None else tuple(values)


@attrs.frozen
class AnalyzeSentimentRequest:
    """Body of ``POST /blocks/analyze-sentiment``."""

    document: str = attrs.field(validator=text)
    examples: tuple[SentimentExample, ...] | None = attrs.field(
        default=None,
        converter=_sentiment_examples,
        validator=item_count(0, _MAX_EXAMPLES, what="examples"),
    )


@attrs.frozen
class AnalyzeSentimentResponse(KeyedRecord):
    """Body of a successful ``POST /blocks/analyze-sentiment``."""

    sentiment: Sentiment


@attrs.frozen
class PersonalizeRequest:
    """Body of ``POST /blocks/personalize``."""

    audience_description: str = attrs.field(validator=text)
    document: str = attrs.field(validator=text)


@attrs.frozen
class PersonalizeResponse(KeyedRecord):
    """Body of a successful ``POST /blocks/personalize``."""

    personalized_document: str


@attrs.frozen
class ExtractSchemaValue:
    """One value to extract: its type, and whether the answer must have it."""

    type: ExtractSchemaValueType = attrs.field(converter=_value_type)
    required: bool | None = attrs.field(default=None, validator=optional_bool)


def _schema(values: Mapping[str, ExtractSchemaValue]) -> dict[str, ExtractSchemaValue]:
    return dict(values)


def _check_schema(
    instance: object, attribute: attrs.Attribute[Any], value: dict[str, ExtractSchemaValue]
) -> None:
    if not value:
        raise ValueError("schema must name at least one value to extract")
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"schema keys must be non-empty strings, got {key!r}")
        if not isinstance(item, ExtractSchemaValue):
            raise TypeError(f"schema[{key!r}] must be an ExtractSchemaValue, got {item!r}")


@attrs.frozen
class ExtractRequest:
    """Body of ``POST /blocks/extract``."""

    document: str = attrs.field(validator=text)
    schema: dict[str, ExtractSchemaValue] = attrs.field(converter=_schema, validator=_check_schema)


#: A value ``extract`` found: JSON's string, number or boolean.
ExtractedValue = str | float | bool


@attrs.frozen
class ExtractResponse(KeyedRecord):
    """Body of a successful ``POST /blocks/extract``."""

    entity: dict[str, ExtractedValue]


class PdfTextBlockKind(str, enum.Enum):
    """What a block of text on a PDF page is."""

    FOOTER = "footer"
    HEADER = "header"
    SECTION_TITLE = "section_title"
    TEXT = "text"
    TITLE = "title"


@attrs.frozen
class PdfTextBlock(KeyedRecord):
    """A block of text on a page, with what kind of block it is."""

    kind: PdfTextBlockKind
    texts: tuple[str, ...]


@attrs.frozen
class PdfTableCell(KeyedRecord):
    """One cell of a table."""

    cell_value: str
    col_span: int | None = None
    row_span: int | None = None


@attrs.frozen
class PdfTableRow(KeyedRecord):
    """One row of a table: a header row or a data row."""

    cells: tuple[PdfTableCell, ...]
    type: Literal["table_data_row", "table_header"]


@attrs.frozen
class PdfTable(KeyedRecord):
    """A table found on a page."""

    name: str
    table_rows: tuple[PdfTableRow, ...]


@attrs.frozen
class PdfImage(KeyedRecord):
    """An image found on a page, as base64-encoded PNG."""

    data: str
    format: Literal["base64-png"] = "base64-png"


@attrs.frozen
class PdfPage(KeyedRecord):
    """What ``extract-pdf`` read off one page."""

    page_number: int
    text: str
    text_blocks: tuple[PdfTextBlock, ...]
    tables: tuple[PdfTable, ...]
    images: tuple[PdfImage, ...]


@attrs.frozen
class ExtractPdfResponse(KeyedRecord):
    """Body of a successful ``POST /blocks/extract-pdf``."""

    pages: tuple[PdfPage, ...]
    text: str
    title: str | None


@attrs.frozen
class CreateTranscriptionRequest:
    """Body of ``POST /blocks/transcription``."""

    file_id: str = attrs.field(validator=text)


@attrs.frozen
class CreateTranscriptionResponse:
    """Body of a successful ``POST /blocks/transcription``."""

    transcription_id: str


class TranscriptionStatus(str, enum.Enum):
    """Where a transcription job is."""

    PENDING = "pending"
    PENDING_CANCELLATION = "pendingCancellation"
    RUNNING = "running"
    CANCELLED = "cancelled"
    FAILED = "failed"
    SUCCEEDED = "succeeded"


@attrs.frozen
class TranscriptionResult(KeyedRecord):
    """The text of a finished transcription."""

    text: str


@attrs.frozen
class GetTranscriptionResponse:
    """Body of ``GET /blocks/transcription``: the status, and the result once it succeeded.

    ``failure_reason`` says why a ``failed`` transcription failed; the emulator sends it (the
    hosted service did not, as far as anyone knows).
    """

    status: TranscriptionStatus
    result: TranscriptionResult | None
    failure_reason: str | None = None
