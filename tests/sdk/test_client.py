"""The client itself: where its settings come from, what it shows of itself, timeouts, closing,
and the arguments it refuses before anything is sent."""

from __future__ import annotations

import ast
import inspect
import logging
from typing import Any

import httpx
import pytest

from gradient_sdk import (
    APITimeoutError,
    AsyncGradient,
    ClientConfig,
    ConfigurationError,
    Gradient,
    Guidance,
    Sample,
)
from gradient_sdk._async import client as async_client_module
from gradient_sdk._config import OPERATION_TIMEOUTS

from ._support import (
    ADAPTER_ID,
    BASE_MODEL_ID,
    COMPLETION_JSON,
    FINE_TUNE_JSON,
    TOKEN,
    WORKSPACE_ID,
    call,
)

COMPLETE_PATH = f"/models/{ADAPTER_ID}/complete"
FINE_TUNE_PATH = f"/models/{ADAPTER_ID}/fine-tune"

both_clients = pytest.mark.parametrize("client_class", [AsyncGradient, Gradient])


# Configuration


@both_clients
def test_settings_fall_back_to_the_environment(monkeypatch, client_class):
    monkeypatch.setenv("GRADIENT_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("GRADIENT_WORKSPACE_ID", WORKSPACE_ID)
    monkeypatch.setenv("GRADIENT_API_URL", "http://localhost:8000/api/")

    client = client_class()

    assert client.config.access_token == TOKEN
    assert client.workspace_id == WORKSPACE_ID
    assert client.config.base_url == "http://localhost:8000/api"


@both_clients
def test_arguments_win_over_the_environment(monkeypatch, client_class):
    monkeypatch.setenv("GRADIENT_ACCESS_TOKEN", "test-token-from-env")
    monkeypatch.setenv("GRADIENT_WORKSPACE_ID", "workspace-from-env")
    monkeypatch.setenv("GRADIENT_API_URL", "http://env.invalid/api")

    client = client_class(access_token=TOKEN, workspace_id=WORKSPACE_ID, host="http://x.test/api")

    assert client.config.access_token == TOKEN
    assert client.workspace_id == WORKSPACE_ID
    assert client.config.base_url == "http://x.test/api"


def test_the_default_host_is_the_gradient_api():
    client = Gradient(access_token=TOKEN, workspace_id=WORKSPACE_ID)

    assert client.config.base_url == "https://api.gradient.ai/api"


def test_an_empty_string_counts_as_unset(monkeypatch):
    monkeypatch.setenv("GRADIENT_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("GRADIENT_WORKSPACE_ID", "")
    monkeypatch.setenv("GRADIENT_API_URL", "")

    with pytest.raises(ConfigurationError, match=r"workspace_id \(or \$GRADIENT_WORKSPACE_ID\)"):
        Gradient(access_token="")
    client = Gradient(access_token="", workspace_id=WORKSPACE_ID, host="")

    assert client.config.access_token == TOKEN
    assert client.config.base_url == "https://api.gradient.ai/api"


@both_clients
@pytest.mark.parametrize(
    ("arguments", "named", "not_named"),
    [
        ({"workspace_id": WORKSPACE_ID}, "GRADIENT_ACCESS_TOKEN", "GRADIENT_WORKSPACE_ID"),
        ({"access_token": TOKEN}, "GRADIENT_WORKSPACE_ID", "GRADIENT_ACCESS_TOKEN"),
    ],
)
def test_a_missing_credential_is_an_error_naming_its_variable(
    client_class, arguments, named, not_named
):
    with pytest.raises(ConfigurationError) as caught:
        client_class(**arguments)

    assert named in str(caught.value)
    assert not_named not in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_missing_credentials_are_named_together():
    with pytest.raises(ConfigurationError) as caught:
        Gradient()

    assert str(caught.value) == (
        "missing Gradient credentials: access_token (or $GRADIENT_ACCESS_TOKEN), "
        "workspace_id (or $GRADIENT_WORKSPACE_ID)"
    )


@pytest.mark.parametrize("host", ["api.gradient.ai/api", "ftp://api.gradient.ai", "localhost:80"])
def test_a_host_that_is_not_an_http_url_is_refused(host):
    with pytest.raises(ConfigurationError, match="host must be an http"):
        Gradient(access_token=TOKEN, workspace_id=WORKSPACE_ID, host=host)


def test_a_bad_host_from_the_environment_is_refused_too(monkeypatch):
    monkeypatch.setenv("GRADIENT_API_URL", "gradient.internal")

    with pytest.raises(ConfigurationError, match=r"'gradient\.internal'"):
        Gradient(access_token=TOKEN, workspace_id=WORKSPACE_ID)


def test_negative_max_retries_is_refused():
    with pytest.raises(ConfigurationError, match="max_retries must be >= 0"):
        Gradient(access_token=TOKEN, workspace_id=WORKSPACE_ID, max_retries=-1)


def test_resolve_reads_a_given_environment_instead_of_the_process_one():
    config = ClientConfig.resolve(
        environ={"GRADIENT_ACCESS_TOKEN": TOKEN, "GRADIENT_WORKSPACE_ID": WORKSPACE_ID}
    )

    assert (config.access_token, config.workspace_id) == (TOKEN, WORKSPACE_ID)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_retries": -1}, "max_retries must be >= 0"),
        ({"max_retries": 2.5}, "max_retries must be an integer, got float"),
        ({"max_retries": True}, "max_retries must be an integer, got bool"),
        ({"max_response_bytes": -5}, "max_response_bytes must be >= 0"),
        ({"timeout": 0}, "timeout must be a positive number"),
        ({"default_headers": {"Authorization": "x"}}, "cannot set Authorization"),
    ],
)
def test_replace_checks_its_values_as_the_constructor_does(changes, message):
    config = ClientConfig(TOKEN, WORKSPACE_ID)

    with pytest.raises(ConfigurationError, match=message):
        config.replace(**changes)
    with pytest.raises(ConfigurationError, match=message):
        ClientConfig(TOKEN, WORKSPACE_ID, **changes)


