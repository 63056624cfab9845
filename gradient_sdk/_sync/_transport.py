# Generated from gradient_sdk/_async/_transport.py by scripts/unasync.py: do not edit.
"""The one place that sends requests: headers, timeout, retries, errors, decoding."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs
import httpx

from .._config import NOT_GIVEN, ClientConfig, NotGiven, TimeoutLike
from .._endpoints import Endpoint
from .._http import (
    FILE_PART,
    EncodedBody,
    client_headers,
    decoded_json,
    encode_request,
    parse_success,
    query_params,
    status_error,
)
from .._logs import logger
from .._retry import RetryPolicy, done_before_retry, may_retry_error, may_retry_status
from ..errors import APIConnectionError, APITimeoutError, ClientClosedError, GradientError
from . import _backend

RequestT = TypeVar("RequestT")
ResponseT = TypeVar("ResponseT")
T = TypeVar("T")


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
        self._headers = client_headers(config)
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
        default_headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
    ) -> Transport:
        """A transport with other settings that shares this one's connection pool.

        ``default_headers`` are added to this transport's (a value replaces the same header).
        """
        changes: dict[str, Any] = {}
        if not isinstance(timeout, NotGiven):
            changes["timeout"] = timeout
        if not isinstance(max_retries, NotGiven):
            changes["max_retries"] = max_retries
        if not isinstance(default_headers, NotGiven):
            changes["default_headers"] = {**self.config.default_headers, **default_headers}
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
        endpoint: Endpoint[RequestT, ResponseT],
        *,
        path: Mapping[str, str] | None = None,
        body: RequestT | None = None,
        params: Mapping[str, str] | None = None,
    ) -> ResponseT:
        """Send one operation of the endpoint table and read its answer into its record.

        Operations whose answer nobody reads (``response`` None) return None.
        """
        response = self.send(
            endpoint.method,
            endpoint.url_path(path),
            body=encode_request(body),
            params=params,
            resend_safe=endpoint.resend_safe,
        )
        if endpoint.response is None:
            return None  # type: ignore[return-value]  # ResponseT is None for these rows
        return parse_success(response, endpoint.response)

    def request_raw(
        self,
        method: str,
        path: str,
        *,
        body: object,
        params: Mapping[str, str] | None,
        resend_safe: bool | None,
        cast_to: type[T] | None,
    ) -> T | Any:
        """A request to any path: the low-level escape hatch behind ``client.request``."""
        method = method.upper()
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', relative to the base URL; got {path!r}")
        safe = method in {"GET", "HEAD", "DELETE"} if resend_safe is None else resend_safe
        response = self.send(
            method, path, body=encode_request(body), params=params, resend_safe=safe
        )
        if cast_to is None:
            return decoded_json(response) if response.content else None
        return parse_success(response, cast_to)

    def send(
        self,
        method: str,
        path: str,
        *,
        body: EncodedBody,
        params: Mapping[str, str] | None,
        resend_safe: bool,
    ) -> httpx.Response:
        """Send with retries; the successful response, or the SDK's error for the last try."""
        url = self.config.base_url + path
        params = query_params(params)
        if self.is_closed:
            raise ClientClosedError("the client is closed; create a new one to send requests")
        attempts = self.config.max_retries + 1
        retries_done = 0
        while True:
            error: GradientError
            retry_headers: Mapping[str, str] | None = None
            logger.debug("%s %s: attempt %d of %d", method, path, retries_done + 1, attempts)
            try:
                response = self._send_once(method, url, body, params)
            except httpx.RequestError as failure:
                error = _connection_error(failure, method, url)
                error.__cause__ = failure
                retryable = may_retry_error(failure, idempotent=resend_safe)
            else:
                logger.debug("%s %s -> %d", method, path, response.status_code)
                if response.is_success or done_before_retry(
                    method, response.status_code, retries_done=retries_done
                ):
                    return response
                error = status_error(response, secret=self.config.access_token)
                retry_headers = response.headers
                retryable = may_retry_status(response.status_code, idempotent=resend_safe)
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

    def _send_once(
        self, method: str, url: str, body: EncodedBody, params: Mapping[str, str] | None
    ) -> httpx.Response:
        headers = self._headers
        if body.content_type is not None:
            headers = headers.copy()
            headers["Content-Type"] = body.content_type
        with contextlib.ExitStack() as stack:
            files = None
            if body.upload is not None:
                # Opened for each attempt and streamed by httpx: never read whole.
                upload = body.upload
                stream = stack.enter_context(upload.path.open("rb"))
                files = {FILE_PART: (upload.filename, stream, upload.content_type)}
            return self._http_client.request(
                method,
                url,
                content=body.json,
                files=files,
                params=params,
                headers=headers,
                timeout=self.config.timeout,
            )


def _connection_error(failure: httpx.RequestError, method: str, url: str) -> APIConnectionError:
    if isinstance(failure, httpx.TimeoutException):
        return APITimeoutError(f"{method} {url} timed out", method=method, url=url)
    reason = type(failure).__name__
    return APIConnectionError(f"{method} {url} failed: {reason}", method=method, url=url)
