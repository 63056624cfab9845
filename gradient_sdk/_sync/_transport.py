# Generated from gradient_sdk/_async/_transport.py by scripts/unasync.py: do not edit.
"""The one place that sends requests: headers, timeout, retries, errors, decoding."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs
import httpx

from .._config import NOT_GIVEN, ClientConfig, NotGiven, TimeoutLike
from .._http import encode_body, parse_success, request_headers, status_error
from .._retry import RetryPolicy, may_retry_error, may_retry_status
from .._wire import to_wire
from ..errors import APIConnectionError, APITimeoutError, ClientClosedError, GradientError
from . import _backend

T = TypeVar("T")

logger = logging.getLogger("gradient_sdk")


class Transport:
    """Sends requests for one client through one pooled ``httpx.Client``."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        if http_client is not None and transport is not None:
            raise TypeError("pass either http_client or transport, not both")
        self.config = config
        self.retry_policy = retry_policy or RetryPolicy()
        # A client passed in belongs to the caller, who closes it.
        self._owns_http_client = http_client is None
        self._http_client = http_client or httpx.Client(
            transport=transport, timeout=config.timeout, follow_redirects=False
        )

    def with_options(
        self,
        *,
        timeout: TimeoutLike | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Transport:
        """A transport with other settings that shares this one's connection pool."""
        changes: dict[str, Any] = {}
        if not isinstance(timeout, NotGiven):
            changes["timeout"] = timeout
        if not isinstance(max_retries, NotGiven):
            changes["max_retries"] = max_retries
        twin = Transport(
            attrs.evolve(self.config, **changes),
            http_client=self._http_client,
            retry_policy=self.retry_policy,
        )
        twin._owns_http_client = False
        return twin

    @property
    def is_closed(self) -> bool:
        """Whether the connection pool is closed."""
        return self._http_client.is_closed

    def close(self) -> None:
        """Close the connection pool, unless the caller handed it in."""
        if self._owns_http_client:
            self._http_client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        response_type: type[T],
        body: object = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> T:
        """Send a request and read the answer into ``response_type``."""
        response = self._send_with_retries(
            method, path, body=body, params=params, idempotent=idempotent
        )
        return parse_success(response, response_type)

    def request_without_result(self, method: str, path: str, *, idempotent: bool = True) -> None:
        """Send a request whose success body carries nothing worth reading."""
        self._send_with_retries(method, path, body=None, params=None, idempotent=idempotent)

    def _send_with_retries(
        self,
        method: str,
        path: str,
        *,
        body: object,
        params: Mapping[str, str] | None,
        idempotent: bool,
    ) -> httpx.Response:
        url = self.config.base_url + path
        content = None if body is None else encode_body(to_wire(body))
        headers = request_headers(self.config, has_body=content is not None)
        if self.is_closed:
            raise ClientClosedError("the client is closed; create a new one to send requests")
        retries_done = 0
        while True:
            error: GradientError
            retry_headers: Mapping[str, str] | None = None
            try:
                response = self._http_client.request(
                    method,
                    url,
                    content=content,
                    params=params,
                    headers=headers,
                    timeout=self.config.timeout,
                )
            except httpx.RequestError as failure:
                error = _connection_error(failure, method, url)
                error.__cause__ = failure
                retryable = may_retry_error(failure, idempotent=idempotent)
            else:
                logger.debug("%s %s -> %s", method, path, response.status_code)
                if response.is_success:
                    return response
                error = status_error(response, secret=self.config.access_token)
                retry_headers = response.headers
                retryable = may_retry_status(response.status_code, idempotent=idempotent)
            if not retryable or retries_done >= self.config.max_retries:
                raise error
            delay = self.retry_policy.delay(retries_done, retry_headers)
            retries_done += 1
            logger.info(
                "%s %s failed (%s); retry %d of %d in %.2fs",
                method,
                path,
                error,
                retries_done,
                self.config.max_retries,
                delay,
            )
            _backend.sleep(delay)


def _connection_error(failure: httpx.RequestError, method: str, url: str) -> APIConnectionError:
    if isinstance(failure, httpx.TimeoutException):
        return APITimeoutError(f"{method} {url} timed out", method=method, url=url)
    reason = type(failure).__name__
    return APIConnectionError(f"{method} {url} failed: {reason}", method=method, url=url)
