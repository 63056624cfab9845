"""Fixtures every test shares: both async backends, and an environment free of credentials."""

from __future__ import annotations

import pytest

GRADIENT_VARIABLES = ("GRADIENT_ACCESS_TOKEN", "GRADIENT_WORKSPACE_ID", "GRADIENT_API_URL")


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Every ``@pytest.mark.anyio`` test runs once on asyncio and once on trio."""
    return request.param


@pytest.fixture(autouse=True)
def _no_gradient_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the credentials they set themselves, never the developer's."""
    for name in GRADIENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
