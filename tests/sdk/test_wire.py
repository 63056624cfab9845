"""The converter: records go to the wire in camelCase and come back equal; what comes from the
wire is checked strictly, and a mismatch says where."""

from __future__ import annotations

import enum
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradient_sdk import records
from gradient_sdk._wire import WireFormatError, camel_case, from_wire, to_wire
from gradient_sdk.records import (
    BaseModelCapability,
    BaseModelInfo,
    CompleteRequest,
    CompleteResponse,
    CreateModelRequest,
    Embedding,
    EmbeddingInput,
    ErrorBody,
    FineTuneRequest,
    FineTuneResponse,
    GenerateEmbeddingsRequest,
    GenerateEmbeddingsResponse,
    Guidance,
    InitialHyperparameters,
    ListEmbeddingsModelsResponse,
    ListModelsResponse,
    LoraHyperparameters,
    ModelAdapterInfo,
    NewModelAdapter,
    RagOptions,
    Sample,
    StructuredInput,
    TrainingArguments,
)

from ._support import ADAPTER_ID, ADAPTER_JSON, BASE_MODEL_ID, BASE_MODEL_JSON

MAY_1 = datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc)


def through_json(record: object) -> object:
    """The record as the other side of the wire would read it back."""
    return from_wire(json.loads(json.dumps(to_wire(record))), type(record))


@pytest.mark.parametrize(
    "record",
    [
        CompleteRequest(query="Hi"),
        CompleteRequest(
            query="Hi",
            auto_template=False,
            guidance=Guidance(value=["yes", "no"]),
            max_generated_token_count=20,
            rag=RagOptions(collection_id="rag_1"),
            temperature=0.7,
            top_k=50,
            top_p=0.9,
        ),
        CompleteResponse(finish_reason="stop", generated_output="ok"),
        CreateModelRequest(model=NewModelAdapter(base_model_id=BASE_MODEL_ID, name="a")),
        CreateModelRequest(
            model=NewModelAdapter(base_model_id=BASE_MODEL_ID, name="a"),
            initial_hyperparameters=InitialHyperparameters(
                lora_hyperparameters=LoraHyperparameters(rank=8),
                training_arguments=TrainingArguments(learning_rate=1e-4),
            ),
        ),
        FineTuneRequest(
            samples=[
                Sample(inputs="plain"),
                Sample(inputs="weighted", multiplier=2.5),
                Sample(inputs=[StructuredInput(value="q"), StructuredInput("a", False, False)]),
            ]
        ),
        FineTuneResponse(number_of_trainable_tokens=27, sum_loss=78.17996),
        ListModelsResponse(
            models=(
                BaseModelInfo(
                    id=BASE_MODEL_ID,
                    slug="nous-hermes2",
                    name="Nous Hermes 2",
                    capabilities=(BaseModelCapability.FINE_TUNE,),
                ),
                ModelAdapterInfo(
                    id=ADAPTER_ID,
                    name="a",
                    base_model_id=BASE_MODEL_ID,
                    latest_update_time=MAY_1,
                ),
            )
        ),
        ListEmbeddingsModelsResponse(embeddings_models=()),
        GenerateEmbeddingsRequest(inputs=[EmbeddingInput(input="a"), EmbeddingInput(input="b")]),
        GenerateEmbeddingsResponse(embeddings=(Embedding(embedding=(0.25, -1.0), index=0),)),
        ErrorBody(message="nope", type="nanLoss", payload={"n": [1]}),
    ],
    ids=lambda record: type(record).__name__,
)
def test_records_survive_a_round_trip_through_json(record):
    assert through_json(record) == record


@given(
    query=st.text(min_size=1),
    tokens=st.none() | st.integers(min_value=1, max_value=511),
    temperature=st.none() | st.floats(min_value=0, max_value=1),
    top_k=st.none() | st.integers(min_value=1, max_value=1000),
    top_p=st.none() | st.floats(min_value=0, max_value=1),
    auto_template=st.none() | st.booleans(),
)
def test_any_valid_completion_request_survives_a_round_trip(
    query, tokens, temperature, top_k, top_p, auto_template
):
    request = CompleteRequest(
        query=query,
        max_generated_token_count=tokens,
        temperature=temperature,
        top_k=top_k,
        top_p=top_p,
        auto_template=auto_template,
    )

    assert through_json(request) == request


def test_field_names_are_camel_case_on_the_wire():
    wire = to_wire(
        CompleteRequest(query="Hi", max_generated_token_count=5, rag=RagOptions("rag_1"))
    )

    assert set(wire) == {
        "query",
        "autoTemplate",
        "guidance",
        "maxGeneratedTokenCount",
        "rag",
        "temperature",
        "topK",
        "topP",
    }
    assert wire["rag"] == {"collectionId": "rag_1"}


