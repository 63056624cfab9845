"""Each request's life, as ASGI middleware: logged when it starts and ends, and cancelled
when its client goes away.

A completion or a fine-tune can take minutes on a CPU. When the client disconnects (it gave
up, timed out, or was killed), nobody will read the answer, so the handler is cancelled:
the model work under it is told to stop (:meth:`..services.workers.Workers.stoppable_model`)
and the adapter's lock is free for the client's retry, instead of the retry queueing behind
work nobody waits for.

How a disconnect is seen: once the request body has been read, the server's next
``receive()`` message is ``http.disconnect``, and it arrives only when the connection is
gone. A watcher task waits for it beside the handler. (httpx's in-process ASGI transport
sends that message only after the response, so in process it never fires; there the
caller's own cancellation reaches the handler directly.)
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if sys.version_info < (3, 11):
    from exceptiongroup import BaseExceptionGroup

logger = logging.getLogger("gradient_sdk.emulator.requests")


class RequestLifecycle:
    """Logs each HTTP request's start, end (status, duration) or drop, and cancels the
    handler of a request whose client disconnected."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = _Request(scope, receive, send)
        logger.info("started %s", request.line)
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(request.watch_for_disconnect, group.cancel_scope)
                await self.app(scope, request.receive, request.send)
                group.cancel_scope.cancel()  # answered: stop watching
        except anyio.get_cancelled_exc_class():
            request.log_end("cancelled by its caller")
            raise
        except BaseExceptionGroup as group_error:
            # Only the app can fail here (the watcher does not): pass its error on as it is,
            # for Starlette's error middleware outside.
            request.log_end("failed")
            if len(group_error.exceptions) == 1:
                raise group_error.exceptions[0] from None
            raise
        request.log_end()


class _Request:
    """One request's messages, as the app and the watcher see them."""

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._receive = receive
        self._send = send
        query = scope.get("query_string", b"").decode("latin-1")
        self.line = f"{scope['method']} {scope['path']}" + (f"?{query}" if query else "")
        self._started = time.perf_counter()
        self._body_read = anyio.Event()
        self._disconnected = anyio.Event()
        self._status: int | None = None

    async def receive(self) -> Message:
        """The app's ``receive``; past the body, it waits with the watcher for the end."""
        if self._body_read.is_set():
            await self._disconnected.wait()
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.disconnect":
            self._disconnected.set()
        elif not message.get("more_body", False):
            self._body_read.set()
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._status = int(message["status"])
        await self._send(message)

    async def watch_for_disconnect(self, handler: anyio.CancelScope) -> None:
        """Once the body is read, wait for the disconnect message and cancel the handler."""
        await self._body_read.wait()
        message: dict[str, Any] = dict(await self._receive())
        if message["type"] == "http.disconnect":
            self._disconnected.set()
            handler.cancel()

    def log_end(self, failure: str | None = None) -> None:
        """One line: answered (status and time), dropped, cancelled or failed."""
        elapsed = time.perf_counter() - self._started
        if failure is not None:
            logger.info("%s %s after %.3f s", failure, self.line, elapsed)
        elif self._status is None:
            reason = "the client disconnected" if self._disconnected.is_set() else "no answer"
            logger.info("dropped %s after %.3f s: %s", self.line, elapsed, reason)
        else:
            logger.info("answered %s: %d in %.3f s", self.line, self._status, elapsed)
