"""Deadlines for blocking calls: a whole attempt, not each wait for a byte, is bounded.

httpx's read timeout restarts with every byte, so a server that drips one byte a second
keeps a call going forever. The async client puts each attempt in an anyio cancel scope;
a thread cannot be cancelled, so the sync client does it one layer down instead: every
socket operation of the attempt gets, as its timeout, the smaller of httpx's and the time
left before the attempt's deadline. That needs the network streams of httpcore's pool, which
httpx does not expose: :func:`bound_connections` wraps the pool's network backend where it
finds one, and the SDK also checks the deadline between the chunks of a body, so even a
transport without that pool (a test's, a caller's) cannot read past it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Generator

import httpx

_local = threading.local()


@contextlib.contextmanager
def deadline(seconds: float | None) -> Generator[None, None, None]:
    """Bound everything this thread does in the block to ``seconds`` (None: no bound)."""
    previous: float | None = getattr(_local, "at", None)
    _local.at = None if seconds is None else time.monotonic() + seconds
    try:
        yield
    finally:
        _local.at = previous


def check_deadline() -> None:
    """``TimeoutError`` once this thread's deadline has passed."""
    at: float | None = getattr(_local, "at", None)
    if at is not None and time.monotonic() >= at:
        raise TimeoutError("the attempt's deadline passed")


def seconds_left() -> float | None:
    """Seconds before this thread's deadline (0 once it passed), or None without one."""
    at: float | None = getattr(_local, "at", None)
    return None if at is None else max(0.0, at - time.monotonic())


def bound_connections(client: httpx.Client) -> bool:
    """Make the sockets of ``client``'s own pools obey :func:`deadline`; whether it could
    (it cannot for a transport that is not httpx's own)."""
    # httpcore is imported here, not with the SDK: httpx too imports it only when needed.
    from ._bounded_sockets import bound_pool

    # httpx has no public way to reach a client's transports.
    transports = [client._transport, *client._mounts.values()]  # pyright: ignore[reportPrivateUsage]
    bounded = [bound_pool(transport) for transport in transports]  # every one, no short cut
    return any(bounded)
