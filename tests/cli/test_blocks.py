"""``gradient answer``, ``summarize``, ``sentiment``, ``personalize``, ``extract``,
``extract-pdf`` and ``transcribe``.

The emulator answers every block greedily, so the CLI's output is checked against the same
call made with the SDK.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from emulator.media import TITLE, write_report, write_wav  # the emulator tests' media
from rich.console import Console

from gradient_sdk import ExtractSchemaValue, Gradient, SentimentExample, SummarizeExample
from gradient_sdk.cli import blocks
from gradient_sdk.emulator import Emulator, RunningEmulator, serve_http
from gradient_sdk.emulator.engines import SpeechEngine

from .conftest import TOKEN, WORKSPACE_ID, CommandLine, RecordingEngine

ARTICLE = (
    "The city council voted on Tuesday to build a new public library in the town centre. "
    "It will have a children's reading room and a cafe. Construction starts next spring."
)
SENTIMENTS = {"negative", "neutral", "positive"}
#: Enough for the tiny speech model, and far from any wait a healthy run needs.
TRANSCRIBE_WAIT = "60"


def write_jsonl(path: Path, *lines: object) -> Path:
    """A JSONL file: each line an object dumped as JSON, or a string written as it is."""
    path.write_text("".join((ln if isinstance(ln, str) else json.dumps(ln)) + "\n" for ln in lines))
    return path


@pytest.fixture
def article_file(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


# -- where a document comes from -------------------------------------------------------------


def short_summary(client: Gradient, document: str = ARTICLE) -> str:
    return client.summarize(document=document, length="short").summary


def test_a_document_of_dash_is_read_from_stdin(gradient: CommandLine, client: Gradient) -> None:
    run = gradient("summarize", "-", "--length", "short", input=ARTICLE + "\n")

    assert run.exit_code == 0, run.stderr
    assert run.stdout == short_summary(client) + "\n"


def test_a_document_from_a_file(
    gradient: CommandLine, client: Gradient, article_file: Path
) -> None:
    run = gradient("summarize", "--file", str(article_file), "--length", "short")

    assert run.exit_code == 0, run.stderr
    assert run.stdout == short_summary(client) + "\n"


@pytest.mark.parametrize("command", ["summarize", "sentiment", "extract"])
def test_exactly_one_source_of_text(
    gradient: CommandLine, article_file: Path, command: str
) -> None:
    schema = ["--field", "city:string"] if command == "extract" else []

    neither = gradient(command, *schema)
    both = gradient(command, "text", "--file", str(article_file), *schema)

    assert (neither.exit_code, both.exit_code) == (2, 2)
    assert neither.stderr.startswith("Error: no document: give DOCUMENT (- reads stdin) or --file")
    assert both.stderr.startswith("Error: give DOCUMENT or --file, not both")
    assert neither.stdout == both.stdout == ""


def test_a_missing_file_is_bad_usage(gradient: CommandLine, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.txt")

    runs = [
        gradient("summarize", "--file", missing),
        gradient("answer", "Why?", "--document-file", missing),
        gradient("extract-pdf", missing),
        gradient("transcribe", missing),
    ]

    assert [run.exit_code for run in runs] == [2, 2, 2, 2]
    for run in runs:
        assert "nope.txt' does not exist" in run.stderr
        assert run.stderr.count("\n") == 1


def test_a_file_that_is_not_utf8_is_bad_input(gradient: CommandLine, tmp_path: Path) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes("café".encode("latin-1"))

    run = gradient("sentiment", "--file", str(latin))

    assert run.exit_code == 2
    assert run.stderr == f"Error: {latin}: not UTF-8 text (byte 3)\n"


def test_an_empty_document_is_bad_input(gradient: CommandLine) -> None:
    run = gradient("summarize", "")

    assert run.exit_code == 2
    assert run.stderr == "Error: invalid input: document must not be empty\n"


# -- answer -------------------------------------------------------------------------------------


QUESTION = "When does construction start?"


@pytest.fixture(scope="module")
def expected_answer(server: RunningEmulator) -> str:
    """The SDK's answer to QUESTION from ARTICLE (each answer is a 128-token generation)."""
    with server.client(max_retries=0) as sdk:
        answer = sdk.answer(question=QUESTION, source={"type": "document", "value": ARTICLE})
    return answer.answer


