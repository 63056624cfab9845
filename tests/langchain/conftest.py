"""Fixtures of the LangChain tests: a mocked API, and emulators over the tiny engines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import respx
from _langchain_support import BASE_URL, EmulatorClients, run_emulator

try:
    import langchain_core  # noqa: F401
except ImportError:  # the extra is not installed: nothing here can run
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture
def anyio_backend() -> str:
    """LangChain's own async machinery (callbacks, executors) runs on asyncio only.

    Tests of code that is ours alone widen this with ``parametrize("anyio_backend", ...)``.
    """
    return "asyncio"


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.MockRouter]:
    """The Gradient API at its public URL, mocked: an unmocked request fails the test.

    respx mocks httpx, so the async client is asked for httpx's pool (the documented
    ``GRADIENT_ASYNC_POOL=httpx``), as a user's own respx tests would.
    """
    monkeypatch.setenv("GRADIENT_ASYNC_POOL", "httpx")
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture(scope="session")
def tiny_engine() -> Any:
    """The emulator's real engine code over the tiny random model, built once."""
    pytest.importorskip("torch")
    pytest.importorskip("starlette")
    from gradient_sdk.emulator.engines import load_text_engine

    return load_text_engine("tiny")


@pytest.fixture
def emulator(tiny_engine: Any, tmp_path: Path) -> Iterator[EmulatorClients]:
    """An emulator (tiny model, hashing embeddings) with sync and async HTTP clients of it."""
    with run_emulator(tiny_engine, tmp_path / "gradient-data") as clients:
        yield clients


@pytest.fixture
def counting_emulator(tmp_path: Path) -> Iterator[EmulatorClients]:
    """An emulator whose fake engine answers with how many fine-tunes the adapter has had."""
    pytest.importorskip("starlette")
    from emulator.fakes import FakeEngine  # the emulator tests' fake (tests/emulator)

    with run_emulator(FakeEngine(), tmp_path / "gradient-data") as clients:
        yield clients
