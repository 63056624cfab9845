"""The access token stays in the ``Authorization`` header: SDK side.

It must not show in the ``repr``/``str`` of clients, configs and handles, in errors (message,
attributes, chained causes, formatted tracebacks), nor in any log record at any level,
httpx's and httpcore's DEBUG records included, whether the request succeeds, fails or is
retried. Each scenario also checks that the token did reach the server, so a pass is not
the token silently going missing.

What the server writes in its own error body is the server's business: when it echoes the
token, the SDK quotes it (``test_a_server_echoing_the_token_is_quoted_only_in_its_own_words``).

The emulator's side (its logs) is covered in the emulator section of this suite, later.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from gradient_sdk import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AsyncGradient,
    AuthenticationError,
    ClientConfig,
    ConfigurationError,
    Gradient,
    GradientError,
    InternalServerError,
)

from .conftest import TOKEN, WORKSPACE_ID
from .fault_server import (
    ADAPTER_ID,
    BASE_MODEL_ID,
    Action,
    FaultServer,
    HangBeforeHeaders,
    InvalidJson,
    Reply,
    ResetAfterRead,
)

if TYPE_CHECKING:
    from .conftest import Harness

COMPLETE = f"/api/models/{BASE_MODEL_ID}/complete"
FINE_TUNE = f"/api/models/{ADAPTER_ID}/fine-tune"
LOGGERS = ("", "gradient_sdk", "httpx", "httpcore", "h11", "anyio", "asyncio", "trio")

AnyClient = AsyncGradient | Gradient


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    script: tuple[Action, ...]
    raises: type[Exception] | None
    max_retries: int = 2
    timeout: float = 1.0

    def call(self, client: AnyClient) -> Any:
        if self.path == FINE_TUNE:
            return client.models.fine_tune(model_adapter_id=ADAPTER_ID, samples=[{"inputs": "x"}])
        return client.models.complete(model_id=BASE_MODEL_ID, query="Hi")

    def __str__(self) -> str:
        return self.name


SCENARIOS = [
    Scenario("success", COMPLETE, (), None),
    Scenario("retried-503", COMPLETE, (Reply(503),), None),
    Scenario("retried-reset", COMPLETE, (ResetAfterRead(),), None),
    Scenario(
        "401",
        COMPLETE,
        (Reply(401, body={"message": "invalid access token", "type": "unauthorized"}),),
        AuthenticationError,
    ),
    Scenario("500-after-retries", COMPLETE, (Reply(500),) * 3, InternalServerError),
    Scenario("reset-after-retries", COMPLETE, (ResetAfterRead(),) * 3, APIConnectionError),
    Scenario(
        "timeout", COMPLETE, (HangBeforeHeaders(),), APITimeoutError, max_retries=0, timeout=0.2
    ),
    Scenario("invalid-json", COMPLETE, (InvalidJson(),), APIResponseValidationError),
    Scenario("fine-tune-reset", FINE_TUNE, (ResetAfterRead(),), APIConnectionError),
]


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record of every logger involved, down to DEBUG."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    return caplog


def rendered_logs(caplog: pytest.LogCaptureFixture) -> str:
    """The records as a handler would write them (exception text included), and their args."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(
        f"{formatter.format(record)} args={record.args!r}" for record in caplog.records
    )


def error_texts(error: BaseException) -> list[str]:
    """What a caller, a log handler or a crash report may print of an error and its causes."""
    texts = ["".join(traceback.format_exception(error))]
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(vars(current)), repr(current.args)]
        current = current.__cause__ or current.__context__
    return texts


def assert_no_token(text: str, where: str) -> None:
    """Fail naming the line that holds the token, with the token masked in the report."""
    lines = [line for line in text.splitlines() if TOKEN in line]
    shown = "\n".join(line.replace(TOKEN, "<TOKEN>")[:300] for line in lines[:3])
    if lines:
        pytest.fail(f"the access token is in {where}:\n{shown}", pytrace=False)