def test_answer_from_a_document(gradient: CommandLine, expected_answer: str) -> None:
    run = gradient("answer", QUESTION, "--document", ARTICLE, "--json")

    assert run.exit_code == 0, run.stderr
    assert run.stderr == ""
    assert run.json() == {"answer": expected_answer, "rag_context": None}


def test_answer_a_question_from_stdin_and_a_document_file(
    gradient: CommandLine, expected_answer: str, article_file: Path
) -> None:
    run = gradient("answer", "-", "--document-file", str(article_file), input=QUESTION + "\n")

    assert run.exit_code == 0, run.stderr
    assert run.stdout == expected_answer + "\n"


def test_answer_from_a_rag_collection(
    gradient: CommandLine, client: Gradient, tmp_path: Path
) -> None:
    note = tmp_path / "library.txt"
    note.write_text(ARTICLE)
    collection = client.create_rag_collection(name="news", slug="bge-large", filepaths=[note])
    collection.wait_until_ready(timeout=60)
    run = gradient("answer", QUESTION, "--rag", collection.id)
    as_json = gradient("answer", QUESTION, "--rag", collection.id, "--json")

    assert run.exit_code == as_json.exit_code == 0
    document = as_json.json()
    passages = document["rag_context"]["documents"]
    assert passages, "a RAG answer comes with the passages it was drawn from"
    assert {passage["file_name"] for passage in passages} == {"library.txt"}
    assert "".join(passage["content"] for passage in passages).startswith("The city council")
    answer, blank, header, *rows = run.stdout.splitlines()
    assert (answer, blank) == (document["answer"], "")
    assert header.split() == ["FILE", "PASSAGE"]
    assert len(rows) == len(passages)
    assert all(row.startswith("library.txt  ") for row in rows)
    assert all(len(row.rstrip()) <= len("library.txt  ") + blocks.PASSAGE_PREVIEW for row in rows)


def test_answer_needs_exactly_one_source(gradient: CommandLine) -> None:
    none = gradient("answer", "Why?")
    two = gradient("answer", "Why?", "--document", ARTICLE, "--rag", "rag_x")
    both_on_stdin = gradient("answer", "-", "--document", "-", input="x")

    assert (none.exit_code, two.exit_code, both_on_stdin.exit_code) == (2, 2, 2)
    assert none.stderr.startswith(
        "Error: give exactly one of --document, --document-file and --rag"
    )
    assert two.stderr == none.stderr
    assert "only one of QUESTION and --document" in both_on_stdin.stderr


def test_answer_from_an_unknown_collection_is_an_api_error(gradient: CommandLine) -> None:
    run = gradient("answer", "Why?", "--rag", "rag_does_not_exist")

    assert run.exit_code == 1
    assert run.stderr.startswith("Error: Gradient API returned 404")
    assert run.stderr.count("\n") == 1


# -- summarize ---------------------------------------------------------------------------------


def test_summarize_with_a_length_and_examples(
    gradient: CommandLine, client: Gradient, tmp_path: Path
) -> None:
    examples = [SummarizeExample(document="The bus was late again today.", summary="Late bus.")]
    path = write_jsonl(tmp_path / "examples.jsonl", *map(attrs.asdict, examples), "")

    run = gradient("summarize", ARTICLE, "--length", "short", "--examples", str(path), "--json")

    expected = client.summarize(document=ARTICLE, length="short", examples=examples).summary
    assert run.exit_code == 0, run.stderr
    assert run.stderr == ""
    assert run.json() == {"summary": expected}


def test_an_unknown_length_is_bad_usage(gradient: CommandLine) -> None:
    run = gradient("summarize", ARTICLE, "--length", "tiny")

    assert run.exit_code == 2
    assert run.stderr.startswith("Error: Invalid value for '--length'")


def test_a_malformed_examples_line_is_named_before_any_request(
    gradient: CommandLine, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "examples.jsonl",
        {"document": "Fine.", "summary": "Fine."},
        "",
        {"document": "No summary here."},
        "{not json",
    )

    # Without credentials: an error about them would mean the file was read too late.
    run = gradient("summarize", ARTICLE, "--examples", str(path), credentials=False)

    assert run.exit_code == 2
    assert run.stdout == ""
    assert run.stderr == (
        f'Error: {path}:3: expected an object with "document" and "summary", nothing else'
        " (and 1 more bad lines)\n"
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("[1, 2]", 'expected an object with "document" and "summary"'),
        ('{"document": "a", "summary": 3}', '"document" and "summary" must be strings'),
        ('{"document": "", "summary": "b"}', "document must not be empty"),
        ('{"document": "a", "summary": "b"', "not valid JSON: Expecting ',' delimiter"),
    ],
)
def test_each_bad_example_says_why(
    gradient: CommandLine, tmp_path: Path, line: str, reason: str
) -> None:
    path = write_jsonl(tmp_path / "examples.jsonl", line)

    run = gradient("summarize", ARTICLE, "--examples", str(path))

    assert run.exit_code == 2
    assert run.stderr.startswith(f"Error: {path}:1: {reason}")


