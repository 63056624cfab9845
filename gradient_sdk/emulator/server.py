"""Running the emulator: in process for async code, or under uvicorn on a loopback port.

- :func:`serve` runs the app inside the caller's event loop and yields an
  :class:`~gradient_sdk.AsyncGradient` wired to it through ``httpx.ASGITransport``: no port,
  no thread, the quickest way for async tests and notebooks.
- :func:`serve_http` runs the app under uvicorn in a background thread on a free
  ``127.0.0.1`` port, for sync code (:class:`~gradient_sdk.Gradient` needs a real
  connection: httpx has no sync transport into an ASGI app) and for anything that speaks
  HTTP, such as the official ``gradientai`` client or LangChain.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import AsyncGenerator, Generator

import attrs
import httpx
import uvicorn
from starlette.applications import Starlette
from typing_extensions import Unpack

from .. import AsyncGradient, ClientOptions, Gradient
from .http import API_PREFIX, create_app
from .http.protocol import GuardedH11Protocol
from .settings import EmulatorSettings

#: The made-up host in-process clients address; the ASGI transport never resolves it.
IN_PROCESS_URL = "http://emulator.invalid" + API_PREFIX
#: How long :func:`serve_http` waits for uvicorn to start (model loading included).
STARTUP_TIMEOUT = 300.0


@contextlib.asynccontextmanager
async def serve(
    emulator: EmulatorSettings | None = None, **client_options: Unpack[ClientOptions]
) -> AsyncGenerator[AsyncGradient, None]:
    """Run an emulator in process and yield a client of its first workspace.

    ::

        async with serve(EmulatorSettings(model="tiny")) as client:
            base = await client.list_models(only_base=True)

    ``client_options`` (``timeout``, ``max_retries``, ``default_headers``) go to
    :class:`~gradient_sdk.AsyncGradient`.
    """
    settings = EmulatorSettings() if emulator is None else emulator
    app = create_app(settings)
    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with AsyncGradient(
            access_token=settings.access_token,
            workspace_id=settings.workspace_id,
            host=IN_PROCESS_URL,
            transport=transport,
            **client_options,
        ) as client:
            yield client


@contextlib.asynccontextmanager
async def running(app: Starlette) -> AsyncGenerator[Starlette, None]:
    """Run an app's lifespan (start-up and shut-down) around a block, as a server would."""
    async with app.router.lifespan_context(app):
        yield app


@attrs.frozen
class RunningEmulator:
    """An emulator served over HTTP by :func:`serve_http`."""

    url: str
    emulator: EmulatorSettings

    def client(self, **options: Unpack[ClientOptions]) -> Gradient:
        """A sync client of the first workspace; close it (or use ``with``) when done."""
        return Gradient(
            access_token=self.emulator.access_token,
            workspace_id=self.emulator.workspace_id,
            host=self.url,
            **options,
        )

    def async_client(self, **options: Unpack[ClientOptions]) -> AsyncGradient:
        """An async client of the first workspace, over HTTP."""
        return AsyncGradient(
            access_token=self.emulator.access_token,
            workspace_id=self.emulator.workspace_id,
            host=self.url,
            **options,
        )


@contextlib.contextmanager
def serve_http(
    emulator: EmulatorSettings | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> Generator[RunningEmulator, None, None]:
    """Serve an emulator under uvicorn in a background thread until the block ends.

    ::

        with serve_http(EmulatorSettings(model="tiny")) as server, server.client() as client:
            base = client.list_models(only_base=True)

    ``port=0`` takes a free port; ``server.url`` says which.
    """
    settings = EmulatorSettings() if emulator is None else emulator
    listener = bind(host, port)
    server = uvicorn_server(create_app(settings), log_level="warning")
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[listener])
        except BaseException as error:  # handed to the waiting thread below
            failure.append(error)

    thread = threading.Thread(target=run, name="gradient-emulator", daemon=True)
    thread.start()
    try:
        _wait_until_started(server, thread, failure)
        yield RunningEmulator(url=api_url(listener), emulator=settings)
    finally:
        server.should_exit = True
        thread.join()
        listener.close()


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket; port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener


def api_url(listener: socket.socket) -> str:
    """The API's base URL on a bound socket; a wildcard address is shown as loopback."""
    host, port = listener.getsockname()[:2]
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{API_PREFIX}"


#: Seconds an idle connection stays open: longer than clients keep theirs (the SDK 2 s,
#: httpx 5 s), so a client never writes a request to a connection the server is closing.
KEEP_ALIVE_SECONDS = 15
#: Seconds a stop waits for requests in flight before cancelling them.
GRACEFUL_SHUTDOWN_SECONDS = 5


class QuietServer(uvicorn.Server):
    """uvicorn's server, which after a clean stop on SIGINT or SIGTERM returns instead of
    raising the signal again (uvicorn does, so the process ends with -15 rather than 0)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Stop on SIGINT and SIGTERM, from the main thread only, as uvicorn does."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handlers = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def uvicorn_server(app: Starlette, *, log_level: str) -> uvicorn.Server:
    """A uvicorn server for the app, guarded (:mod:`.http.protocol`); run it with
    ``server.run(sockets=[...])``."""
    return QuietServer(
        uvicorn.Config(
            app,
            log_level=log_level,
            access_log=False,  # the app logs each request's start and end itself
            lifespan="on",
            http=GuardedH11Protocol,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
    )


def _wait_until_started(
    server: uvicorn.Server, thread: threading.Thread, failure: list[BaseException]
) -> None:
    waited = 0.0
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the emulator did not start; see its log") from (
                failure[0] if failure else None
            )
        if waited > STARTUP_TIMEOUT:
            server.should_exit = True
            raise TimeoutError(f"the emulator did not start within {STARTUP_TIMEOUT:.0f}s")
        thread.join(0.05)
        waited += 0.05
