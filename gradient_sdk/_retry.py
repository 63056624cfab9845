"""When to retry a failed request, and how long to wait before the next attempt.

This is a small hand-written policy rather than a retry library: the decision needs the HTTP
status, the ``Retry-After`` header and whether the request may have reached the server, which
general-purpose retry decorators do not see.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx

#: Statuses worth another try: the server asks us to come back, or failed on its side.
#: 501 (not implemented) and 505 (HTTP version) will not change on another try.
RETRYABLE_STATUSES = frozenset({408, 409, 429}) | frozenset(range(500, 600)) - {501, 505}

#: Transport failures that happen before a single byte of the request is sent.
UNSENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)


class RetryPolicy:
    """Exponential backoff with jitter, bounded, and honouring ``Retry-After``.

    ``max_retry_after``: a ``Retry-After`` longer than this is not honoured; the backoff
    applies instead.
    """

    __slots__ = ("initial_delay", "jitter", "max_delay", "max_retry_after")

    def __init__(
        self,
        initial_delay: float = 0.5,
        max_delay: float = 8.0,
        max_retry_after: float = 60.0,
        jitter: float = 0.25,
    ) -> None:
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after
        self.jitter = jitter

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(initial_delay={self.initial_delay!r}, max_delay={self.max_delay!r}, "
            f"max_retry_after={self.max_retry_after!r}, jitter={self.jitter!r})"
        )

    def delay(self, retries_done: int, headers: Mapping[str, str] | None = None) -> float:
        """Seconds to wait before retry number ``retries_done + 1``."""
        asked = retry_after_seconds(headers) if headers is not None else None
        if asked is not None and 0 <= asked <= self.max_retry_after:
            return asked
        backoff = min(self.initial_delay * 2.0**retries_done, self.max_delay)
        return backoff * (1 - self.jitter * random.random())


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The wait the server asked for, from ``retry-after-ms`` or ``Retry-After``."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return float(milliseconds) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def may_retry_status(status_code: int, *, idempotent: bool) -> bool:
    """Whether an error status may be retried.

    A request that is not idempotent (a fine-tune, creating an adapter) reached the server
    if it got a status back, so it is never retried on a status.
    """
    return idempotent and status_code in RETRYABLE_STATUSES


def may_retry_error(error: Exception, *, idempotent: bool) -> bool:
    """Whether a transport failure may be retried: any, unless the request was not idempotent
    and might have reached the server."""
    return idempotent or isinstance(error, UNSENT_ERRORS)


def done_before_retry(method: str, status_code: int, *, retries_done: int) -> bool:
    """Whether a retried DELETE's 404 means the earlier attempt did the deleting.

    An attempt that timed out most likely reached the server; when the retry then finds
    nothing to delete, the delete happened, and reporting NotFoundError would be wrong.
    """
    return method == "DELETE" and status_code == 404 and retries_done > 0
