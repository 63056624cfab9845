"""What the emulator half of the reliability suite shares.

* credentials of two workspaces, each owned by its own token, and headers for them;
* :class:`EmulatorProcess`: ``python -m gradient_sdk.emulator`` as a subprocess on a free
  loopback port, its output collected, killed or stopped by its own pid only;
* :func:`snapshot`: a data dir's files and their mtimes, to prove nothing outside it (or
  inside it, where nothing should change) was touched.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

#: Distinctive, so that a leak into a log is easy to spot (and unlike the SDK suite's).
TOKEN = "emu-SECRET-a41c9e0b7d2f6385"
WORKSPACE_ID = "3c9f1a52-7e4b-4d0a-9c61-5b2e8f7d1a30_workspace"
OTHER_TOKEN = "emu-SECRET-OTHER-19be54f07c2a"
OTHER_WORKSPACE_ID = "d2a7b8c1-4f3e-4a59-8b0d-6e1c9f2a3b47_workspace"
#: Tokens a client may send by mistake; they must not be logged either.
WRONG_TOKEN = "emu-WRONG-TOKEN-5e8d2c1f0a93"

#: How long a subprocess emulator may take to answer its first request (tiny model load).
STARTUP_SECONDS = 90.0


def headers(token: str | None = TOKEN, workspace_id: str | None = WORKSPACE_ID) -> dict[str, str]:
    """Request headers of a workspace; None leaves a header out."""
    result: dict[str, str] = {}
    if token is not None:
        result["Authorization"] = f"Bearer {token}"
    if workspace_id is not None:
        result["x-gradient-workspace-id"] = workspace_id
    return result


def free_port() -> int:
    """A loopback port free right now (the emulator binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EmulatorProcess:
    """``python -m gradient_sdk.emulator`` on a free port of 127.0.0.1, in its own session.

    Output goes to a file (a pipe nobody reads could fill and block the server); read it with
    :meth:`output`. Only this process's pid is ever signalled.
    """

    def __init__(self, data_dir: Path, *extra: str, log_level: str = "info") -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in __exit__)
        command = [
            sys.executable,
            "-m",
            "gradient_sdk.emulator",
            "--model",
            "tiny",
            "--embeddings-model",
            "hashing",
            "--data-dir",
            str(data_dir),
            "--port",
            str(self.port),
            "--access-token",
            TOKEN,
            "--workspace-id",
            WORKSPACE_ID,
            "--log-level",
            log_level,
            *extra,
        ]
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for name in ("GRADIENT_ACCESS_TOKEN", "GRADIENT_WORKSPACE_ID", "GRADIENT_API_URL"):
            environment.pop(name, None)
        self.process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, env=environment
        )

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def wait_until_ready(self, seconds: float = STARTUP_SECONDS) -> None:
        """Poll ``/openapi.json`` (served once the models have loaded) for up to ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the emulator exited early:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"the emulator was not ready in {seconds:.0f}s:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a power cut of the process."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGINT, as Ctrl+C: uvicorn shuts down cleanly; SIGKILL if it does not in 30 s."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()
        self._log.close()


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``root``: relative path -> (size, mtime in ns)."""
    result: dict[str, tuple[int, int]] = {}
    for path in sorted(root.rglob("*")):
        status = path.lstat()
        result[str(path.relative_to(root))] = (status.st_size, status.st_mtime_ns)
    return result
