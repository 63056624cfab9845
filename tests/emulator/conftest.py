"""Fixtures of the emulator tests: emulators in process, over the fake or the tiny engine."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from starlette.applications import Starlette

from gradient_sdk import AsyncGradient
from gradient_sdk.emulator import Emulator, create_app
from gradient_sdk.emulator.engines import TextEngine, load_text_engine
from gradient_sdk.emulator.server import IN_PROCESS_URL, running

from .fakes import FakeEngine

TOKEN = "emulator-test-token-3f9d1c"
WORKSPACE_ID = "5b0c1d7e-93a4-4c3b-8f0e-2d6a9b1c4e70_workspace"
OTHER_TOKEN = "emulator-other-token-77ab20"
OTHER_WORKSPACE_ID = "e41f6a2b-0c5d-4e8f-9a7b-3c2d1e0f9a8b_workspace"
QUESTION = "Question: What NFL team won the Super Bowl in 1994?\n\nAnswer: "


@attrs.define
class Harness:
    """A running emulator app, and clients of it that close when the harness stops."""

    app: Starlette
    settings: Emulator
    _opened: list[AsyncGradient | httpx.AsyncClient] = attrs.Factory(list)

    def client(
        self, *, access_token: str = TOKEN, workspace_id: str = WORKSPACE_ID, **options: Any
    ) -> AsyncGradient:
        """An SDK client of a workspace (no retries, so failures show at once)."""
        options.setdefault("max_retries", 0)
        client = AsyncGradient(
            access_token=access_token,
            workspace_id=workspace_id,
            host=IN_PROCESS_URL,
            transport=httpx.ASGITransport(app=self.app),
            **options,
        )
        self._opened.append(client)
        return client

    def raw(
        self, *, access_token: str | None = TOKEN, workspace_id: str | None = WORKSPACE_ID
    ) -> httpx.AsyncClient:
        """A plain HTTP client at the API's base URL, with the headers given (None: left out)."""
        headers = {}
        if access_token is not None:
            headers["Authorization"] = f"Bearer {access_token}"
        if workspace_id is not None:
            headers["x-gradient-workspace-id"] = workspace_id
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url=IN_PROCESS_URL,
            headers=headers,
        )
        self._opened.append(client)
        return client

    async def close_clients(self) -> None:
        for client in self._opened:
            await client.aclose()


@contextlib.asynccontextmanager
async def run_emulator(settings: Emulator) -> AsyncIterator[Harness]:
    """Start an app with these settings (as a server would), and stop it afterwards."""
    async with running(create_app(settings)) as app:
        harness = Harness(app, settings)
        try:
            yield harness
        finally:
            await harness.close_clients()


def make_settings(data_dir: Path, model: TextEngine, **overrides: Any) -> Emulator:
    """Settings with the test credentials (two tokens, one workspace each)."""
    options: dict[str, Any] = {
        "data_dir": data_dir,
        "access_token": TOKEN,
        "workspace_id": WORKSPACE_ID,
        "other_workspaces": {OTHER_TOKEN: OTHER_WORKSPACE_ID},
        "model": model,
        "embeddings_model": "hashing",
    }
    options.update(overrides)
    return Emulator(**options)


@pytest.fixture(scope="session")
def tiny_engine() -> TextEngine:
    """The real engine code over the tiny random model, built once for the whole run."""
    return load_text_engine("tiny")


@pytest.fixture
def fake_engine() -> FakeEngine:
    """A fresh fake engine; tests may make it pause or fail."""
    return FakeEngine()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The emulator's data directory for one test."""
    return tmp_path / "gradient-data"


@pytest.fixture
async def emulator(fake_engine: FakeEngine, data_dir: Path) -> AsyncIterator[Harness]:
    """An emulator over the fake engine."""
    async with run_emulator(make_settings(data_dir, fake_engine)) as harness:
        yield harness


@pytest.fixture
async def tiny(tiny_engine: TextEngine, data_dir: Path) -> AsyncIterator[Harness]:
    """An emulator over the tiny real model."""
    async with run_emulator(make_settings(data_dir, tiny_engine)) as harness:
        yield harness


@pytest.fixture
def client(emulator: Harness) -> AsyncGradient:
    """An SDK client of the first workspace of the fake-engine emulator."""
    return emulator.client()


@pytest.fixture
def raw(emulator: Harness) -> httpx.AsyncClient:
    """A plain HTTP client of the fake-engine emulator, with the first workspace's headers."""
    return emulator.raw()
