"""The async client's connection pool on asyncio when the ``aiohttp`` extra is installed.

httpx's own async pool (httpcore on anyio) tops out at a few hundred calls per second with
64 in flight; aiohttp's C HTTP parser and asyncio-native pool make the same call of ours
with a quarter of the instructions and about ten times the calls per second
(``docs/performance.md``). :class:`AiohttpPool` sends one attempt through one
``aiohttp.ClientSession`` and hands back the ``ReadResponse`` (``_http.py``) the SDK reads,
so retries, errors and decoding stay the transport's (``_async/_transport.py``). The
attempt's deadline, which an ``anyio.fail_after`` scope enforces on httpx's pool, is
aiohttp's ``total`` timeout here (it runs until the body is read); its expiry is a
``TimeoutError``, as the scope's is.

It is aiohttp itself, not an httpx transport on top of it (``httpx-aiohttp``): going through
``httpx.AsyncClient`` and ``httpx.Request`` costs another 0.8 M instructions a call, and
that package maps every broken connection to ``httpx.ConnectTimeout``, which would make a
fine-tune that reached the server look safe to send again. Here aiohttp's errors become the
httpx errors that mean the same (:func:`httpx_error`), so ``_retry.py`` decides as it does
for httpx's pool.

Not sent here, by the transport's choice (``_async/_backend.py``): uploads (httpx streams the
multipart body), calls under trio, and everything when a proxy variable is set (httpx reads
them; aiohttp would only with ``trust_env``, which also lets ``~/.netrc`` replace the
``Authorization`` header).
"""

from __future__ import annotations

import functools
import os
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx

from ._http import ReadResponse, declared_too_large, too_large

if TYPE_CHECKING:
    import asyncio

    import aiohttp

# aiohttp (some 300 ms to import) is imported by the first request that is sent here, and
# asyncio with it: neither by ``import gradient_sdk``.

# Every pool of this process, so that a forked child stops using its parent's connections.
_POOLS: weakref.WeakSet[AiohttpPool] = weakref.WeakSet()
# Sessions left behind by a fork, never closed in the child: that would close the parent's.
_LEFT_BY_FORK: list[object] = []


def _after_fork_in_child() -> None:
    for pool in list(_POOLS):
        pool.forget_session()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