def test_an_examples_file_without_examples_is_bad_input(
    gradient: CommandLine, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "empty.jsonl", "", "  ")

    run = gradient("sentiment", ARTICLE, "--examples", str(path))

    assert run.exit_code == 2
    assert run.stderr == f"Error: {path}: no examples in the file\n"


# -- sentiment ---------------------------------------------------------------------------------


def test_sentiment_prints_one_of_three_words(gradient: CommandLine, client: Gradient) -> None:
    review = "The staff were lovely and breakfast was superb."

    run = gradient("sentiment", review)
    as_json = gradient("sentiment", review, "--json")

    expected = client.analyze_sentiment(document=review).sentiment.value
    assert run.exit_code == as_json.exit_code == 0
    assert run.stdout == expected + "\n"
    assert expected in SENTIMENTS
    assert as_json.json() == {"sentiment": expected}
    assert as_json.stderr == ""


def test_sentiment_with_examples(gradient: CommandLine, client: Gradient, tmp_path: Path) -> None:
    examples = [
        SentimentExample(document="The bus was late.", sentiment="negative"),
        SentimentExample(document="What a lovely day.", sentiment="positive"),
    ]
    path = write_jsonl(
        tmp_path / "moods.jsonl",
        *({"document": e.document, "sentiment": e.sentiment.value} for e in examples),
    )

    run = gradient("sentiment", "Fine, I suppose.", "--examples", str(path))

    assert run.exit_code == 0, run.stderr
    expected = client.analyze_sentiment(document="Fine, I suppose.", examples=examples)
    assert run.stdout == expected.sentiment.value + "\n"


def test_an_unknown_sentiment_in_the_examples_is_named(
    gradient: CommandLine, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "moods.jsonl",
        {"document": "Good.", "sentiment": "positive"},
        {"document": "Meh.", "sentiment": "happy"},
    )

    run = gradient("sentiment", "Fine.", "--examples", str(path))

    assert run.exit_code == 2
    assert run.stderr.startswith(f"Error: {path}:2: 'happy' is not a valid Sentiment")


# -- personalize -------------------------------------------------------------------------------


def test_personalize_json(gradient: CommandLine, client: Gradient) -> None:
    run = gradient("personalize", ARTICLE, "--audience", "children", "--json")

    assert run.exit_code == 0, run.stderr
    expected = client.personalize(document=ARTICLE, audience_description="children")
    assert run.json() == {"personalized_document": expected.personalized_document}
    assert run.stderr == ""


def test_personalize_needs_an_audience(gradient: CommandLine) -> None:
    missing = gradient("personalize", ARTICLE)
    empty = gradient("personalize", ARTICLE, "--audience", "")

    assert (missing.exit_code, empty.exit_code) == (2, 2)
    assert "Missing option '--audience'" in missing.stderr
    assert empty.stderr == "Error: invalid input: audience_description must not be empty\n"


# -- extract -----------------------------------------------------------------------------------

PERSON = "John Smith is 42 years old and lives in Boston."


def test_extract_with_fields(gradient: CommandLine, client: Gradient) -> None:
    fields = ["--field", "name:string!", "--field", "age:number!", "--field", "married:boolean"]

    run = gradient("extract", PERSON, *fields)
    as_json = gradient("extract", PERSON, *fields, "--json")

    expected = client.extract(
        document=PERSON,
        schema_={
            "name": {"type": "string", "required": True},
            "age": {"type": "number", "required": True},
            "married": {"type": "boolean", "required": False},
        },
    ).entity
    assert run.exit_code == as_json.exit_code == 0
    assert as_json.json() == {"entity": expected}
    assert as_json.stderr == ""
    assert {"name", "age"} <= expected.keys()  # the required ones, whatever the model says
    lines = run.stdout.splitlines()
    assert [line.split()[0] for line in lines if line.strip()] == list(expected)
    assert lines[1].split() == ["age", json.dumps(expected["age"])]