def test_replace_changes_only_what_it_is_given():
    config = ClientConfig(TOKEN, WORKSPACE_ID, "http://localhost:8000/api", max_retries=4)

    changed = config.replace(timeout=3.0, default_headers={"X-Proxy": "on"})

    assert changed.timeout == httpx.Timeout(3.0)
    assert dict(changed.default_headers) == {"X-Proxy": "on"}
    assert (changed.access_token, changed.workspace_id, changed.base_url) == (
        TOKEN,
        WORKSPACE_ID,
        "http://localhost:8000/api",
    )
    assert (changed.max_retries, changed.max_response_bytes) == (4, config.max_response_bytes)
    assert config.timeout is OPERATION_TIMEOUTS  # the original is untouched


def test_a_config_is_immutable_and_compared_by_value():
    config = ClientConfig(TOKEN, WORKSPACE_ID, default_headers={"X-A": "1"})

    with pytest.raises(AttributeError, match="immutable"):
        config.max_retries = 5  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del config.workspace_id  # type: ignore[misc]
    assert config == ClientConfig(TOKEN, WORKSPACE_ID, default_headers={"X-A": "1"})
    assert config != ClientConfig(TOKEN, WORKSPACE_ID, default_headers={"X-A": "2"})
    assert config != config.replace(max_retries=0)
    assert config != ClientConfig("another-token-of-40-characters-or-so-xx", WORKSPACE_ID)
    assert repr(config) == (
        f"ClientConfig(workspace_id={WORKSPACE_ID!r}, base_url='https://api.gradient.ai/api', "
        "timeout=OPERATION_TIMEOUTS, max_retries=2, default_headers=mappingproxy({'X-A': '1'}), "
        "max_response_bytes=67108864)"
    )


@both_clients
def test_http_client_and_transport_together_are_refused(client_class):
    http_client = httpx.AsyncClient() if client_class is AsyncGradient else httpx.Client()

    with pytest.raises(TypeError, match="either http_client or transport"):
        client_class(
            access_token=TOKEN,
            workspace_id=WORKSPACE_ID,
            http_client=http_client,
            transport=httpx.MockTransport(lambda request: httpx.Response(200)),
        )


