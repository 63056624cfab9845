"""Properties of the wire converter (``gradient_sdk._wire``), for every record type.

* a record survives the wire: ``from_wire(json(to_wire(x))) == x``, with camelCase keys only;
* fields the SDK does not know, at any depth, are ignored;
* a value of the wrong JSON type is rejected with a ``WireFormatError`` whose message names
  the field's path (``@ Record.field[0].inner``);
* a field that should hold a list does not take a string or an object instead.

The emulator reads requests through the same converter, so these messages are also what a
client of the emulator sees in a 400.

Examples are derandomised (the same ones on every run, so the suite cannot flake) and the
Hypothesis database is off (no files written).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradient_sdk import records
from gradient_sdk._http import encode_body
from gradient_sdk._wire import TAGGED_UNIONS, WireFormatError, camel_case, from_wire, to_wire
from gradient_sdk.records import (
    AddFilesRequest,
    AnalyzeSentimentRequest,
    AnalyzeSentimentResponse,
    AnswerRequest,
    AnswerResponse,
    BaseModelCapability,
    BaseModelInfo,
    CompleteRequest,
    CompleteResponse,
    CreateModelRequest,
    CreateModelResponse,
    CreateRAGCollectionRequest,
    CreateRAGCollectionResponse,
    CreateTranscriptionRequest,
    CreateTranscriptionResponse,
    DocumentSource,
    Embedding,
    EmbeddingInput,
    EmbeddingsModelInfo,
    ErrorBody,
    ErrorType,
    ExtractPdfResponse,
    ExtractRequest,
    ExtractResponse,
    ExtractSchemaValue,
    ExtractSchemaValueType,
    FileChunker,
    FineTuneRequest,
    FineTuneResponse,
    GenerateEmbeddingsRequest,
    GenerateEmbeddingsResponse,
    GetTranscriptionResponse,
    Guidance,
    InitialHyperparameters,
    ListEmbeddingsModelsResponse,
    ListModelsResponse,
    ListRAGCollectionsResponse,
    LoraHyperparameters,
    MeaningBasedChunker,
    ModelAdapterInfo,
    NewModelAdapter,
    NormalChunker,
    PdfImage,
    PdfPage,
    PdfTable,
    PdfTableCell,
    PdfTableRow,
    PdfTextBlock,
    PdfTextBlockKind,
    PersonalizeRequest,
    PersonalizeResponse,
    RAGCollectionInfo,
    RAGCollectionSummary,
    RAGContext,
    RAGDocument,
    RAGFileInfo,
    RAGFileRef,
    RAGFileStatus,
    RagOptions,
    RAGSource,
    Sample,
    SentenceWithContextChunker,
    Sentiment,
    SentimentExample,
    StructuredInput,
    SummarizeExample,
    SummarizeLength,
    SummarizeRequest,
    SummarizeResponse,
    TrainingArguments,
    TranscriptionResult,
    TranscriptionStatus,
    UploadFileResponse,
)

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    # The autouse fixtures (environment cleaner, backoff recorder) hold nothing an example
    # could change, so sharing them between examples is fine.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# --------------------------------------------------------------------------- strategies

texts = st.text(max_size=12)
non_empty_texts = st.text(min_size=1, max_size=12)
numbers = st.floats(allow_nan=False, allow_infinity=False)
unit_interval = st.floats(min_value=0, max_value=1)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | numbers | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
#: Aware datetimes with whole-minute offsets, as servers send them.
moments = st.datetimes(
    min_value=datetime(1970, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(
        lambda minutes: timezone(timedelta(minutes=minutes))
    ),
)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def tuples(strategy: st.SearchStrategy[Any], **sizes: int) -> st.SearchStrategy[Any]:
    return st.lists(strategy, **sizes).map(tuple)


base_models = st.builds(
    BaseModelInfo,
    id=texts,
    slug=texts,
    name=texts,
    capabilities=tuples(st.sampled_from(BaseModelCapability), max_size=2),
)
adapters = st.builds(
    ModelAdapterInfo,
    id=texts,
    name=texts,
    base_model_id=texts,
    latest_update_time=optional(moments),
)
lora = st.builds(LoraHyperparameters, rank=optional(st.integers(1, records.MAX_LORA_RANK)))
training = st.builds(
    TrainingArguments,
    learning_rate=optional(st.floats(0, 1, exclude_min=True, exclude_max=True)),
)
hyperparameters = st.builds(
    InitialHyperparameters,
    lora_hyperparameters=optional(lora),
    training_arguments=optional(training),
)
new_adapters = st.builds(NewModelAdapter, base_model_id=non_empty_texts, name=non_empty_texts)
guidance = st.builds(
    Guidance, value=st.lists(st.text(min_size=1, max_size=32), min_size=1, max_size=10)
)
rag = st.builds(RagOptions, collection_id=non_empty_texts)
structured_inputs = st.builds(
    StructuredInput,
    value=non_empty_texts,
    trainable=st.booleans(),
    parse_special_tokens=st.booleans(),
)
samples = st.builds(
    Sample,
    inputs=non_empty_texts | tuples(structured_inputs, min_size=1, max_size=3),
    multiplier=optional(
        st.floats(min_value=0, exclude_min=True, allow_nan=False, allow_infinity=False)
    ),
)
embeddings_models = st.builds(EmbeddingsModelInfo, slug=texts)
embedding_inputs = st.builds(EmbeddingInput, input=non_empty_texts)
embeddings = st.builds(
    Embedding, embedding=tuples(numbers, max_size=8), index=st.integers(0, 10**6)
)

positive = st.integers(1, 2**31 - 1)
sizes = st.integers(2, 2**31 - 1)
chunkers = (
    st.just(FileChunker())
    | st.builds(NormalChunker, size=optional(sizes), overlap=optional(st.just(1)))
    | st.builds(
        SentenceWithContextChunker,
        size=optional(sizes),
        overlap=optional(st.just(0)),
        context_sentences=optional(positive),
    )
    | st.builds(
        MeaningBasedChunker,
        size=optional(sizes),
        overlap=optional(st.just(1)),
        sentence_group_length=optional(positive),
        similarity_percent_threshold=optional(st.integers(0, 100)),
    )
)
file_refs = st.builds(RAGFileRef, id=non_empty_texts, name=non_empty_texts)
rag_files = st.builds(
    RAGFileInfo,
    id=texts,
    name=texts,
    status=st.sampled_from(RAGFileStatus),
    failure_reason=optional(texts),
)
summaries = st.builds(
    RAGCollectionSummary,
    id=texts,
    name=texts,
    slug=texts,
    chunker=chunkers,
    creation_time=moments,
    latest_update_time=moments,
)
collections = st.builds(
    RAGCollectionInfo,
    id=texts,
    name=texts,
    slug=texts,
    chunker=chunkers,
    creation_time=moments,
    latest_update_time=moments,
    files=tuples(rag_files, max_size=3),
)
sources = st.builds(DocumentSource, value=non_empty_texts) | st.builds(
    RAGSource, collection_id=non_empty_texts
)
rag_documents = st.builds(RAGDocument, content=texts, file_name=texts)
rag_contexts = st.builds(RAGContext, documents=tuples(rag_documents, max_size=3))
summarize_examples = st.builds(SummarizeExample, document=non_empty_texts, summary=non_empty_texts)
sentiment_examples = st.builds(
    SentimentExample, document=non_empty_texts, sentiment=st.sampled_from(Sentiment)
)
schema_values = st.builds(
    ExtractSchemaValue,
    type=st.sampled_from(ExtractSchemaValueType),
    required=optional(st.booleans()),
)
text_blocks = st.builds(
    PdfTextBlock, kind=st.sampled_from(PdfTextBlockKind), texts=tuples(texts, max_size=3)
)
cells = st.builds(
    PdfTableCell, cell_value=texts, col_span=optional(positive), row_span=optional(positive)
)
rows = st.builds(
    PdfTableRow,
    cells=tuples(cells, max_size=3),
    type=st.sampled_from(["table_data_row", "table_header"]),
)
tables = st.builds(PdfTable, name=texts, table_rows=tuples(rows, max_size=2))
images = st.builds(PdfImage, data=texts)
pages = st.builds(
    PdfPage,
    page_number=positive,
    text=texts,
    text_blocks=tuples(text_blocks, max_size=2),
    tables=tuples(tables, max_size=2),
    images=tuples(images, max_size=2),
)
transcription_results = st.builds(TranscriptionResult, text=texts)

STRATEGIES: dict[type[Any], st.SearchStrategy[Any]] = {
    BaseModelInfo: base_models,
    ModelAdapterInfo: adapters,
    ListModelsResponse: st.builds(
        ListModelsResponse, models=tuples(base_models | adapters, max_size=3)
    ),
    LoraHyperparameters: lora,
    TrainingArguments: training,
    InitialHyperparameters: hyperparameters,
    NewModelAdapter: new_adapters,
    CreateModelRequest: st.builds(
        CreateModelRequest, model=new_adapters, initial_hyperparameters=optional(hyperparameters)
    ),
    CreateModelResponse: st.builds(CreateModelResponse, id=texts),
    Guidance: guidance,
    RagOptions: rag,
    CompleteRequest: st.builds(
        CompleteRequest,
        query=non_empty_texts,
        auto_template=optional(st.booleans()),
        guidance=optional(guidance),
        max_generated_token_count=optional(st.integers(1, records.MAX_GENERATED_TOKEN_COUNT)),
        rag=optional(rag),
        temperature=optional(unit_interval),
        top_k=optional(st.integers(1, 2**31 - 1)),
        top_p=optional(unit_interval),
    ),
    CompleteResponse: st.builds(CompleteResponse, finish_reason=texts, generated_output=texts),
    StructuredInput: structured_inputs,
    Sample: samples,
    FineTuneRequest: st.builds(FineTuneRequest, samples=tuples(samples, min_size=1, max_size=3)),
    FineTuneResponse: st.builds(
        FineTuneResponse, number_of_trainable_tokens=st.integers(0, 2**31), sum_loss=numbers
    ),
    EmbeddingsModelInfo: embeddings_models,
    ListEmbeddingsModelsResponse: st.builds(
        ListEmbeddingsModelsResponse, embeddings_models=tuples(embeddings_models, max_size=3)
    ),
    EmbeddingInput: embedding_inputs,
    GenerateEmbeddingsRequest: st.builds(
        GenerateEmbeddingsRequest, inputs=st.lists(embedding_inputs, min_size=1, max_size=5)
    ),
    Embedding: embeddings,
    GenerateEmbeddingsResponse: st.builds(
        GenerateEmbeddingsResponse, embeddings=tuples(embeddings, max_size=3)
    ),
    ErrorBody: st.builds(
        ErrorBody, message=texts, type=optional(st.sampled_from(ErrorType)), payload=json_values
    ),
    UploadFileResponse: st.builds(UploadFileResponse, id=texts),
    FileChunker: st.just(FileChunker()),
    NormalChunker: chunkers.filter(lambda chunker: isinstance(chunker, NormalChunker)),
    SentenceWithContextChunker: st.builds(
        SentenceWithContextChunker, size=optional(sizes), context_sentences=optional(positive)
    ),
    MeaningBasedChunker: st.builds(
        MeaningBasedChunker,
        size=optional(sizes),
        sentence_group_length=optional(positive),
        similarity_percent_threshold=optional(st.integers(0, 100)),
    ),
    RAGFileRef: file_refs,
    CreateRAGCollectionRequest: st.builds(
        CreateRAGCollectionRequest,
        name=non_empty_texts,
        slug=non_empty_texts,
        files=tuples(file_refs, max_size=3),
        chunker=optional(chunkers),
    ),
    CreateRAGCollectionResponse: st.builds(CreateRAGCollectionResponse, id=texts),
    AddFilesRequest: st.builds(AddFilesRequest, files=tuples(file_refs, min_size=1, max_size=3)),
    RAGFileInfo: rag_files,
    RAGCollectionSummary: summaries,
    RAGCollectionInfo: collections,
    ListRAGCollectionsResponse: st.builds(
        ListRAGCollectionsResponse, rag_collections=tuples(summaries, max_size=2)
    ),
    DocumentSource: st.builds(DocumentSource, value=non_empty_texts),
    RAGSource: st.builds(RAGSource, collection_id=non_empty_texts),
    AnswerRequest: st.builds(AnswerRequest, question=non_empty_texts, source=sources),
    RAGDocument: rag_documents,
    RAGContext: rag_contexts,
    AnswerResponse: st.builds(AnswerResponse, answer=texts, rag_context=optional(rag_contexts)),
    SummarizeExample: summarize_examples,
    SummarizeRequest: st.builds(
        SummarizeRequest,
        document=non_empty_texts,
        examples=optional(tuples(summarize_examples, max_size=2)),
        length=optional(st.sampled_from(SummarizeLength)),
    ),
    SummarizeResponse: st.builds(SummarizeResponse, summary=texts),
    SentimentExample: sentiment_examples,
    AnalyzeSentimentRequest: st.builds(
        AnalyzeSentimentRequest,
        document=non_empty_texts,
        examples=optional(tuples(sentiment_examples, max_size=2)),
    ),
    AnalyzeSentimentResponse: st.builds(
        AnalyzeSentimentResponse, sentiment=st.sampled_from(Sentiment)
    ),
    PersonalizeRequest: st.builds(
        PersonalizeRequest, audience_description=non_empty_texts, document=non_empty_texts
    ),
    PersonalizeResponse: st.builds(PersonalizeResponse, personalized_document=texts),
    ExtractSchemaValue: schema_values,
    ExtractRequest: st.builds(
        ExtractRequest,
        document=non_empty_texts,
        schema=st.dictionaries(non_empty_texts, schema_values, min_size=1, max_size=3),
    ),
    ExtractResponse: st.builds(
        ExtractResponse,
        entity=st.dictionaries(texts, texts | numbers | st.booleans(), max_size=3),
    ),
    PdfTextBlock: text_blocks,
    PdfTableCell: cells,
    PdfTableRow: rows,
    PdfTable: tables,
    PdfImage: images,
    PdfPage: pages,
    ExtractPdfResponse: st.builds(
        ExtractPdfResponse, pages=tuples(pages, max_size=2), text=texts, title=optional(texts)
    ),
    CreateTranscriptionRequest: st.builds(CreateTranscriptionRequest, file_id=non_empty_texts),
    CreateTranscriptionResponse: st.builds(CreateTranscriptionResponse, transcription_id=texts),
    TranscriptionResult: transcription_results,
    GetTranscriptionResponse: st.builds(
        GetTranscriptionResponse,
        status=st.sampled_from(TranscriptionStatus),
        result=optional(transcription_results),
        failure_reason=optional(texts),
    ),
}

RECORD_TYPES = sorted(STRATEGIES, key=lambda cls: cls.__name__)


def test_every_record_type_has_a_strategy() -> None:
    exported = {
        value
        for name in records.__all__
        if attrs.has(value := getattr(records, name)) and isinstance(value, type)
    }
    assert exported == set(STRATEGIES)


# --------------------------------------------------------------------------- wire documents

#: Keys whose value is free-form JSON, not a record: left alone when walking a document.
FREE_FORM = {"payload"}
#: Keys whose value is an object keyed by data (names the caller chose), not by field names.
MAPS = {"schema", "entity"}

Path = tuple[str | int, ...]


def on_the_wire(record: Any) -> Any:
    """The record as the peer receives it: the SDK's JSON bytes, decoded."""
    return json.loads(encode_body(to_wire(record)))


