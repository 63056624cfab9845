"""Client settings, resolved once from arguments and the environment."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import TypedDict
from urllib.parse import urlsplit, urlunsplit

import httpx

from ._exports import publish
from .errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.gradient.ai/api"
#: Seconds to open a connection, whatever the operation.
CONNECT_TIMEOUT = 10.0
#: The most a response body may be (decompressed), in bytes: far above any real answer (256
#: embeddings of 1,024 numbers are about 6 MB), far below what would hurt the caller.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_RETRIES = 2
#: Default attempt timeouts: a listing or a look-up, and work on a model (on a CPU emulator a
#: fine-tune or a long completion takes minutes).
QUICK = 60.0
SLOW = 600.0

ACCESS_TOKEN_ENV = "GRADIENT_ACCESS_TOKEN"
WORKSPACE_ID_ENV = "GRADIENT_WORKSPACE_ID"
API_URL_ENV = "GRADIENT_API_URL"
#: ``httpx`` keeps the async client on httpx's pool even where aiohttp's would be used (for
#: example under respx, which mocks httpx only); ``aiohttp`` or unset: the default.
ASYNC_POOL_ENV = "GRADIENT_ASYNC_POOL"


class OperationTimeouts:
    """The default timeout: each operation's own (60 s for listings and look-ups, 600 s for
    work on a model: completions, fine-tunes, embeddings, blocks, uploads)."""

    def __repr__(self) -> str:
        return "OPERATION_TIMEOUTS"

    def for_operation(self, seconds: float) -> httpx.Timeout:
        """The timeout of an operation whose default is ``seconds``."""
        return _operation_timeout(seconds)


@functools.cache
def _operation_timeout(seconds: float) -> httpx.Timeout:
    # One object per operation class, not one per request: a Timeout is immutable.
    return httpx.Timeout(seconds, connect=CONNECT_TIMEOUT)


OPERATION_TIMEOUTS = OperationTimeouts()
#: What ``timeout=`` takes: seconds, an ``httpx.Timeout``, None (no timeout at all), or
#: :data:`OPERATION_TIMEOUTS` (the default).
TimeoutLike = float | httpx.Timeout | OperationTimeouts | None


class ClientOptions(TypedDict, total=False):
    """The settings a client takes besides its credentials and host, for helpers that make
    clients (the emulator's ``serve``, say)."""

    timeout: TimeoutLike
    max_retries: int
    default_headers: Mapping[str, str] | None


class NotGiven:
    """Marks an argument left out, where None is a meaningful value (no timeout)."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


def _non_negative(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigurationError(f"{name} must be an integer, got {type(value).__name__}")
    if value < 0:
        raise ConfigurationError(f"{name} must be >= 0, got {value}")
    return value


def _to_timeout(value: TimeoutLike) -> httpx.Timeout | OperationTimeouts:
    if isinstance(value, httpx.Timeout | OperationTimeouts):
        return value
    if value is not None and (isinstance(value, bool) or not value > 0):
        raise ConfigurationError(f"timeout must be a positive number of seconds, got {value!r}")
    return httpx.Timeout(value)


#: Headers that carry the credentials: set from ``access_token`` and ``workspace_id`` only.
CREDENTIAL_HEADERS = frozenset({"authorization", "x-gradient-workspace-id"})


def _to_headers(value: Mapping[str, str] | None) -> Mapping[str, str]:
    headers = dict(value or {})
    for name, text in headers.items():
        if not isinstance(name, str) or not isinstance(text, str):
            raise ConfigurationError("default_headers must map header names to strings")
        if name.lower() in CREDENTIAL_HEADERS:
            raise ConfigurationError(
                f"default_headers cannot set {name}: pass access_token and workspace_id instead"
            )
    return MappingProxyType(headers)


def normalised_host(raw: str) -> str:
    """The API's base URL, normalised where that is unambiguous (surrounding white space, the
    scheme's case, a trailing slash), else a :class:`ConfigurationError` saying what is
    wrong. A URL with credentials in it is refused, and never shown."""
    text = raw.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        if "@" in text:
            raise ConfigurationError("host is not a valid URL") from None
        raise ConfigurationError(f"host is not a valid URL ({error}): {text!r}") from None
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError(
            "host must not carry credentials (user:password@): they would replace the access "
            "token; pass access_token instead"
        )
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"host must be an http(s) URL, got {text!r}")
    if not parts.hostname:
        raise ConfigurationError(f"host has no host name: {text!r}")
    if parts.query or parts.fragment:
        raise ConfigurationError(
            f"host must not have a query or a fragment (they would be dropped): {text!r}"
        )
    if port is not None and port == 0:
        raise ConfigurationError(f"host has port 0, which nothing listens on: {text!r}")
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


#: The variables httpx reads proxies from (in either case), as its own clients do.
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")
_PROXY_SCHEMES = frozenset({"http", "https", "socks5", "socks5h"})


def proxy_environment_set(environ: Mapping[str, str] | None = None) -> bool:
    """Whether a proxy variable is set (httpx then routes requests through the proxy)."""
    env = os.environ if environ is None else environ
    return any(env.get(name) or env.get(name.lower()) for name in PROXY_VARIABLES)


def check_proxy_environment(environ: Mapping[str, str] | None = None) -> None:
    """A :class:`ConfigurationError` naming a proxy variable httpx could not use, before httpx
    fails on it with an error of its own (or, for a bad port, only at the first request).
    The value is never shown: proxy URLs carry passwords."""
    env = os.environ if environ is None else environ
    for variable in PROXY_VARIABLES:
        for name in (variable, variable.lower()):
            value = env.get(name, "").strip()
            if not value:
                continue
            try:
                parts = urlsplit(value if "://" in value else f"http://{value}")
                _ = parts.port
            except ValueError as error:
                reason = str(error)
            else:
                if parts.scheme.lower() not in _PROXY_SCHEMES:
                    reason = f"scheme {parts.scheme!r} is not one of http, https, socks5"
                elif not parts.hostname:
                    reason = "it has no host name"
                else:
                    continue
            raise ConfigurationError(
                f"${name} is not a proxy URL httpx can use ({reason}); fix or unset it"
            )


def header_safe(value: str, name: str) -> None:
    """Refuse a credential that cannot travel in an HTTP header, without showing it."""
    if not isinstance(value, str):
        raise ConfigurationError(f"{name} must be a string, got {type(value).__name__}")
    if any(not 0x20 < ord(character) < 0x7F for character in value):
        raise ConfigurationError(
            f"{name} holds a character an HTTP header cannot carry (white space, a line break, "
            "a control or a non-ASCII character); check how it was read (a .env file, say)"
        )


class ClientConfig:
    """Everything a client needs to reach the API: immutable, compared by value.

    The access token is kept out of ``repr`` and ``str``; read it from ``access_token``.

    Written by hand rather than with attrs, as the records are: this class is built with
    every client, and importing attrs alone would cost a fifth of what importing httpx does.
    """

    __slots__ = (
        "access_token",
        "base_url",
        "default_headers",
        "max_response_bytes",
        "max_retries",
        "timeout",
        "workspace_id",
    )
    #: What ``repr`` shows, in the constructor's order: every field but the token.
    _SHOWN = (
        "workspace_id",
        "base_url",
        "timeout",
        "max_retries",
        "default_headers",
        "max_response_bytes",
    )

    access_token: str
    workspace_id: str
    base_url: str
    #: Each attempt's whole budget (connecting, sending, waiting and reading): a server that
    #: drips its answer cannot make an attempt last longer.
    timeout: httpx.Timeout | OperationTimeouts
    max_retries: int
    #: Sent with every request, after the SDK's own (a proxy's or gateway's headers, say).
    default_headers: Mapping[str, str]
    #: A larger response body (counted decompressed) is an error, never read whole.
    max_response_bytes: int

    def __init__(
        self,
        access_token: str,
        workspace_id: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: TimeoutLike = OPERATION_TIMEOUTS,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        fill = object.__setattr__  # the class refuses plain assignment
        fill(self, "access_token", access_token)
        fill(self, "workspace_id", workspace_id)
        fill(self, "base_url", base_url)
        fill(self, "timeout", _to_timeout(timeout))
        fill(self, "max_retries", _non_negative("max_retries", max_retries))
        fill(self, "default_headers", _to_headers(default_headers))
        fill(self, "max_response_bytes", _non_negative("max_response_bytes", max_response_bytes))

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ClientConfig is immutable; use replace(), not {name} = ...")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"ClientConfig is immutable; {name} cannot be deleted")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ClientConfig):
            return NotImplemented
        return self._values() == other._values()

    # Unhashable, as before: an httpx.Timeout and the headers' mapping are not hashable.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._SHOWN)
        return f"{type(self).__name__}({shown})"

    def replace(
        self,
        *,
        timeout: TimeoutLike | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        default_headers: Mapping[str, str] | NotGiven | None = NOT_GIVEN,
        max_response_bytes: int | NotGiven = NOT_GIVEN,
    ) -> ClientConfig:
        """A copy with the given settings changed (and checked as the constructor does)."""
        return type(self)(
            self.access_token,
            self.workspace_id,
            self.base_url,
            self.timeout if isinstance(timeout, NotGiven) else timeout,
            self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            self.default_headers if isinstance(default_headers, NotGiven) else default_headers,
            self.max_response_bytes
            if isinstance(max_response_bytes, NotGiven)
            else max_response_bytes,
        )

    def timeout_for(self, operation_seconds: float) -> httpx.Timeout:
        """The timeout of one operation, whose own default is ``operation_seconds``."""
        if isinstance(self.timeout, OperationTimeouts):
            return self.timeout.for_operation(operation_seconds)
        return self.timeout

    @classmethod
    def resolve(
        cls,
        *,
        access_token: str | None = None,
        workspace_id: str | None = None,
        host: str | None = None,
        timeout: TimeoutLike = OPERATION_TIMEOUTS,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        environ: Mapping[str, str] | None = None,
    ) -> ClientConfig:
        """Build a config from arguments, falling back to the ``GRADIENT_*`` variables.

        An empty string counts as unset, as in gradientai. A missing token or workspace id
        raises :class:`ConfigurationError` naming the argument and the variable.
        """
        env = os.environ if environ is None else environ
        token = access_token or env.get(ACCESS_TOKEN_ENV) or None
        workspace = workspace_id or env.get(WORKSPACE_ID_ENV) or None
        missing = [
            f"{argument} (or ${variable})"
            for argument, variable, value in (
                ("access_token", ACCESS_TOKEN_ENV, token),
                ("workspace_id", WORKSPACE_ID_ENV, workspace),
            )
            if value is None
        ]
        if missing:
            raise ConfigurationError("missing Gradient credentials: " + ", ".join(missing))
        assert token is not None
        assert workspace is not None
        header_safe(token, "access_token")
        header_safe(workspace, "workspace_id")
        base_url = normalised_host(host or env.get(API_URL_ENV) or DEFAULT_BASE_URL)
        return cls(
            access_token=token,
            workspace_id=workspace,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            max_response_bytes=max_response_bytes,
        )


publish(__name__, globals())