# Resources, made on first use


@both_clients
def test_each_resource_is_made_once_and_its_shortcuts_are_its_own_methods(client_class):
    client = client_class(access_token=TOKEN, workspace_id=WORKSPACE_ID)

    assert client.models is client.models
    assert client.blocks._files is client.files  # type: ignore[attr-defined]
    for shortcut, resource in [
        (client.list_models, client.models),
        (client.get_embeddings_model, client.embeddings),
        (client.transcribe_audio, client.blocks),
        (client.get_rag_collection, client.rag),
    ]:
        assert shortcut.__self__ is resource  # type: ignore[attr-defined]
        assert shortcut.__func__ is getattr(type(resource), shortcut.__name__)  # type: ignore[attr-defined]


def test_what_type_checkers_see_is_what_the_client_makes():
    # _init_with's `if TYPE_CHECKING:` block and the RESOURCES and SHORTCUTS tables name the
    # same attributes: a name in only one of them would be untyped, or missing at run time.
    tree = ast.parse(inspect.getsource(async_client_module.AsyncGradient._init_with).strip())
    block = next(node for node in ast.walk(tree) if isinstance(node, ast.If))
    assigned: dict[str, str | None] = {}
    for statement in block.body:
        assert isinstance(statement, ast.Assign)
        (target,) = statement.targets
        assert isinstance(target, ast.Attribute)
        value = statement.value
        area = (
            value.value.attr
            if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Attribute)
            else None
        )
        assigned[target.attr] = area

    resources = [name for name, area in assigned.items() if area is None]
    shortcuts = {name: area for name, area in assigned.items() if area is not None}
    assert resources == list(async_client_module.RESOURCES)
    assert shortcuts == async_client_module.SHORTCUTS


@both_clients
def test_a_with_options_twin_has_resources_on_its_own_settings(client_class):
    client = client_class(access_token=TOKEN, workspace_id=WORKSPACE_ID)
    first = client.models

    twin = client.with_options(max_retries=0)

    assert twin.models is not first
    assert twin.models._transport.config.max_retries == 0  # type: ignore[attr-defined]
    assert client.models._transport.config.max_retries == 2  # type: ignore[attr-defined]


@both_clients
def test_dir_lists_the_resources_and_a_typo_is_an_attribute_error(client_class):
    client = client_class(access_token=TOKEN, workspace_id=WORKSPACE_ID)

    assert {"models", "rag", "list_models", "extract_pdf", "with_options"} <= set(dir(client))
    assert "models" not in vars(client)  # listed, not yet made
    with pytest.raises(AttributeError, match=f"'{client_class.__name__}' object has no attribute"):
        _ = client.modles  # type: ignore[attr-defined]


# The token stays hidden


@both_clients
def test_repr_and_str_never_show_the_token(client_class):
    client = client_class(access_token=TOKEN, workspace_id=WORKSPACE_ID)

    shown = [repr(client), str(client), repr(client.config), str(client.config)]

    for text in shown:
        assert TOKEN not in text
    assert repr(client) == (
        f"{client_class.__name__}(host='https://api.gradient.ai/api', "
        f"workspace_id={WORKSPACE_ID!r})"
    )
    assert f"workspace_id={WORKSPACE_ID!r}" in repr(client.config)


@pytest.mark.anyio
async def test_debug_logs_of_a_request_never_show_the_token(client, api, caplog):
    caplog.set_level(logging.DEBUG)
    api.post(COMPLETE_PATH).mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json=COMPLETION_JSON)]
    )

    await call(client.models.complete(model_id=ADAPTER_ID, query="Hi"))

    sdk_messages = [r.getMessage() for r in caplog.records if r.name == "gradient_sdk"]
    assert f"POST {COMPLETE_PATH} -> 200" in sdk_messages
    assert any("retry 1 of 2" in message for message in sdk_messages)
    assert TOKEN not in caplog.text
    assert all(TOKEN not in str(record.args) for record in caplog.records)


