"""uvicorn's HTTP/1.1 protocol, guarded: incomplete requests time out, connections are capped,
and framing errors answer the API's JSON error body.

uvicorn waits for a request's head as long as the client takes, so a thousand connections
that each send a header line now and then hold the server hostage (a slowloris). This
protocol gives every request ``head_timeout`` seconds, counted from its first byte, to
finish its head, and refuses connections beyond ``max_connections`` at once; both answer as
the API answers errors, with ``{"message": ...}``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: Seconds a client has to send a request's line and headers, from its first byte.
HEAD_TIMEOUT = 10.0
#: Connections open at once; more are answered 503 and closed.
MAX_CONNECTIONS = 512


class GuardedH11Protocol(H11Protocol):
    """:class:`uvicorn.protocols.http.h11_impl.H11Protocol` with the guards above."""

    head_timeout = HEAD_TIMEOUT
    max_connections = MAX_CONNECTIONS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # Refused once its request arrives: closing before reading it would reset the
        # connection, and the client would never see why.
        self._refused = len(self.connections) > self.max_connections
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            self._answer(503, "the emulator has too many connections open; try again later")
            return
        super().data_received(data)
        if self._awaiting_head():
            self._arm()
        else:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Idle between requests is uvicorn's keep-alive timeout; the next head gets its own.
        self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        self._answer(400, f"the request is not valid HTTP/1.1: {msg}")

    def _awaiting_head(self) -> bool:
        # uvicorn types it as always set, but it is None until the first head arrives.
        waiting = self.cycle is None or self.cycle.response_complete  # pyright: ignore[reportUnnecessaryComparison]
        return waiting and self.conn.their_state in (h11.IDLE, h11.DONE)

    def _arm(self) -> None:
        # From the first byte of a head: a client dripping bytes does not reset it.
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if (self._refused or self._awaiting_head()) and not self.transport.is_closing():
            self._answer(408, f"the request's head did not arrive within {self.head_timeout:g} s")

    def _answer(self, status: int, message: str) -> None:
        """Write a JSON error straight to the socket (h11's state may be broken) and close."""
        body = json.dumps({"message": message}).encode()
        reason = {400: "Bad Request", 408: "Request Timeout", 503: "Service Unavailable"}[status]
        head = (
            f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        ).encode()
        if not self.transport.is_closing():
            self.transport.write(head + body)
            self.transport.close()
