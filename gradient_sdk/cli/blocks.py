"""The blocks: ``answer``, ``summarize``, ``sentiment``, ``personalize``, ``extract``,
``extract-pdf`` and ``transcribe``.

A document is the DOCUMENT argument (``-`` reads stdin) or ``--file``; example files are
JSONL, checked whole before any request, as ``fine-tune`` checks its samples.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Generator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

import click
from rich.console import Group, RenderableType
from rich.text import Text

from .. import (
    DocumentSource,
    ExtractSchemaValue,
    RAGSource,
    SentimentExample,
    SummarizeExample,
    SummarizeLength,
)
from .exits import BadInput
from .output import emit, fields, json_option, stderr, table, to_json
from .samples import LinesFileError, read_lines
from .session import Session, pass_session

R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])

LENGTHS = ("short", "medium", "long")
FIELD_TYPES = ("string", "number", "boolean")
#: How much of each passage ``answer --rag`` shows; ``--json`` gives them whole.
PASSAGE_PREVIEW = 80
#: How long ``transcribe`` waits for the text by default, in seconds (the SDK's default).
DEFAULT_TRANSCRIBE_WAIT = 600.0

_readable = click.Path(exists=True, dir_okay=False, path_type=Path)


def _document_input(command: F) -> F:
    """The DOCUMENT argument and ``--file``: the two ways to give a command its text."""
    command = click.option(
        "--file",
        "document_file",
        type=_readable,
        help="Read the document from this UTF-8 file instead.",
    )(command)
    return click.argument("document", required=False)(command)


def _stdin() -> str:
    # As `complete` reads its query: the whole of stdin, less one trailing newline.
    return sys.stdin.read().removesuffix("\n")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise BadInput(f"{path}: not UTF-8 text (byte {error.start})") from error


def _document(document: str | None, document_file: Path | None) -> str:
    """The text the command works on, from exactly one of DOCUMENT and ``--file``."""
    if document is not None and document_file is not None:
        raise click.UsageError("give DOCUMENT or --file, not both")
    if document_file is not None:
        return _read_text(document_file)
    if document is None:
        raise click.UsageError("no document: give DOCUMENT (- reads stdin) or --file")
    return _stdin() if document == "-" else document


def _read_examples(path: Path, label: str, make: Callable[[str, str], R]) -> list[R]:
    """Every ``{"document", label}`` line of a JSONL file as a record; :class:`BadInput`
    naming the first bad line (and how many more) before any request is sent."""
    try:
        return read_lines(path, partial(_example, label=label, make=make), "examples")
    except LinesFileError as error:
        raise BadInput(str(error)) from None


def _example(line: str, *, label: str, make: Callable[[str, str], R]) -> R:
    try:
        data = _object(json.loads(line))
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON: {error.msg} (column {error.colno})") from None
    if data is None or set(data) != {"document", label}:
        raise ValueError(f'expected an object with "document" and "{label}", nothing else')
    document, value = data["document"], data[label]
    if not (isinstance(document, str) and isinstance(value, str)):
        raise ValueError(f'"document" and "{label}" must be strings')
    return _record(make, document, value)


def _object(value: object) -> dict[str, object] | None:
    # JSON object keys are always strings.
    return cast("dict[str, object]", value) if isinstance(value, dict) else None


def _record(make: Callable[..., R], *values: object, **named: object) -> R:
    # The records check their values (a non-empty text, a known sentiment or type) as they
    # would before a request; their TypeErrors are bad input here too.
    try:
        return make(*values, **named)
    except TypeError as error:
        raise ValueError(error.args[0] if error.args else str(error)) from None


def _examples_option(label: str) -> Callable[[F], F]:
    return click.option(
        "--examples",
        "examples_file",
        type=_readable,
        metavar="FILE.jsonl",
        help=f'Few-shot examples: one {{"document", "{label}"}} object a line.',
    )


@click.command()
@click.argument("question")
@click.option("--document", metavar="TEXT", help="Answer from this text (- reads stdin).")
@click.option("--document-file", type=_readable, help="Answer from this UTF-8 file.")
@click.option(
    "--rag", "collection_id", metavar="COLLECTION_ID", help="Answer from this RAG collection."
)
@json_option
@pass_session
def answer(
    session: Session,
    question: str,
    document: str | None,
    document_file: Path | None,
    collection_id: str | None,
    as_json: bool,
) -> None:
    """Answer QUESTION from a document or a RAG collection.

    Give exactly one source: --document, --document-file or --rag. A QUESTION of - is read
    from stdin. With --rag, a table of the passages the answer was drawn from follows.
    """
    given = [value for value in (document, document_file, collection_id) if value is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --document, --document-file and --rag")
    if question == "-" and document == "-":
        raise click.UsageError("only one of QUESTION and --document can be read from stdin")
    if question == "-":
        question = _stdin()
    source: DocumentSource | RAGSource
    if collection_id is not None:
        source = RAGSource(collection_id=collection_id)
    elif document_file is not None:
        source = DocumentSource(value=_read_text(document_file))
    else:
        source = DocumentSource(value=_stdin() if document == "-" else str(document))
    with session.client() as client:
        response = client.answer(question=question, source=source)
    human: RenderableType | str = response.answer
    if response.rag_context is not None:
        rows = [(d.file_name, _preview(d.content)) for d in response.rag_context.documents]
        human = Group(Text(response.answer), Text(), table("FILE", "PASSAGE", rows=rows))
    emit(to_json(response), human, as_json=as_json)


def _preview(content: str) -> str:
    """The start of a passage on one line."""
    flat = " ".join(content.split())
    return flat if len(flat) <= PASSAGE_PREVIEW else flat[: PASSAGE_PREVIEW - 1] + "…"


@click.command()
@_document_input
@click.option(
    "--length",
    type=click.Choice(LENGTHS),
    help="How long the summary is  [default: the server's choice]",
)
@_examples_option("summary")
@json_option
@pass_session
def summarize(
    session: Session,
    document: str | None,
    document_file: Path | None,
    length: str | None,
    examples_file: Path | None,
    as_json: bool,
) -> None:
    """Summarize DOCUMENT (- reads stdin) and print the summary."""
    text = _document(document, document_file)
    examples = None
    if examples_file is not None:
        examples = _read_examples(
            examples_file, "summary", lambda d, s: SummarizeExample(document=d, summary=s)
        )
    with session.client() as client:
        response = client.summarize(
            document=text,
            examples=examples,
            length=None if length is None else SummarizeLength(length),
        )
    emit(to_json(response), response.summary, as_json=as_json)


@click.command()
@_document_input
@_examples_option("sentiment")
@json_option
@pass_session
def sentiment(
    session: Session,
    document: str | None,
    document_file: Path | None,
    examples_file: Path | None,
    as_json: bool,
) -> None:
    """Tell whether DOCUMENT (- reads stdin) is negative, neutral or positive.

    The sentiment is printed as one of those three words.
    """
    text = _document(document, document_file)
    examples = None
    if examples_file is not None:
        examples = _read_examples(
            examples_file, "sentiment", lambda d, s: SentimentExample(document=d, sentiment=s)
        )
    with session.client() as client:
        response = client.analyze_sentiment(document=text, examples=examples)
    emit(to_json(response), response.sentiment.value, as_json=as_json)


@click.command()
@_document_input
@click.option("--audience", required=True, metavar="TEXT", help="Who the rewrite is for.")
@json_option
@pass_session
def personalize(
    session: Session,
    document: str | None,
    document_file: Path | None,
    audience: str,
    as_json: bool,
) -> None:
    """Rewrite DOCUMENT (- reads stdin) for the audience --audience describes."""
    text = _document(document, document_file)
    with session.client() as client:
        response = client.personalize(document=text, audience_description=audience)
    emit(to_json(response), response.personalized_document, as_json=as_json)


def _fields(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, ExtractSchemaValue]:
    """The schema the ``--field NAME:TYPE[!]`` options make; a usage error naming a bad one."""
    schema: dict[str, ExtractSchemaValue] = {}
    for value in values:
        # rpartition: a name may hold a colon itself ("time:of:day:string").
        name, colon, kind = value.rpartition(":")
        required = kind.endswith("!")
        kind = kind.removesuffix("!")
        if not (colon and name and kind in FIELD_TYPES):
            raise click.BadParameter(
                f"{value!r} is not NAME:TYPE[!] (TYPE one of {', '.join(FIELD_TYPES)}; "
                "a trailing ! makes the value required)",
                ctx,
                param,
            )
        if name in schema:
            raise click.BadParameter(f"{name!r} is given twice", ctx, param)
        schema[name] = ExtractSchemaValue(type=kind, required=required)
    return schema


def _read_schema(path: Path) -> dict[str, ExtractSchemaValue]:
    """A gradientai schema from a JSON file: ``{"name": {"type": ..., "required": ...}}``."""
    try:
        data = _object(json.loads(_read_text(path)))
    except json.JSONDecodeError as error:
        raise BadInput(f"{path}: not valid JSON: {error.msg} (line {error.lineno})") from None
    if not data:
        raise BadInput(f'{path}: expected an object such as {{"age": {{"type": "number"}}}}')
    schema: dict[str, ExtractSchemaValue] = {}
    for name, value in data.items():
        item = _object(value)
        try:
            if item is None or "type" not in item or set(item) - {"type", "required"}:
                raise ValueError('expected {"type": ..., "required": ...}')
            schema[name] = _record(ExtractSchemaValue, **item)
        except ValueError as error:
            raise BadInput(f"{path}: {name!r}: {error}") from None
    return schema


@click.command()
@_document_input
@click.option(
    "--field",
    "field_schema",
    multiple=True,
    metavar="NAME:TYPE[!]",
    callback=_fields,
    help="A value to extract (repeat the option for more).",
)
@click.option(
    "--schema",
    "schema_file",
    type=_readable,
    metavar="FILE.json",
    help="All the values, in gradientai's schema form.",
)
@json_option
@pass_session
def extract(
    session: Session,
    document: str | None,
    document_file: Path | None,
    field_schema: dict[str, ExtractSchemaValue],
    schema_file: Path | None,
    as_json: bool,
) -> None:
    """Extract typed values from DOCUMENT (- reads stdin).

    Name each value with --field NAME:TYPE, TYPE one of string, number, boolean, and a
    trailing ! if the answer must have it (--field age:number!); or give the whole schema in
    gradientai's form with --schema FILE.json ({"age": {"type": "number", "required": true}}).
    Prints each value found.
    """
    if bool(field_schema) == (schema_file is not None):
        raise click.UsageError("give --field options or --schema, one of the two")
    text = _document(document, document_file)
    schema = field_schema if schema_file is None else _read_schema(schema_file)
    with session.client() as client:
        response = client.extract(document=text, schema_=schema)
    found = [(name, _shown(value)) for name, value in response.entity.items()]
    emit(to_json(response), fields(found), as_json=as_json)


def _shown(value: object) -> str:
    # Strings as they are; numbers and booleans as JSON writes them (true, not True).
    return value if isinstance(value, str) else json.dumps(value)


@click.command("extract-pdf")
@click.argument("path", type=_readable)
@click.option("--pages", is_flag=True, help="A table of the pages instead of the text.")
@json_option
@pass_session
def extract_pdf(session: Session, path: Path, pages: bool, as_json: bool) -> None:
    """Read the text, text blocks, tables and images of the PDF at PATH.

    Prints the title (where the PDF has one), then the text of the pages; --pages a table of
    what each page holds instead; --json the whole record, images included.
    """
    with session.client() as client:
        response = client.extract_pdf(filepath=path)
    human: RenderableType | str
    if pages:
        rows = [
            (p.page_number, len(p.text_blocks), len(p.tables), len(p.images), _preview(p.text))
            for p in response.pages
        ]
        human = table("PAGE", "TEXT BLOCKS", "TABLES", "IMAGES", "TEXT", rows=rows)
    else:
        human = response.text if response.title is None else f"{response.title}\n\n{response.text}"
    emit(to_json(response), human, as_json=as_json)


@click.command()
@click.argument("path", type=_readable)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TRANSCRIBE_WAIT,
    show_default=True,
    help="Seconds to wait for the text at most.",
)
@json_option
@pass_session
def transcribe(session: Session, path: Path, timeout: float, as_json: bool) -> None:
    """Transcribe the recording at PATH and print the text.

    Uploads the file, then waits for the transcription; one that fails, is cancelled or is
    not done within --timeout is an error (exit status 1) saying why.
    """
    with session.client() as client, _waiting(f"Transcribing {path.name}"):
        result = client.transcribe_audio(filepath=path, timeout=timeout)
    emit(to_json(result), result.text, as_json=as_json)


@contextlib.contextmanager
def _waiting(message: str) -> Generator[None, None, None]:
    """A spinner on stderr while the block runs, only for a person at a terminal."""
    console = stderr()
    if not console.is_terminal:  # a pipe or a log gets no animation to pick apart
        yield
        return
    with console.status(Text(message)):  # Text: a file named "[red]" is shown as it is
        yield