def test_extract_with_a_schema_file(
    gradient: CommandLine, client: Gradient, tmp_path: Path
) -> None:
    schema = {"city": {"type": "string", "required": True}, "age": {"type": "number"}}
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema))

    run = gradient("extract", "-", "--schema", str(path), "--json", input=PERSON)

    assert run.exit_code == 0, run.stderr
    expected = client.extract(
        document=PERSON,
        schema_={
            "city": ExtractSchemaValue(type="string", required=True),
            "age": ExtractSchemaValue(type="number"),
        },
    )
    assert run.json() == {"entity": expected.entity}
    assert "city" in run.json()["entity"]


@pytest.mark.parametrize(
    "field", ["age", "age:integer", ":number", "age:number!!", "age:", "age:String"]
)
def test_bad_field_syntax_is_bad_usage_naming_it(gradient: CommandLine, field: str) -> None:
    run = gradient("extract", PERSON, "--field", "name:string", "--field", field)

    assert run.exit_code == 2
    assert run.stderr.startswith(f"Error: Invalid value for '--field': {field!r} is not NAME:TYPE")
    assert run.stderr.count("\n") == 1


def test_a_field_given_twice_is_bad_usage(gradient: CommandLine) -> None:
    run = gradient("extract", PERSON, "--field", "age:number", "--field", "age:string")

    assert run.exit_code == 2
    assert "'age' is given twice" in run.stderr


def test_extract_needs_fields_or_a_schema_not_both(gradient: CommandLine, tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    path.write_text('{"age": {"type": "number"}}')

    neither = gradient("extract", PERSON)
    both = gradient("extract", PERSON, "--field", "age:number", "--schema", str(path))

    assert (neither.exit_code, both.exit_code) == (2, 2)
    assert neither.stderr.startswith("Error: give --field options or --schema, one of the two")
    assert both.stderr == neither.stderr


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{", "not valid JSON"),
        ("[]", "expected an object such as"),
        ("{}", "expected an object such as"),
        ('{"age": "number"}', '\'age\': expected {"type": ..., "required": ...}'),
        ('{"age": {"type": "number", "min": 0}}', "'age': expected {\"type\""),
        ('{"age": {"type": "integer"}}', "'age': 'integer' is not a valid ExtractSchemaValueType"),
        ('{"age": {"type": "number", "required": "yes"}}', "'age': "),
    ],
)
def test_a_bad_schema_file_is_bad_input(
    gradient: CommandLine, tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "schema.json"
    path.write_text(content)

    run = gradient("extract", PERSON, "--schema", str(path))

    assert run.exit_code == 2
    assert run.stderr.startswith(f"Error: {path}: {reason}")
    assert run.stderr.count("\n") == 1


# -- extract-pdf -------------------------------------------------------------------------------


@pytest.fixture
def report(tmp_path: Path) -> Path:
    return write_report(tmp_path / "report.pdf")


def test_extract_pdf_prints_the_title_then_the_text(
    gradient: CommandLine, client: Gradient, report: Path
) -> None:
    run = gradient("extract-pdf", str(report))

    assert run.exit_code == 0, run.stderr
    expected = client.extract_pdf(filepath=report)
    assert run.stdout == f"{TITLE}\n\n{expected.text}\n"
    assert "Page 2 holds more notes." in run.stdout


def test_extract_pdf_json_is_the_whole_record(gradient: CommandLine, report: Path) -> None:
    run = gradient("extract-pdf", str(report), "--json")

    assert run.exit_code == 0, run.stderr
    document = run.json()
    assert document["title"] == TITLE
    assert [page["page_number"] for page in document["pages"]] == [1, 2]
    first = document["pages"][0]
    assert first["tables"][0]["table_rows"][0]["type"] == "table_header"
    assert first["images"][0]["format"] == "base64-png"
    assert first["text_blocks"][0] == {"kind": "title", "texts": [TITLE]}


def test_extract_pdf_pages_is_a_table(gradient: CommandLine, report: Path) -> None:
    run = gradient("extract-pdf", str(report), "--pages")

    assert run.exit_code == 0, run.stderr
    header, first, second = run.stdout.splitlines()
    assert header.split() == ["PAGE", "TEXT", "BLOCKS", "TABLES", "IMAGES", "TEXT"]
    assert first.split()[:4] == ["1", "3", "1", "1"]
    assert second.split() == ["2", "1", "0", "0", "Page", "2", "holds", "more", "notes."]


def test_extract_pdf_without_a_title_prints_only_the_text(
    gradient: CommandLine, tmp_path: Path
) -> None:
    untitled = write_report(tmp_path / "untitled.pdf", title=None, pages=1)

    run = gradient("extract-pdf", str(untitled))

    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith("Quarterly Report\nSales grew")  # the heading, not the title


def test_extract_pdf_of_a_file_that_is_not_a_pdf(gradient: CommandLine, tmp_path: Path) -> None:
    notes = tmp_path / "notes.pdf"
    notes.write_text("just text")

    run = gradient("extract-pdf", str(notes))

    assert run.exit_code == 1
    assert run.stderr.startswith("Error: Gradient API returned 400")
    assert "'notes.pdf' is not a PDF" in run.stderr


# -- transcribe --------------------------------------------------------------------------------


class StalledSpeech:
    """A speech engine that holds every job until ``release`` is set (or 60 s have passed)."""

    name = "stalled"

    def __init__(self) -> None:
        self.release = threading.Event()

    def transcribe(self, samples: object) -> str:
        self.release.wait(timeout=60)
        return "too late"


def _settings(recording_engine: RecordingEngine, speech_model: str | SpeechEngine) -> Emulator:
    return Emulator(
        model=recording_engine,
        embeddings_model="hashing",
        speech_model=speech_model,
        access_token=TOKEN,
        workspace_id=WORKSPACE_ID,
    )


@pytest.fixture(scope="module")
def speaking(recording_engine: RecordingEngine) -> Iterator[CommandLine]:
    """``gradient`` against an emulator with the tiny random Whisper model."""
    with serve_http(_settings(recording_engine, "tiny")) as running:
        yield CommandLine(running.url)


@pytest.fixture(scope="module")
def stalling(recording_engine: RecordingEngine) -> Iterator[CommandLine]:
    """``gradient`` against an emulator whose transcriptions do not end on their own."""
    speech = StalledSpeech()
    with serve_http(_settings(recording_engine, speech)) as running:
        try:
            yield CommandLine(running.url)
        finally:
            speech.release.set()  # before the emulator stops, so its worker is not held


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "talk.wav", seconds=1.5, rate=22_050, channels=2)


