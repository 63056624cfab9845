"""The emulator's HTTP server under hostile clients: slow heads and bodies time out,
connections are capped, framing errors and stray slashes answer the API's JSON body, and a
stop by SIGTERM is a clean exit. Runs the real server (uvicorn) on loopback."""

from __future__ import annotations

import json
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from gradient_sdk.emulator import EmulatorSettings, RunningEmulator, serve_http
from gradient_sdk.emulator.engines import TextEngine, load_text_engine
from gradient_sdk.emulator.http.protocol import GuardedH11Protocol

from .emulator_support import TOKEN, WORKSPACE_ID, EmulatorProcess


@pytest.fixture(scope="module")
def tiny_model() -> TextEngine:
    return load_text_engine("tiny")


@pytest.fixture
def server(
    tiny_model: TextEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningEmulator]:
    monkeypatch.setattr(GuardedH11Protocol, "head_timeout", 0.5)
    monkeypatch.setattr(GuardedH11Protocol, "max_connections", 8)
    settings = EmulatorSettings(
        data_dir=tmp_path / "data",
        access_token=TOKEN,
        workspace_id=WORKSPACE_ID,
        model=tiny_model,
        embeddings_model="hashing",
    )
    with serve_http(settings) as running:
        yield running


def address(server: RunningEmulator) -> tuple[str, int]:
    host, _, rest = server.url.removeprefix("http://").partition(":")
    return host, int(rest.split("/")[0])


def exchange(server: RunningEmulator, data: bytes, *, wait: float = 10.0) -> bytes:
    """Send ``data`` on a new connection and read until the server closes it."""
    with socket.create_connection(address(server), timeout=wait) as connection:
        connection.sendall(data)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def json_answer(raw: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    assert b"application/json" in head.lower()
    return status, json.loads(body)


def authorized_get(path: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"x-gradient-workspace-id: {WORKSPACE_ID}\r\nConnection: close\r\n\r\n"
    ).encode()


def test_an_unfinished_head_times_out_with_the_apis_body(server: RunningEmulator) -> None:
    status, body = json_answer(exchange(server, b"GET /api/models HTTP/1.1\r\nHost: x\r\n"))

    assert status == 408
    assert "did not arrive" in str(body["message"])


def test_a_malformed_request_is_400_json(server: RunningEmulator) -> None:
    status, body = json_answer(exchange(server, b"NOT AN HTTP REQUEST\r\n\r\n"))

    assert status == 400
    assert "not valid HTTP/1.1" in str(body["message"])


def test_connections_past_the_cap_are_refused_and_others_still_served(
    server: RunningEmulator,
) -> None:
    idle = [socket.create_connection(address(server), timeout=10) for _ in range(8)]
    try:
        refused = exchange(server, authorized_get("/api/models"))
    finally:
        for connection in idle:
            connection.close()
    status, body = json_answer(refused)
    # Once the idle ones are gone (or timed out), the server answers again.
    served, listing = json_answer(exchange(server, authorized_get("/api/models")))

    assert status == 503
    assert "too many connections" in str(body["message"])
    assert served == 200
    assert "models" in listing


def test_a_trailing_slash_is_not_redirected(server: RunningEmulator) -> None:
    status, body = json_answer(exchange(server, authorized_get("/api/models/")))

    assert status == 404
    assert body["type"] == "queryOrPathParsingError"


def test_sigterm_stops_the_emulator_with_status_0(tmp_path: Path) -> None:
    with EmulatorProcess(tmp_path / "data") as emulator:
        emulator.wait_until_ready()
        os.kill(emulator.process.pid, signal.SIGTERM)
        status = emulator.process.wait(timeout=60)

    assert status == 0