def nodes(document: Any, path: Path = ()) -> list[tuple[Path, Any]]:
    """Every value below the root, with its path, free-form values not entered."""
    found: list[tuple[Path, Any]] = []
    if isinstance(document, dict):
        children: list[tuple[str | int, Any]] = list(document.items())
    elif isinstance(document, list):
        children = list(enumerate(document))
    else:
        children = []
    for key, value in children:
        found.append(((*path, key), value))
        if key not in FREE_FORM:
            found += nodes(value, (*path, key))
    return found


def objects_in(document: Any) -> list[dict[str, Any]]:
    """The record objects of a document: the root and every nested object."""
    root = [document] if isinstance(document, dict) else []
    return root + [
        value
        for path, value in nodes(document)
        if isinstance(value, dict) and path[-1] not in FREE_FORM | MAPS
    ]


def replaced(document: Any, path: Path, value: Any) -> Any:
    """A copy of the document with the value at ``path`` replaced."""
    copy = json.loads(json.dumps(document))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


# --------------------------------------------------------------------------- properties


@pytest.mark.parametrize("record_type", RECORD_TYPES, ids=lambda cls: cls.__name__)
@PROPERTY
@given(data=st.data())
def test_a_record_survives_the_wire(record_type: type[Any], data: st.DataObject) -> None:
    record = data.draw(STRATEGIES[record_type])

    document = on_the_wire(record)

    assert from_wire(document, record_type) == record
    for path, _ in nodes(document):
        key = path[-1]
        if len(path) > 1 and path[-2] in MAPS:
            continue  # a key the caller chose
        assert not isinstance(key, str) or "_" not in key, f"snake_case key on the wire: {path}"