def check_no_token(
    outcome: Any, scenario: Scenario, server: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    if scenario.raises is None:
        assert not isinstance(outcome, BaseException), repr(outcome)
    else:
        assert type(outcome) is scenario.raises, repr(outcome)
        for text in error_texts(outcome):
            assert_no_token(text, "the error")
    assert_no_token(rendered_logs(caplog), "the log records")
    # Not vacuous: the token was sent, and httpcore did log at DEBUG.
    assert any(
        request.headers.get("authorization") == f"Bearer {TOKEN}" for request in server.requests
    )
    assert any(record.name.startswith("httpcore") for record in caplog.records)


@pytest.mark.anyio
@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
async def test_the_token_is_in_no_log_record_or_error_of_the_async_client(
    scenario: Scenario,
    server: FaultServer,
    harness: Harness,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    server.script(scenario.path, *scenario.script)

    async with harness.async_client(
        timeout=scenario.timeout, max_retries=scenario.max_retries
    ) as client:
        try:
            outcome = await scenario.call(client)
        except GradientError as error:
            outcome = error

    check_no_token(outcome, scenario, server, debug_logs)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_the_token_is_in_no_log_record_or_error_of_the_sync_client(
    scenario: Scenario,
    server: FaultServer,
    harness: Harness,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    server.script(scenario.path, *scenario.script)

    with harness.sync_client(timeout=scenario.timeout, max_retries=scenario.max_retries) as client:
        try:
            outcome = scenario.call(client)
        except GradientError as error:
            outcome = error

    check_no_token(outcome, scenario, server, debug_logs)


@pytest.mark.anyio
async def test_the_token_is_in_no_error_when_the_connection_is_refused(
    server: FaultServer, harness: Harness, debug_logs: pytest.LogCaptureFixture
) -> None:
    server.stop_listening()

    async with harness.async_client(max_retries=1) as client:
        with pytest.raises(APIConnectionError) as raised:
            await client.models.complete(model_id=BASE_MODEL_ID, query="Hi")

    for text in error_texts(raised.value):
        assert_no_token(text, "the error")
    assert_no_token(rendered_logs(debug_logs), "the log records")


def with_locals(error: BaseException) -> str:
    """The traceback as pytest --showlocals, rich's ``show_locals`` or an error tracker show
    it: every frame's local variables."""
    shown = traceback.TracebackException.from_exception(error, capture_locals=True)
    return "".join(shown.format())


#: Failures whose tracebacks are shown with locals: an error status, and a broken
#: connection (where an httpx exception may be chained as the cause).
LOCALS_SCENARIOS = {
    "status-500": (Reply(500), InternalServerError),
    "connection-reset": (ResetAfterRead(), APIConnectionError),
}


@pytest.mark.anyio
@pytest.mark.parametrize("failure", LOCALS_SCENARIOS)
async def test_the_token_is_in_no_traceback_shown_with_its_locals(
    failure: str, server: FaultServer, harness: Harness
) -> None:
    action, error_type = LOCALS_SCENARIOS[failure]
    server.script(COMPLETE, action)

    async with harness.async_client(max_retries=0) as client:
        with pytest.raises(error_type) as raised:
            await client.models.complete(model_id=BASE_MODEL_ID, query="Hi")

    assert_no_token(with_locals(raised.value), "the traceback's locals")


@pytest.mark.parametrize("failure", LOCALS_SCENARIOS)
def test_the_token_is_in_no_traceback_shown_with_its_locals_sync(
    failure: str, server: FaultServer, harness: Harness
) -> None:
    action, error_type = LOCALS_SCENARIOS[failure]
    server.script(COMPLETE, action)

    with harness.sync_client(max_retries=0) as client, pytest.raises(error_type) as raised:
        client.models.complete(model_id=BASE_MODEL_ID, query="Hi")

    assert_no_token(with_locals(raised.value), "the traceback's locals")


@pytest.mark.anyio
async def test_a_server_echoing_the_token_gets_it_masked_in_the_message(
    server: FaultServer, harness: Harness, debug_logs: pytest.LogCaptureFixture
) -> None:
    echoed = f"token Bearer {TOKEN} is not valid for this workspace"
    server.script(COMPLETE, Reply(401, body={"message": echoed, "type": "unauthorized"}))

    async with harness.async_client() as client:
        with pytest.raises(AuthenticationError) as raised:
            await client.models.complete(model_id=BASE_MODEL_ID, query="Hi")

    error = raised.value
    # The body stays the server's own, verbatim; the message the SDK builds masks the token.
    assert error.body == {"message": echoed, "type": "unauthorized"}
    assert "token Bearer *** is not valid for this workspace" in str(error)
    assert_no_token(str(error), "the error message")
    assert_no_token(rendered_logs(debug_logs), "the log records")


# --------------------------------------------------------------------------- reprs


def reprs(*objects: object) -> str:
    return "\n".join(f"{obj!r} {obj!s}" for obj in objects)


@pytest.mark.anyio
async def test_the_token_is_in_no_repr_of_the_async_client_or_its_handles(
    server: FaultServer, harness: Harness
) -> None:
    async with harness.async_client() as client:
        models = await client.list_models()
        embeddings_models = await client.list_embeddings_models()
        patient = client.with_options(timeout=5, max_retries=5)

        shown = reprs(
            client,
            client.config,
            patient,
            patient.config,
            client.models,
            client.embeddings,
            client._transport,
            *models,
            *(model.info for model in models),
            *embeddings_models,
        )

    assert client.config.access_token == TOKEN
    assert_no_token(shown, "a repr")


def test_the_token_is_in_no_repr_of_the_sync_client_or_its_handles(
    server: FaultServer, harness: Harness
) -> None:
    with harness.sync_client() as client:
        models = client.list_models()
        embeddings_models = client.list_embeddings_models()
        shown = reprs(client, client.config, client.with_options(timeout=5), *models)
        shown += reprs(*embeddings_models)

    assert_no_token(shown, "a repr")


def test_the_token_is_in_no_repr_of_a_config_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GRADIENT_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("GRADIENT_WORKSPACE_ID", WORKSPACE_ID)

    config = ClientConfig.resolve()
    client = Gradient()
    try:
        shown = reprs(config, client, client.config)
    finally:
        client.close()

    assert config.access_token == TOKEN
    assert_no_token(shown, "a repr")


@pytest.mark.parametrize(
    "arguments",
    [
        {"access_token": TOKEN},
        {"access_token": TOKEN, "workspace_id": WORKSPACE_ID, "host": "ftp://example"},
        {"access_token": TOKEN, "workspace_id": WORKSPACE_ID, "max_retries": -1},
    ],
    ids=["missing-workspace", "bad-host", "bad-max-retries"],
)
def test_the_token_is_in_no_configuration_error(arguments: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError) as raised:
        Gradient(**arguments)

    for text in error_texts(raised.value):
        assert_no_token(text, "the error")