def test_transcribe_prints_the_text(speaking: CommandLine, wav: Path) -> None:
    run = speaking("transcribe", str(wav), "--timeout", TRANSCRIBE_WAIT)
    as_json = speaking("transcribe", str(wav), "--timeout", TRANSCRIBE_WAIT, "--json")

    assert run.exit_code == as_json.exit_code == 0
    assert run.stderr == ""  # no spinner on a pipe
    text = as_json.json()["text"]
    assert isinstance(text, str)
    assert run.stdout == text + "\n"  # the speech model decodes greedily
    assert list(as_json.json()) == ["text"]


def test_transcribe_shows_a_spinner_on_a_terminal(
    speaking: CommandLine, wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(
        blocks, "stderr", lambda: Console(file=screen, force_terminal=True, width=80)
    )

    run = speaking("transcribe", str(wav), "--timeout", TRANSCRIBE_WAIT)

    assert run.exit_code == 0, run.stderr
    assert "Transcribing talk.wav" in screen.getvalue()
    assert "Transcribing" not in run.stdout


def test_transcribe_without_a_speech_model_is_one_line(gradient: CommandLine, wav: Path) -> None:
    run = gradient("transcribe", str(wav), "--timeout", TRANSCRIBE_WAIT)

    assert run.exit_code == 1
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith("Error: transcription 'transcription_")
    assert "' failed: the emulator has no speech model: start it with --speech-model" in (
        run.stderr
    )


def test_transcribe_past_the_timeout_is_one_line(stalling: CommandLine, wav: Path) -> None:
    run = stalling("transcribe", str(wav), "--timeout", "0.5", "--json")

    assert run.exit_code == 1
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith("Error: transcription 'transcription_")
    assert run.stderr.rstrip().endswith("after 0.5 s")
    assert "was still pending" in run.stderr or "was still running" in run.stderr


def test_transcribe_timeout_must_be_positive(gradient: CommandLine, wav: Path) -> None:
    run = gradient("transcribe", str(wav), "--timeout", "0")

    assert run.exit_code == 2
    assert run.stderr.startswith("Error: Invalid value for '--timeout'")