def new_keys_for(target: dict[str, Any]) -> st.SearchStrategy[str]:
    """Keys the object does not have yet (every known field is always on the wire)."""
    known = set(target)
    return st.text(min_size=1, max_size=10).filter(lambda key: key not in known)


@pytest.mark.parametrize("record_type", RECORD_TYPES, ids=lambda cls: cls.__name__)
@PROPERTY
@given(data=st.data())
def test_unknown_fields_are_ignored(record_type: type[Any], data: st.DataObject) -> None:
    record = data.draw(STRATEGIES[record_type])
    document = on_the_wire(record)
    for target in objects_in(document):
        target.update(data.draw(st.dictionaries(new_keys_for(target), json_values, max_size=3)))

    assert from_wire(document, record_type) == record


def snake_case(key: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()


def rendered(root: str, path: Path, name: Any = str) -> str:
    """``Root.field[0].inner['key']``, as the converter writes paths."""
    parts = []
    for parent, key in zip((None, *path)[: len(path)], path, strict=True):
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif parent in MAPS:
            parts.append(f"[{key!r}]")
        else:
            parts.append(f".{name(key)}")
    return root + "".join(parts)


def names_the_field(message: str, root: str, path: Path) -> bool:
    """Whether the message points at the field at ``path`` (in wire or Python names).

    A list item is named by its list (``…embedding`` for a bad number in a vector). Two
    documented shapes: a sample's multiplier lives in ``fineTuningParameters`` on the wire
    but directly on :class:`Sample`; the tag of a tagged union (a model's ``type``, a
    chunker's ``chunkerType``) picks the record, so a bad one is reported at the union's
    value, as an unknown model type (chunker type, ...).
    """
    while isinstance(path[-1], int):
        path = path[:-1]
    candidates = {
        rendered(root, path),
        rendered(root, tuple(key for key in path if key != "fineTuningParameters"), snake_case),
    }
    if path[-1] == "fineTuningParameters" and "fineTuningParameters" in message:
        candidates.add(rendered(root, path[:-1], snake_case))
    if any(path[-1] == union.tag and union.label in message for union in TAGGED_UNIONS):
        candidates.add(rendered(root, path[:-1]))
    return any(f"@ {candidate}" in message for candidate in candidates)


def wrong_values_for(value: Any) -> st.SearchStrategy[Any]:
    """JSON values of another type than ``value``, none of which its field accepts."""
    if isinstance(value, bool):
        return st.integers() | texts
    if isinstance(value, int):
        return texts | st.booleans() | st.floats(allow_nan=False, allow_infinity=False)
    if isinstance(value, float):
        return texts | st.booleans()
    if isinstance(value, str):
        return st.integers() | st.booleans()
    if value is None:
        # An optional field left empty: a non-empty list fits no optional field's type.
        return st.lists(st.integers(), min_size=1, max_size=2)
    if isinstance(value, list):
        return st.integers() | st.booleans()
    return non_empty_texts | st.integers(min_value=1) | st.lists(st.integers(), min_size=1)


@pytest.mark.parametrize("record_type", RECORD_TYPES, ids=lambda cls: cls.__name__)
@PROPERTY
@given(data=st.data())
def test_a_wrong_type_is_rejected_naming_its_field(
    record_type: type[Any], data: st.DataObject
) -> None:
    document = on_the_wire(data.draw(STRATEGIES[record_type]))
    if not nodes(document):
        return  # a record without fields (FileChunker): no value to get wrong
    path, value = data.draw(st.sampled_from(nodes(document)), label="field")
    if path[-1] in FREE_FORM:
        return  # any JSON is right there
    if len(path) > 1 and path[-2] == "entity":
        # An extracted value may be any JSON scalar: only null, a list or an object is wrong.
        wrong_values = st.none() | st.lists(st.integers(), min_size=1, max_size=2)
    else:
        wrong_values = wrong_values_for(value)
    wrong = data.draw(wrong_values, label="wrong value")

    with pytest.raises(WireFormatError) as raised:
        from_wire(replaced(document, path, wrong), record_type)

    message = str(raised.value)
    root = record_type.__name__
    assert names_the_field(message, root, path), f"{message!r} does not name {path}"


@pytest.mark.parametrize("record_type", RECORD_TYPES, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("document", [[], "text", 7, None, True], ids=repr)
def test_a_document_that_is_not_an_object_is_rejected(
    record_type: type[Any], document: Any
) -> None:
    with pytest.raises(WireFormatError, match=record_type.__name__):
        from_wire(document, record_type)


BASE = {"id": "b", "slug": "s", "name": "n", "capabilities": [], "type": "baseModel"}


def list_case(record_type: type[Any], document: dict[str, Any], field: str) -> Any:
    sent = next(value for key, value in document.items() if field.endswith(snake_case(key)))
    return pytest.param(record_type, document, field, id=f"{field}-as-{type(sent).__name__}")


@pytest.mark.parametrize(
    ("record_type", "document", "field"),
    [
        list_case(Guidance, {"type": "choice", "value": "yes"}, "Guidance.value"),
        list_case(Guidance, {"type": "choice", "value": {"yes": 1}}, "Guidance.value"),
        list_case(ListModelsResponse, {"models": {}}, "ListModelsResponse.models"),
        list_case(ListModelsResponse, {"models": ""}, "ListModelsResponse.models"),
        list_case(BaseModelInfo, {**BASE, "capabilities": "c"}, "BaseModelInfo.capabilities"),
        list_case(
            ListEmbeddingsModelsResponse,
            {"embeddingsModels": {}},
            "ListEmbeddingsModelsResponse.embeddings_models",
        ),
        list_case(
            GenerateEmbeddingsResponse, {"embeddings": {}}, "GenerateEmbeddingsResponse.embeddings"
        ),
        list_case(FineTuneRequest, {"samples": {"inputs": "x"}}, "FineTuneRequest.samples"),
        list_case(GenerateEmbeddingsRequest, {"inputs": "abc"}, "GenerateEmbeddingsRequest.inputs"),
    ],
)
def test_a_list_field_rejects_a_string_or_an_object(
    record_type: type[Any], document: dict[str, Any], field: str
) -> None:
    """JSON strings and objects are iterable in Python; a list field must still be a list."""
    with pytest.raises(WireFormatError) as raised:
        from_wire(document, record_type)

    record_name, field_name = field.split(".")
    assert f"@ {record_name}.{camel_case(field_name)}" in str(raised.value)
    assert "list" in str(raised.value)


@PROPERTY
@given(moment=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1)))
def test_a_naive_datetime_is_sent_as_utc(moment: datetime) -> None:
    adapter = ModelAdapterInfo(id="a", name="n", base_model_id="b", latest_update_time=moment)

    document = on_the_wire(adapter)

    assert document["latestUpdateTime"].endswith("Z")
    back = from_wire(document, ModelAdapterInfo)
    assert back.latest_update_time == moment.replace(tzinfo=timezone.utc)
