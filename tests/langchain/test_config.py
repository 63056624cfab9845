"""Constructing GradientLLM and GradientEmbeddings: fields, environment, validation, secrets."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from _langchain_support import BASE_URL, CREDENTIALS, MODEL_ID, TOKEN, WORKSPACE_ID
from pydantic import ValidationError

from gradient_sdk.langchain import GradientEmbeddings, GradientLLM

OTHER_TOKEN = "environment_token_987654"
OTHER_WORKSPACE_ID = "environment_workspace_42"


def make_llm(**overrides: Any) -> GradientLLM:
    return GradientLLM(**{"model": MODEL_ID, **CREDENTIALS, **overrides})


def make_embeddings(**overrides: Any) -> GradientEmbeddings:
    return GradientEmbeddings(**{"model": "bge-large", **CREDENTIALS, **overrides})


@pytest.mark.parametrize("model_argument", ["model", "model_id"])
def test_the_llm_takes_the_model_under_either_name(model_argument: str) -> None:
    llm = GradientLLM(
        **{model_argument: MODEL_ID},
        gradient_api_url=BASE_URL,
        gradient_access_token=TOKEN,
        gradient_workspace_id=WORKSPACE_ID,
    )

    assert llm.model_id == MODEL_ID
    assert llm.gradient_access_token == TOKEN
    assert llm.gradient_workspace_id == WORKSPACE_ID
    assert llm.gradient_api_url == BASE_URL


def test_the_api_url_defaults_to_the_public_service() -> None:
    assert make_llm().gradient_api_url == "https://api.gradient.ai/api"
    assert make_embeddings().gradient_api_url == "https://api.gradient.ai/api"


@pytest.mark.parametrize("make", [make_llm, make_embeddings])
def test_credentials_and_url_come_from_the_environment(
    make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADIENT_ACCESS_TOKEN", OTHER_TOKEN)
    monkeypatch.setenv("GRADIENT_WORKSPACE_ID", OTHER_WORKSPACE_ID)
    monkeypatch.setenv("GRADIENT_API_URL", "http://localhost:8765/api")

    connected = make(gradient_access_token=None, gradient_workspace_id="")

    assert connected.gradient_access_token == OTHER_TOKEN
    assert connected.gradient_workspace_id == OTHER_WORKSPACE_ID
    assert connected.gradient_api_url == "http://localhost:8765/api"


@pytest.mark.parametrize("make", [make_llm, make_embeddings])
def test_arguments_win_over_the_environment(make: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADIENT_ACCESS_TOKEN", OTHER_TOKEN)
    monkeypatch.setenv("GRADIENT_API_URL", "http://localhost:8765/api")

    connected = make(gradient_api_url="https://gradient.example/api")

    assert connected.gradient_access_token == TOKEN
    assert connected.gradient_api_url == "https://gradient.example/api"


@pytest.mark.parametrize("make", [make_llm, make_embeddings])
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"gradient_access_token": ""}, "gradient_access_token"),
        ({"gradient_access_token": None}, "gradient_access_token"),
        ({"gradient_access_token": "short"}, "at least 10 characters"),
        ({"gradient_workspace_id": ""}, "gradient_workspace_id"),
        # langchain-community measured the token here; a short workspace id slipped through.
        ({"gradient_workspace_id": "ab"}, "at least 3 characters"),
        ({"gradient_api_url": "-"}, r"must be an http\(s\) URL"),
        ({"gradient_api_url": "ftp://api.gradient.ai/api"}, r"must be an http\(s\) URL"),
        ({"gradient_api_url": "https://"}, r"must be an http\(s\) URL"),
        ({"unknown_setting": 1}, "Extra inputs are not permitted"),
        ({"max_retries": -1}, "max_retries"),
    ],
)
def test_bad_settings_fail_at_construction(
    make: Any, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        make(**overrides)


def test_a_three_character_workspace_id_is_enough() -> None:
    assert make_llm(gradient_workspace_id="abc").gradient_workspace_id == "abc"


def test_the_model_id_needs_two_characters() -> None:
    with pytest.raises(ValidationError, match="model"):
        make_llm(model="x")


@pytest.mark.parametrize(
    ("model_kwargs", "message"),
    [
        ({"temperature": 1.5}, "temperature must be in"),
        ({"top_p": -0.1}, "top_p must be in"),
        ({"top_k": 0}, "top_k must be in"),
        ({"max_generated_token_count": 0}, "max_generated_token_count must be in"),
        ({"max_generated_token_count": 512}, "max_generated_token_count must be in"),
        ({"max_tokens": 0}, "max_generated_token_count must be in"),
        ({"top_k": 2.5}, "top_k must be an integer"),
        ({"max_tokens": 5, "max_generated_token_count": 5}, "not both"),
        ({"temprature": 0.5}, "unexpected model_kwargs"),
        ({"stop": "."}, "stop must be a list of strings"),
        ({"guidance": {"type": "regex", "value": ["a"]}}, "guidance type"),
    ],
)
def test_model_kwargs_are_checked_at_construction(
    model_kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        make_llm(model_kwargs=model_kwargs)


def test_model_kwargs_take_every_setting_of_a_completion() -> None:
    model_kwargs = {
        "max_generated_token_count": 128,
        "temperature": 0.75,
        "top_p": 0.95,
        "top_k": 20,
        "stop": [],
        "multipliers": [1.0],
        "auto_template": False,
        "guidance": {"type": "choice", "value": ["yes", "no"]},
        "rag_collection_id": "rag_1",
    }

    assert make_llm(model_kwargs=model_kwargs).model_kwargs == model_kwargs


@pytest.mark.parametrize("make", [make_llm, make_embeddings])
def test_the_token_never_shows_in_repr_or_str(make: Any) -> None:
    connected = make()

    assert TOKEN not in repr(connected)
    assert TOKEN not in str(connected)
    assert WORKSPACE_ID in repr(connected)


def test_the_token_is_declared_a_secret() -> None:
    llm = make_llm()

    assert llm.lc_secrets == {"gradient_access_token": "GRADIENT_ACCESS_TOKEN"}
    assert TOKEN not in str(llm.to_json())


def test_injected_http_clients_are_not_serialised() -> None:
    with httpx.Client() as client:
        dumped = make_llm(http_client=client).model_dump()

    assert "http_client" not in dumped
    assert "http_async_client" not in dumped


@pytest.mark.parametrize("make", [make_llm, make_embeddings])
def test_construction_sends_nothing(make: Any, api: respx.MockRouter) -> None:
    make()

    assert not api.calls


def test_the_embeddings_model_is_required() -> None:
    with pytest.raises(ValidationError, match="model"):
        GradientEmbeddings(**CREDENTIALS)


@pytest.mark.parametrize("make", [make_llm, make_embeddings])
def test_a_validation_error_does_not_show_the_token(make: Any) -> None:
    with pytest.raises(ValidationError) as failure:
        make(gradient_api_url="-")

    assert TOKEN not in str(failure.value)
