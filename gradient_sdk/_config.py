"""Client settings, resolved once from arguments and the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import TypedDict

import attrs
import httpx

from .errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.gradient.ai/api"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
DEFAULT_MAX_RETRIES = 2

ACCESS_TOKEN_ENV = "GRADIENT_ACCESS_TOKEN"
WORKSPACE_ID_ENV = "GRADIENT_WORKSPACE_ID"
API_URL_ENV = "GRADIENT_API_URL"

TimeoutLike = float | httpx.Timeout | None


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


def _non_negative(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise ConfigurationError(f"{attribute.name} must be >= 0, got {value}")


def _to_timeout(value: TimeoutLike) -> httpx.Timeout:
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)


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


@attrs.frozen
class ClientConfig:
    """Everything a client needs to reach the API.

    The access token is kept out of ``repr`` and ``str``; read it from ``access_token``.
    """

    access_token: str = attrs.field(repr=False)
    workspace_id: str
    base_url: str = DEFAULT_BASE_URL
    timeout: httpx.Timeout = attrs.field(default=DEFAULT_TIMEOUT, converter=_to_timeout)
    max_retries: int = attrs.field(default=DEFAULT_MAX_RETRIES, validator=_non_negative)
    #: Sent with every request, after the SDK's own (a proxy's or gateway's headers, say).
    default_headers: Mapping[str, str] = attrs.field(default=None, converter=_to_headers)

    @classmethod
    def resolve(
        cls,
        *,
        access_token: str | None = None,
        workspace_id: str | None = None,
        host: str | None = None,
        timeout: TimeoutLike = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
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
        base_url = host or env.get(API_URL_ENV) or DEFAULT_BASE_URL
        if not base_url.startswith(("http://", "https://")):
            raise ConfigurationError(f"host must be an http(s) URL, got {base_url!r}")
        return cls(
            access_token=token,
            workspace_id=workspace,
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
        )