# Timeouts


def timeout_seen(api, path: str = "/embeddings") -> dict[str, Any]:
    """Mocks ``path`` and returns the dict that will hold the timeout httpx applied."""
    seen: dict[str, Any] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        seen.update(request.extensions["timeout"])
        return httpx.Response(200, json={"embeddingsModels": []})

    api.get(path).mock(side_effect=answer)
    return seen


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        ("default", {"connect": 10.0, "read": 60.0, "write": 60.0, "pool": 60.0}),
        (5.0, {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}),
        (httpx.Timeout(30, connect=2), {"connect": 2, "read": 30, "write": 30, "pool": 30}),
        (None, {"connect": None, "read": None, "write": None, "pool": None}),
    ],
)
async def test_the_configured_timeout_reaches_httpx(make_client, api, timeout, expected):
    client = make_client() if timeout == "default" else make_client(timeout=timeout)
    seen = timeout_seen(api)

    await call(client.list_embeddings_models())

    assert seen == expected


@pytest.mark.anyio
async def test_with_options_changes_the_timeout_of_the_new_client(client, api):
    seen = timeout_seen(api)

    await call(client.with_options(timeout=1.5).list_embeddings_models())

    assert seen == {"connect": 1.5, "read": 1.5, "write": 1.5, "pool": 1.5}
    assert client.config.timeout is OPERATION_TIMEOUTS  # the original keeps its defaults


@pytest.mark.anyio
async def test_with_options_can_lift_the_timeout(client, api):
    # As for the constructor, None means "wait forever".
    seen = timeout_seen(api)

    await call(client.with_options(timeout=None).list_embeddings_models())

    assert seen == {"connect": None, "read": None, "write": None, "pool": None}


@pytest.mark.anyio
async def test_an_httpx_timeout_becomes_an_api_timeout_error(make_client, api):
    client = make_client(max_retries=0)
    api.get("/embeddings").mock(side_effect=httpx.ReadTimeout("read timed out"))

    with pytest.raises(
        APITimeoutError, match=r"GET https://api\.gradient\.ai/api/embeddings timed out"
    ):
        await call(client.list_embeddings_models())


# Closing


class RecordingTransport(httpx.MockTransport):
    """Answers every request with an empty embeddings listing and remembers being closed."""

    def __init__(self) -> None:
        super().__init__(lambda request: httpx.Response(200, json={"embeddingsModels": []}))
        self.closed = False

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def credentials() -> dict[str, str]:
    return {"access_token": TOKEN, "workspace_id": WORKSPACE_ID}


@pytest.mark.anyio
async def test_the_async_context_manager_closes_the_pool():
    transport = RecordingTransport()

    async with AsyncGradient(**credentials(), transport=transport) as client:
        await client.list_embeddings_models()
        assert not transport.closed

    assert transport.closed


def test_the_sync_context_manager_closes_the_pool():
    transport = RecordingTransport()

    with Gradient(**credentials(), transport=transport) as client:
        client.list_embeddings_models()
        assert not transport.closed

    assert transport.closed


@pytest.mark.anyio
@pytest.mark.parametrize("method", ["aclose", "close"])
async def test_aclose_and_its_close_alias_close_the_async_pool(method):
    transport = RecordingTransport()
    client = AsyncGradient(**credentials(), transport=transport)

    await getattr(client, method)()

    assert transport.closed


def test_close_closes_the_sync_pool():
    transport = RecordingTransport()
    client = Gradient(**credentials(), transport=transport)

    client.close()

    assert transport.closed


@pytest.mark.anyio
async def test_a_caller_supplied_async_http_client_is_left_open():
    transport = RecordingTransport()
    async with httpx.AsyncClient(transport=transport) as http_client:
        async with AsyncGradient(**credentials(), http_client=http_client) as client:
            await client.list_embeddings_models()

        assert not http_client.is_closed
        assert (await http_client.get("https://api.gradient.ai/api/embeddings")).is_success