def test_responses_are_read_from_camel_case():
    adapter = from_wire(ADAPTER_JSON, ModelAdapterInfo)

    assert adapter.base_model_id == BASE_MODEL_ID
    assert adapter.latest_update_time == MAY_1


@pytest.mark.parametrize(
    ("name", "camel"),
    [
        ("query", "query"),
        ("top_k", "topK"),
        ("max_generated_token_count", "maxGeneratedTokenCount"),
    ],
)
def test_camel_case(name, camel):
    assert camel_case(name) == camel


def test_a_sample_multiplier_travels_in_fine_tuning_parameters():
    assert to_wire(Sample(inputs="x", multiplier=0.5)) == {
        "fineTuningParameters": {"multiplier": 0.5},
        "inputs": "x",
    }


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ({"inputs": "x"}, Sample(inputs="x")),
        ({"inputs": "x", "fineTuningParameters": None}, Sample(inputs="x")),
        ({"inputs": "x", "fineTuningParameters": {"multiplier": 2}}, Sample("x", multiplier=2.0)),
        ({"inputs": [{"value": "v"}]}, Sample(inputs=[StructuredInput(value="v")])),
    ],
)
def test_samples_are_read_with_optional_parameters(sample, expected):
    assert from_wire({"samples": [sample]}, FineTuneRequest) == FineTuneRequest([expected])


# Strict types


@pytest.mark.parametrize(
    ("data", "record_type", "problem"),
    [
        ({"numberOfTrainableTokens": "1", "sumLoss": 1.0}, FineTuneResponse, "an integer, got str"),
        ({"numberOfTrainableTokens": True, "sumLoss": 1.0}, FineTuneResponse, "got a boolean"),
        ({"numberOfTrainableTokens": 1.5, "sumLoss": 1.0}, FineTuneResponse, "got float"),
        ({"numberOfTrainableTokens": 1, "sumLoss": "1.0"}, FineTuneResponse, "a number, got str"),
        ({"numberOfTrainableTokens": 1, "sumLoss": False}, FineTuneResponse, "got a boolean"),
        ({"finishReason": 1, "generatedOutput": "x"}, CompleteResponse, "a string, got int"),
        ({"finishReason": "stop", "generatedOutput": None}, CompleteResponse, "got NoneType"),
        ({"embeddingsModels": [{"slug": 1}]}, ListEmbeddingsModelsResponse, "a string"),
        ({"embeddings": [{"embedding": [1, True], "index": 0}]}, GenerateEmbeddingsResponse, "num"),
        ({"embeddings": [{"embedding": ["0.5"], "index": 0}]}, GenerateEmbeddingsResponse, "num"),
        ({"embeddings": [{"embedding": "0.5", "index": 0}]}, GenerateEmbeddingsResponse, "list"),
        ({"models": [{**BASE_MODEL_JSON, "capabilities": ["chat"]}]}, ListModelsResponse, "chat"),
        ({"models": [{**BASE_MODEL_JSON, "capabilities": [1]}]}, ListModelsResponse, "a string"),
        ({"models": ["baseModel"]}, ListModelsResponse, "unknown model type"),
        ({**ADAPTER_JSON, "latestUpdateTime": 1714566600}, ModelAdapterInfo, "ISO-8601"),
        ({**ADAPTER_JSON, "latestUpdateTime": "yesterday"}, ModelAdapterInfo, "yesterday"),
        (["not", "an", "object"], CompleteResponse, "expected an object, got list"),
    ],
)
def test_the_wrong_type_is_refused_with_a_clear_message(data, record_type, problem):
    with pytest.raises(WireFormatError, match=problem) as caught:
        from_wire(data, record_type)

    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("data", "record_type"),
    [
        ({"models": {}}, ListModelsResponse),
        ({"embeddingsModels": "bge-large"}, ListEmbeddingsModelsResponse),
        ({"embeddings": {"0": {"embedding": [0.5], "index": 0}}}, GenerateEmbeddingsResponse),
    ],
    ids=["object", "string", "object of items"],
)
def test_a_list_field_takes_only_a_json_array(data, record_type):
    with pytest.raises(WireFormatError) as caught:
        from_wire(data, record_type)

    # One problem, at the field itself: not one per key or per character of it.
    assert re.fullmatch(r"[^@]* @ [A-Za-z]+\.[A-Za-z_]+", str(caught.value))


def test_a_number_field_accepts_an_integer_as_a_float():
    result = from_wire({"numberOfTrainableTokens": 3, "sumLoss": 2}, FineTuneResponse)

    assert result.sum_loss == 2.0
    assert type(result.sum_loss) is float


def test_a_problem_deep_in_a_list_says_where():
    data = {"models": [BASE_MODEL_JSON, {**ADAPTER_JSON, "name": None}]}

    with pytest.raises(WireFormatError, match=r"ListModelsResponse\.models\[1\]"):
        from_wire(data, ListModelsResponse)


