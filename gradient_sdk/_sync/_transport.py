# Generated from gradient_sdk/_async/_transport.py by scripts/unasync.py: do not edit.
"""The one place that sends requests: headers, timeout, retries, errors, decoding."""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from .._config import (
    NOT_GIVEN,
    SLOW,
    ClientConfig,
    NotGiven,
    TimeoutLike,
    check_proxy_environment,
    proxy_environment_set,
)
from .._http import (
    FILE_PART,
    JSON_CONTENT_TYPE,
    EncodedBody,
    MaskedHeaders,
    ReadResponse,
    client_headers,
    declared_too_large,
    decoded_json,
    encode_request,
    parse_success,
    query_params,
    status_error,
    too_large,
)
from .._logs import logger
from .._retry import RetryPolicy, done_before_retry, may_retry_error, may_retry_status
from ..errors import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    ConfigurationError,
    GradientError,
)
from . import _backend

if TYPE_CHECKING:
    from .._endpoints import Endpoint

RequestT = TypeVar("RequestT")
ResponseT = TypeVar("ResponseT")
T = TypeVar("T")


#: How long a pooled connection may sit idle before it is closed, shorter than servers'
#: usual 5 s (uvicorn's, nginx's): a request then never races the server closing the
#: connection it was written to, so a fine-tune is not lost to that race.
KEEPALIVE_EXPIRY = 2.0

#: How many distinct URLs (a path per model, adapter, collection) a transport keeps parsed.
MAX_PARSED_URLS = 256

# Every transport of this process, so that a forked child can give each a pool of its own.
_TRANSPORTS: weakref.WeakSet[Transport] = weakref.WeakSet()
# The parent's pools, kept (never closed) in a forked child: closing them there would close
# the parent's connections too.
_LEFT_BY_FORK: list[object] = []