def test_a_caller_supplied_sync_http_client_is_left_open():
    transport = RecordingTransport()
    with httpx.Client(transport=transport) as http_client:
        with Gradient(**credentials(), http_client=http_client) as client:
            client.list_embeddings_models()

        assert not http_client.is_closed
        assert not transport.closed


@pytest.mark.anyio
async def test_closing_a_with_options_twin_leaves_the_shared_pool_open(make_client):
    transport = RecordingTransport()
    client = make_client(transport=transport)
    twin = client.with_options(max_retries=0)

    await call(twin.close())
    still_listed = await call(client.list_embeddings_models())
    await call(client.close())

    assert still_listed == []
    assert transport.closed


# Bad arguments fail before any request


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        pytest.param({"query": ""}, ValueError, id="empty query"),
        pytest.param({"query": 42}, TypeError, id="query not a string"),
        pytest.param({"max_generated_token_count": 0}, ValueError, id="0 tokens"),
        pytest.param({"max_generated_token_count": 512}, ValueError, id="512 tokens"),
        pytest.param({"max_generated_token_count": -1}, ValueError, id="negative tokens"),
        pytest.param({"max_generated_token_count": 10.5}, TypeError, id="fractional tokens"),
        pytest.param({"max_generated_token_count": True}, TypeError, id="boolean tokens"),
        pytest.param({"temperature": -0.1}, ValueError, id="temperature -0.1"),
        pytest.param({"temperature": 1.1}, ValueError, id="temperature 1.1"),
        pytest.param({"temperature": float("nan")}, ValueError, id="temperature nan"),
        pytest.param({"temperature": "0.5"}, TypeError, id="temperature string"),
        pytest.param({"top_p": 1.5}, ValueError, id="top_p 1.5"),
        pytest.param({"top_p": -0.5}, ValueError, id="top_p -0.5"),
        pytest.param({"top_k": 0}, ValueError, id="top_k 0"),
        pytest.param({"top_k": 2.5}, TypeError, id="top_k fractional"),
        pytest.param({"rag_collection_id": ""}, ValueError, id="empty rag collection"),
        pytest.param({"auto_template": "yes"}, TypeError, id="auto_template not a bool"),
    ],
)
async def test_bad_completion_arguments_fail_before_any_request(client, api, arguments, error):
    route = api.post(COMPLETE_PATH).respond(json=COMPLETION_JSON)

    with pytest.raises(error):
        await call(client.models.complete(model_id=ADAPTER_ID, **{"query": "Hi", **arguments}))

    assert not route.called


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("guidance", "error", "message"),
    [
        pytest.param(
            {"type": "regex", "value": ["a"]}, ValueError, "only guidance type", id="type"
        ),
        pytest.param({"type": "choice", "value": []}, ValueError, "1 to 10", id="no choices"),
        pytest.param({"value": [str(n) for n in range(11)]}, ValueError, "1 to 10", id="11"),
        pytest.param({"value": ["x" * 33]}, ValueError, "1 to 32", id="long choice"),
        pytest.param({"value": [""]}, ValueError, "1 to 32", id="empty choice"),
        pytest.param({"value": ["a"], "choices": ["b"]}, TypeError, "unexpected key", id="key"),
        pytest.param({"type": "choice"}, TypeError, "missing", id="no value"),
        pytest.param("yes|no", TypeError, "dict or Guidance", id="string"),
        pytest.param({"type": "choice", "value": "yes"}, TypeError, "list", id="value string"),
    ],
)
async def test_bad_guidance_fails_before_any_request(client, api, guidance, error, message):
    route = api.post(COMPLETE_PATH).respond(json=COMPLETION_JSON)

    with pytest.raises(error, match=message):
        await call(client.models.complete(model_id=ADAPTER_ID, query="Hi", guidance=guidance))

    assert not route.called