@pytest.mark.parametrize(
    ("sample", "problem"),
    [
        ("text", "expected an object"),
        ({"fineTuningParameters": None}, "required field missing"),
        ({"inputs": "x", "fineTuningParameters": [2]}, "expected an object"),
        ({"inputs": "x", "fineTuningParameters": {"multiplier": "2"}}, "a number"),
        ({"inputs": 5}, "a string"),
    ],
)
def test_malformed_samples_are_refused(sample, problem):
    with pytest.raises(WireFormatError, match=problem):
        from_wire({"samples": [sample]}, FineTuneRequest)


# Datetimes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T12:30:00Z", MAY_1),
        ("2024-05-01T12:30:00.250Z", MAY_1 + timedelta(milliseconds=250)),
        ("2024-05-01T14:30:00+02:00", MAY_1),
        ("2024-05-01T12:30:00+00:00", MAY_1),
    ],
)
def test_datetimes_are_read_with_their_zone(text, expected):
    adapter = from_wire({**ADAPTER_JSON, "latestUpdateTime": text}, ModelAdapterInfo)

    assert adapter.latest_update_time == expected
    assert adapter.latest_update_time.tzinfo is not None


def test_a_null_datetime_is_none():
    adapter = from_wire({**ADAPTER_JSON, "latestUpdateTime": None}, ModelAdapterInfo)

    assert adapter.latest_update_time is None


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (MAY_1, "2024-05-01T12:30:00Z"),
        (datetime(2024, 5, 1, 12, 30), "2024-05-01T12:30:00Z"),
        (
            datetime(2024, 5, 1, 14, 30, tzinfo=timezone(timedelta(hours=2))),
            "2024-05-01T14:30:00+02:00",
        ),
    ],
    ids=["utc", "naive taken as utc", "offset kept"],
)
def test_datetimes_are_written_in_iso_8601_with_z_for_utc(moment, text):
    record = ModelAdapterInfo(
        id=ADAPTER_ID, name="a", base_model_id=BASE_MODEL_ID, latest_update_time=moment
    )

    assert to_wire(record)["latestUpdateTime"] == text


# Records check themselves


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: Sample(inputs=["text"]), TypeError),
        (lambda: Sample(inputs="x", multiplier=True), TypeError),
        (lambda: StructuredInput(value=5), TypeError),
        (lambda: Guidance(value=[1]), ValueError),
        (lambda: GenerateEmbeddingsRequest(inputs=[]), ValueError),
        (lambda: FineTuneRequest(samples=[]), ValueError),
        (lambda: LoraHyperparameters(rank=True), TypeError),
    ],
    ids=[
        "piece not a record",
        "bool multiplier",
        "value not text",
        "choice not text",
        "no inputs",
        "no samples",
        "bool rank",
    ],
)
def test_records_refuse_bad_values_on_construction(make, error):
    with pytest.raises(error):
        make()


def test_records_are_frozen_and_slotted():
    record = CompleteResponse(finish_reason="stop", generated_output="ok")

    with pytest.raises(AttributeError):
        record.generated_output = "changed"  # type: ignore[misc]
    assert not hasattr(record, "__dict__")


ENUMS = sorted(
    (
        value
        for value in vars(records).values()
        if isinstance(value, type) and issubclass(value, enum.Enum)
    ),
    key=lambda kind: kind.__name__,
)


def test_every_enum_of_the_records_is_found() -> None:
    assert {kind.__name__ for kind in ENUMS} >= {
        "BaseModelCapability",
        "CapabilityFilter",
        "ErrorType",
        "FileType",
        "RAGFileStatus",
        "Sentiment",
        "TranscriptionStatus",
    }


@pytest.mark.parametrize("kind", ENUMS, ids=lambda kind: kind.__name__)
def test_every_enum_is_read_as_a_member_and_checked(kind: type[enum.Enum]) -> None:
    """No enum needs listing anywhere: one the converter did not know would come through as
    a plain string and take any value."""
    member = next(iter(kind))

    read = from_wire(member.value, kind)

    assert read is member
    with pytest.raises(WireFormatError, match="is not one of"):
        from_wire("no-such-value", kind)
    assert to_wire(member) == member.value
    assert type(to_wire(member)) is str


def test_an_enum_inside_a_record_is_a_member() -> None:
    document = {"status": "running", "result": None}

    response = from_wire(document, records.GetTranscriptionResponse)

    assert response.status is records.TranscriptionStatus.RUNNING
    with pytest.raises(WireFormatError, match=r"GetTranscriptionResponse\.status"):
        from_wire({**document, "status": "sleeping"}, records.GetTranscriptionResponse)
