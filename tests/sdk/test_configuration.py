"""Configuration is checked at construction: hosts as they come from .env files, credentials
that cannot travel in a header, proxy variables httpx could not use. No message shows a
secret."""

from __future__ import annotations

import pytest

from gradient_sdk import AsyncGradient, ConfigurationError, Gradient

from ._support import TOKEN, WORKSPACE_ID

CLIENTS = [AsyncGradient, Gradient]


def make(client_class, **options):
    options.setdefault("access_token", TOKEN)
    options.setdefault("workspace_id", WORKSPACE_ID)
    return client_class(**options)


@pytest.mark.parametrize("client_class", CLIENTS)
@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("https://api.gradient.ai/api\n", "https://api.gradient.ai/api"),
        ("  http://127.0.0.1:8765/api\r\n", "http://127.0.0.1:8765/api"),
        ("HTTPS://api.gradient.ai/api/", "https://api.gradient.ai/api"),
        ("http://[::1]:8765/api", "http://[::1]:8765/api"),
    ],
)
def test_a_host_is_normalised_where_unambiguous(client_class, given, normalised):
    client = make(client_class, host=given)

    assert client.config.base_url == normalised


@pytest.mark.parametrize("client_class", CLIENTS)
@pytest.mark.parametrize(
    ("host", "problem"),
    [
        ("https://api.gradient.ai/api?region=eu", "query or a fragment"),
        ("https://api.gradient.ai/api#top", "query or a fragment"),
        ("http://", r"http\(s\) URL"),
        ("http://:8765/api", "no host name"),
        ("http://[::1/api", "not a valid URL"),
        ("http://localhost:70000/api", "not a valid URL"),
        ("http://localhost:0/api", "port 0"),
    ],
)
def test_a_host_that_cannot_be_meant_is_refused(client_class, host, problem):
    with pytest.raises(ConfigurationError, match=problem):
        make(client_class, host=host)


@pytest.mark.parametrize("client_class", CLIENTS)
@pytest.mark.parametrize(
    "host",
    ["http://user:hunter2-secret@gradient.internal/api", "http://:hunter2-secret@host:999999/api"],
)
def test_credentials_in_the_host_are_refused_and_never_shown(client_class, host):
    with pytest.raises(ConfigurationError) as raised:
        make(client_class, host=host)

    assert "hunter2-secret" not in str(raised.value)
    assert "hunter2-secret" not in repr(raised.value)
    assert raised.value.__cause__ is None
    assert raised.value.__context__ is None or "hunter2" not in str(raised.value.__context__)


@pytest.mark.parametrize("client_class", CLIENTS)
@pytest.mark.parametrize("field", ["access_token", "workspace_id"])
@pytest.mark.parametrize(
    "value",
    ["secret-with-newline\n", "secret\r\nX-Injected: 1", "sécret-accented", "secret with space"],
    ids=["newline", "crlf", "non-ascii", "space"],
)
def test_a_credential_a_header_cannot_carry_is_refused_unshown(client_class, field, value):
    with pytest.raises(ConfigurationError, match=field) as raised:
        make(client_class, **{field: value})

    assert value.strip() not in str(raised.value)
    assert "X-Injected" not in str(raised.value)


@pytest.mark.parametrize("client_class", CLIENTS)
@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "http_proxy", "ALL_PROXY"])
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("ftp://user:proxy-secret@proxy:21", "scheme 'ftp'"),
        ("http://user:proxy-secret@proxy:99999", "Port out of range"),
        ("http://[::1", "Invalid IPv6 URL"),
    ],
)
def test_a_proxy_variable_httpx_cannot_use_is_named(
    client_class, monkeypatch, variable, value, problem
):
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigurationError, match=problem) as raised:
        make(client_class)

    assert f"${variable}" in str(raised.value)
    assert "proxy-secret" not in str(raised.value)


@pytest.mark.parametrize("client_class", CLIENTS)
def test_a_good_proxy_variable_is_fine(client_class, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")

    client = make(client_class)

    assert client.config.base_url == "https://api.gradient.ai/api"