def test_a_guidance_record_refuses_a_string_of_choices():
    with pytest.raises(TypeError):
        Guidance(value="yes")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("samples", "error"),
    [
        pytest.param([], ValueError, id="no samples"),
        pytest.param("text", TypeError, id="a string"),
        pytest.param({"inputs": "text"}, TypeError, id="one dict"),
        pytest.param(["text"], TypeError, id="a list of strings"),
        pytest.param([{}], TypeError, id="no inputs"),
        pytest.param([{"input": "text"}], TypeError, id="misspelt key"),
        pytest.param([{"inputs": ""}], ValueError, id="empty text"),
        pytest.param([{"inputs": []}], ValueError, id="empty pieces"),
        pytest.param([{"inputs": 7}], TypeError, id="inputs a number"),
        pytest.param([{"inputs": ["piece"]}], TypeError, id="pieces as strings"),
        pytest.param([{"inputs": [{"text": "a"}]}], TypeError, id="piece without value"),
        pytest.param([{"inputs": [{"value": ""}]}], ValueError, id="empty piece"),
        pytest.param([{"inputs": [{"value": "a", "trainable": "no"}]}], TypeError, id="trainable"),
        pytest.param([{"inputs": "text", "multiplier": 0}], ValueError, id="multiplier 0"),
        pytest.param([{"inputs": "text", "multiplier": -1.0}], ValueError, id="negative"),
        pytest.param([{"inputs": "text", "multiplier": "2"}], TypeError, id="multiplier string"),
        pytest.param([Sample(inputs="ok"), {"inputs": "ok", "weight": 2}], TypeError, id="extra"),
    ],
)
async def test_bad_samples_fail_before_any_request(client, api, samples, error):
    route = api.post(FINE_TUNE_PATH).respond(json=FINE_TUNE_JSON)

    with pytest.raises(error):
        await call(client.models.fine_tune(model_adapter_id=ADAPTER_ID, samples=samples))

    assert not route.called


@pytest.mark.anyio
async def test_an_infinite_multiplier_is_refused_by_name(client, api):
    route = api.post(FINE_TUNE_PATH).respond(json=FINE_TUNE_JSON)

    with pytest.raises(ValueError, match="multiplier"):
        await call(
            client.models.fine_tune(
                model_adapter_id=ADAPTER_ID, samples=[{"inputs": "x", "multiplier": float("inf")}]
            )
        )

    assert not route.called


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        pytest.param({"name": ""}, ValueError, id="empty name"),
        pytest.param({"rank": 0}, ValueError, id="rank 0"),
        pytest.param({"rank": 33}, ValueError, id="rank 33"),
        pytest.param({"rank": "8"}, TypeError, id="rank string"),
        pytest.param({"learning_rate": 0}, ValueError, id="learning rate 0"),
        pytest.param({"learning_rate": 1}, ValueError, id="learning rate 1"),
    ],
)
async def test_bad_adapter_settings_fail_before_any_request(client, api, arguments, error):
    route = api.post("/models").respond(json={"id": ADAPTER_ID})

    with pytest.raises(error):
        await call(
            client.models.create_model_adapter(
                **{"base_model_id": BASE_MODEL_ID, "name": "my adapter", **arguments}
            )
        )

    assert not route.called


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("inputs", "error"),
    [
        pytest.param([], ValueError, id="no inputs"),
        pytest.param("one text", TypeError, id="a string"),
        pytest.param([""], ValueError, id="empty text"),
        pytest.param([{"text": "a"}], TypeError, id="misspelt key"),
        pytest.param([3.5], TypeError, id="a number"),
    ],
)
async def test_bad_embeddings_inputs_fail_before_any_request(client, api, inputs, error):
    route = api.post("/embeddings/bge-large").respond(json={"embeddings": []})

    with pytest.raises(error):
        await call(client.embeddings.embed(slug="bge-large", inputs=inputs))

    assert not route.called


@pytest.mark.anyio
@pytest.mark.parametrize("model_id", ["", ".", ".."])
async def test_an_id_that_cannot_be_a_path_segment_fails_before_any_request(client, api, model_id):
    route = api.route()

    with pytest.raises(ValueError, match="not a valid id"):
        await call(client.get_model_adapter(model_adapter_id=model_id))

    assert not route.called