@functools.cache
def _errors() -> tuple[tuple[type[Exception], type[httpx.TransportError]], ...]:
    """aiohttp's errors, most specific first, and the httpx error that means the same: whether
    the request may have reached the server is what the retry policy reads from the class."""
    import aiohttp

    return (
        (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),  # pool wait or connect: unsent
        (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
        (aiohttp.ClientConnectorError, httpx.ConnectError),  # DNS, refused, TLS: unsent
        (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
        (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),
        (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
        (aiohttp.ClientOSError, httpx.ReadError),
        (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    )


def httpx_error(failure: aiohttp.ClientError) -> httpx.TransportError:
    """The httpx error that says what ``failure`` says (chained by the caller)."""
    error_class = next(
        (
            httpx_class
            for aiohttp_class, httpx_class in _errors()
            if isinstance(failure, aiohttp_class)
        ),
        httpx.TransportError,
    )
    return error_class(str(failure) or type(failure).__name__)


# Looked up once: an import statement of a module already loaded still costs a microsecond.
@functools.cache
def _aiohttp_module() -> Any:
    import aiohttp

    return aiohttp


@functools.cache
def _asyncio_module() -> Any:
    import asyncio

    return asyncio


async def _body(answer: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The body, decompressed, or ``ResponseTooLargeError`` past ``max_bytes``."""
    if declared_too_large(answer.headers, max_bytes):
        raise too_large(answer.status, max_bytes)
    if "content-length" in answer.headers and "content-encoding" not in answer.headers:
        # aiohttp reads exactly the declared length, which is within the limit: read it
        # whole. A compressed body can grow past its length, so it is read in chunks.
        return await answer.read()
    chunks: list[bytes] = []
    size = 0
    async for chunk in answer.content.iter_any():  # decompressed by aiohttp
        size += len(chunk)
        if size > max_bytes:
            raise too_large(answer.status, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


class AiohttpPool:
    """One aiohttp session (and so one connection pool) for a client and its
    ``with_options`` twins, opened on the first request, in that request's event loop."""

    def __init__(self, *, verify_tls: bool, keepalive_expiry: float) -> None:
        self._verify_tls = verify_tls
        self._keepalive_expiry = keepalive_expiry
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}
        _POOLS.add(self)

    def _session_here(self) -> aiohttp.ClientSession:
        loop = _asyncio_module().get_running_loop()
        if self._session is not None and self._loop is loop:
            return self._session
        import aiohttp

        if self._session is not None:
            # A session belongs to the loop it was opened in; that loop is gone or busy
            # elsewhere, and its sockets cannot be closed from here.
            self._session.detach()
        # The certificates httpx's own pool trusts (certifi, SSL_CERT_FILE), for https only.
        ssl: Any = httpx.create_ssl_context() if self._verify_tls else True
        connector = aiohttp.TCPConnector(
            limit=100, keepalive_timeout=self._keepalive_expiry, ssl=ssl
        )
        self._session = aiohttp.ClientSession(connector=connector, trust_env=False)
        self._loop = loop
        return self._session

    def forget_session(self) -> None:
        """Let the session go without closing it (a forked child's copy is the parent's)."""
        if self._session is not None:
            _LEFT_BY_FORK.append(self._session)
        self._session = self._loop = None

    def _client_timeout(
        self, timeout: httpx.Timeout, deadline: float | None
    ) -> aiohttp.ClientTimeout:
        # ``total`` bounds the whole attempt, which is what ``timeout=`` promises; connecting
        # has its own bound within it, so that a slow connect is a ConnectTimeout as on
        # httpx's pool. No per-read timeout (``sock_read``): inside the total it adds nothing
        # one can rely on, and its timer, reset at every read, costs 37 k instructions a call.
        key = (timeout.pool, timeout.connect, deadline)
        found = self._timeouts.get(key)
        if found is None:
            import aiohttp

            connect = None if timeout.connect is None else (timeout.pool or 0.0) + timeout.connect
            found = aiohttp.ClientTimeout(
                total=deadline, connect=connect, sock_connect=timeout.connect
            )
            self._timeouts[key] = found
        return found

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        content: bytes | None,
        params: Mapping[str, str] | None,
        timeout: httpx.Timeout,
        deadline: float | None,
        max_bytes: int,
    ) -> ReadResponse:
        """One attempt, over within ``deadline`` seconds (None: unbounded); the response
        with its body read whole, an httpx error, or ``TimeoutError`` at the deadline."""
        if params:
            url = f"{url}?{urlencode(params)}"  # as httpx encodes them
        session = self._session_here()
        try:
            async with session.request(
                method,
                url,
                data=content,
                headers=headers,
                allow_redirects=False,
                timeout=self._client_timeout(timeout, deadline),
            ) as answer:
                return ReadResponse(answer.status, answer.headers, await _body(answer, max_bytes))
        # The classes are looked up only when something was raised.
        except _aiohttp_module().ClientError as failure:
            raise httpx_error(failure) from failure
        except _asyncio_module().TimeoutError:  # the total timeout; not the builtin on 3.10
            raise TimeoutError(f"no answer within {deadline or 0:g} s") from None

    async def aclose(self) -> None:
        """Close the session, in the loop it belongs to (elsewhere it is only let go)."""
        import asyncio

        session, self._session = self._session, None
        if session is None:
            return
        try:
            same_loop = self._loop is asyncio.get_running_loop()
        except RuntimeError:  # trio: no asyncio loop runs here
            same_loop = False
        if same_loop:
            await session.close()
        else:
            session.detach()