def _after_fork_in_child() -> None:
    for transport in list(_TRANSPORTS):
        transport.renew_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class Transport:
    """Sends requests for one client through one pooled ``httpx.Client``, or through
    the event loop's own pool where ``_backend.loop_pool`` gives one (aiohttp on asyncio)."""

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
        # Our own pooled client carries the headers (set once); a caller's client gets them
        # with every request, merged over its own.
        self._request_headers = None if self._owns_http_client else self._headers
        json_headers = httpx.Headers(self._request_headers)
        json_headers["Content-Type"] = JSON_CONTENT_TYPE
        self._json_headers = json_headers
        self._loop_headers = MaskedHeaders(self._headers)
        self._loop_json_headers = MaskedHeaders(
            {**self._headers, "Content-Type": JSON_CONTENT_TYPE}
        )
        self._transport = transport
        self._parsed_urls: dict[str, httpx.URL] = {}
        self._timeouts: dict[int, tuple[httpx.Timeout, dict[str, float | None]]] = {}
        # The pool that requests go to straight (see _send_direct); set with a client of ours.
        self._direct: httpx.BaseTransport | None = None
        self._http_client = http_client or self._new_http_client()
        self._direct_headers, self._direct_json_headers = self._headers_for_direct()
        # Only with a pool of our own: a caller's client or transport is used as given.
        self._loop_pool = (
            _backend.loop_pool(config, keepalive_expiry=KEEPALIVE_EXPIRY)
            if http_client is None and transport is None
            else None
        )
        _TRANSPORTS.add(self)

    def _new_http_client(self) -> httpx.Client:
        pool = self._transport
        if pool is None:
            check_proxy_environment()  # httpx reads the proxy variables only then
            if not proxy_environment_set():
                # A pool of ours, which requests can go to straight (_send_direct). With a
                # proxy variable, httpx's client makes its pools and picks one per URL.
                pool = httpx.HTTPTransport(limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY))
        try:
            client = httpx.Client(
                transport=pool,
                headers=self._headers,
                timeout=None,  # each request carries its own
                follow_redirects=False,
                limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY),  # for proxies' pools
            )
        except ImportError as error:  # a SOCKS proxy without httpx's socks extra
            raise ConfigurationError(f"the proxy variables need a package: {error}") from None
        _backend.bound_connections(client)
        # httpx reads no proxy variable for a client given its transport: the caller's is
        # the one pool, as ours is.
        self._direct = pool
        return client

    def _headers_for_direct(self) -> tuple[httpx.Headers, httpx.Headers]:
        """What the client would send with every request (its defaults under ours), for
        requests that go to the pool straight; plain and with a JSON Content-Type."""
        headers = httpx.Headers(self._http_client.headers)
        headers.update(self._headers)
        json_headers = httpx.Headers(headers)
        json_headers["Content-Type"] = JSON_CONTENT_TYPE
        return headers, json_headers

    def renew_after_fork(self) -> None:
        """In a forked child: a pool of its own, the parent's left open (and unused)."""
        if self._owns_http_client and not self.is_closed:
            _LEFT_BY_FORK.append(self._http_client)
            self._http_client = self._new_http_client()

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
        if not isinstance(default_headers, NotGiven):
            default_headers = {**self.config.default_headers, **default_headers}
        twin = Transport(
            self.config.replace(
                timeout=timeout, max_retries=max_retries, default_headers=default_headers
            ),
            http_client=self._http_client,
            retry_policy=self.retry_policy,
        )
        twin._loop_pool = self._loop_pool
        twin._direct = self._direct
        return twin

    @property
    def is_closed(self) -> bool:
        """Whether the connection pool is closed."""
        return self._http_client.is_closed

    def close(self) -> None:
        """Close the connection pool, unless the caller handed it in."""
        if self._owns_http_client:
            self._http_client.close()
            if self._loop_pool is not None:
                self._loop_pool.close()

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
            timeout=self.config.timeout_for(endpoint.timeout),
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
            method,
            path,
            body=encode_request(body),
            params=params,
            resend_safe=safe,
            timeout=self.config.timeout_for(SLOW),  # an operation we know nothing of
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
        timeout: httpx.Timeout,
    ) -> ReadResponse:
        """Send with retries; the successful response, or the SDK's error for the last try.

        Each attempt is bounded as a whole by ``timeout`` (see :func:`attempt_seconds`).
        """
        url = self.config.base_url + path
        params = query_params(params)
        attempts = self.config.max_retries + 1
        retries_done = 0
        while True:
            if self.is_closed:
                raise ClientClosedError("the client is closed; create a new one to send requests")
            error: GradientError
            retry_headers: Mapping[str, str] | None = None
            logger.debug("%s %s: attempt %d of %d", method, path, retries_done + 1, attempts)
            try:
                response = self._send_once(method, url, body, params, timeout)
            except (httpx.RequestError, TimeoutError, RuntimeError) as failure:
                if self.is_closed:
                    raise ClientClosedError(
                        "the client was closed while the request was in flight"
                    ) from None
                if isinstance(failure, RuntimeError):
                    raise
                error = _connection_error(failure, method, url, timeout)
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
        self,
        method: str,
        url: str,
        body: EncodedBody,
        params: Mapping[str, str] | None,
        timeout: httpx.Timeout,
    ) -> ReadResponse:
        pool = self._loop_pool
        if pool is not None and body.upload is None and _backend.loop_pool_applies():
            # aiohttp's own total timeout is the attempt's deadline there: an anyio cancel
            # scope around it would cost a tenth of the call.
            return pool.send(
                method,
                url,
                headers=self._loop_headers if body.json is None else self._loop_json_headers,
                content=body.json,
                params=params,
                timeout=timeout,
                deadline=attempt_seconds(timeout),
                max_bytes=self.config.max_response_bytes,
            )
        if self._direct is not None and body.upload is None:
            return self._send_direct(self._direct, method, url, body.json, params, timeout)
        headers = self._request_headers if body.json is None else self._json_headers
        with contextlib.ExitStack() as stack:
            files = None
            if body.upload is not None:
                # Opened for each attempt and streamed by httpx: never read whole.
                upload = body.upload
                stream = stack.enter_context(upload.path.open("rb"))
                files = {FILE_PART: (upload.filename, stream, upload.content_type)}
            request = self._http_client.build_request(
                method,
                self._parsed_url(url),
                content=body.json,
                files=files,
                params=params,
                headers=headers,
                timeout=timeout,
            )
            with _backend.deadline(attempt_seconds(timeout)):
                response = self._http_client.send(request, stream=True)
                try:
                    content = self._read_body(response)
                finally:
                    response.close()
        return ReadResponse(response.status_code, response.headers, content)

    def _send_direct(
        self,
        pool: httpx.BaseTransport,
        method: str,
        url: str,
        content: bytes | None,
        params: Mapping[str, str] | None,
        timeout: httpx.Timeout,
    ) -> ReadResponse:
        """One attempt sent to the pool itself, through httpx's public transport interface.

        The client's own layers (auth, cookies, redirects, event hooks) are none of them used
        by the SDK, and cost a third of a call: a request built here carries what the
        client would have added (its headers, the timeout), and skips the rest.
        """
        request = httpx.Request(
            method,
            self._parsed_url(url),
            params=params,
            headers=self._direct_headers if content is None else self._direct_json_headers,
            content=content,
            extensions={"timeout": self._timeout_extension(timeout)},
        )
        with _backend.deadline(attempt_seconds(timeout)):
            response = pool.handle_request(request)
            response.request = request
            try:
                body = self._read_body(response)
            finally:
                response.close()
        return ReadResponse(response.status_code, response.headers, body)

    def _timeout_extension(self, timeout: httpx.Timeout) -> dict[str, float | None]:
        """``timeout`` as the request extension httpx's pools read, built once per timeout
        (they are few: one per operation class, and the caller's)."""
        found = self._timeouts.get(id(timeout))
        if found is None or found[0] is not timeout:
            found = self._timeouts[id(timeout)] = (timeout, timeout.as_dict())
        return found[1]

    def _parsed_url(self, url: str) -> httpx.URL:
        """``url`` parsed once (httpx parses a string on every request; a URL is immutable)."""
        parsed = self._parsed_urls.get(url)
        if parsed is None:
            if len(self._parsed_urls) >= MAX_PARSED_URLS:  # model ids are open-ended
                self._parsed_urls.clear()
            parsed = self._parsed_urls[url] = httpx.URL(url)
        return parsed

    def _read_body(self, response: httpx.Response) -> bytes:
        """The body, decoded, read in chunks up to ``max_response_bytes``."""
        limit = self.config.max_response_bytes
        if declared_too_large(response.headers, limit):
            raise too_large(response.status_code, limit)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise too_large(response.status_code, limit)
            chunks.append(chunk)
            _backend.check_deadline()
        return b"".join(chunks)


def attempt_seconds(timeout: httpx.Timeout) -> float | None:
    """The whole budget of one attempt: its pool, connect and read timeouts together (None
    when reading or connecting is unbounded)."""
    if timeout.read is None or timeout.connect is None:
        return None
    return (timeout.pool or 0.0) + timeout.connect + timeout.read


def _connection_error(
    failure: Exception, method: str, url: str, timeout: httpx.Timeout
) -> APIConnectionError:
    if isinstance(failure, TimeoutError):
        seconds = attempt_seconds(timeout)
        return APITimeoutError(
            f"{method} {url} did not finish within its deadline of {seconds:g} s",
            method=method,
            url=url,
        )
    if isinstance(failure, httpx.TimeoutException):
        return APITimeoutError(f"{method} {url} timed out", method=method, url=url)
    reason = type(failure).__name__
    return APIConnectionError(f"{method} {url} failed: {reason}", method=method, url=url)
