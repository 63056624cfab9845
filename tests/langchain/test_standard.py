"""langchain-tests' standard suites for embeddings (it has none for text-completion LLMs).

The suites' async tests run under anyio's plugin (``pytestmark`` below, on asyncio as the
package's ``anyio_backend`` fixture says), so they need no pytest-asyncio mode. The
integration suite runs against the in-process emulator with its hashing embeddings.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("langchain_tests")

from _langchain_support import CREDENTIALS, TOKEN, WORKSPACE_ID, EmulatorClients
from langchain_tests.integration_tests import EmbeddingsIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from gradient_sdk.langchain import GradientEmbeddings

pytestmark = pytest.mark.anyio


class TestGradientEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[GradientEmbeddings]:
        return GradientEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "bge-large", **CREDENTIALS}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {
                "GRADIENT_ACCESS_TOKEN": TOKEN,
                "GRADIENT_WORKSPACE_ID": WORKSPACE_ID,
                "GRADIENT_API_URL": "http://localhost:8765/api",
            },
            {"model": "bge-large"},
            {
                "model": "bge-large",
                "gradient_access_token": TOKEN,
                "gradient_workspace_id": WORKSPACE_ID,
                "gradient_api_url": "http://localhost:8765/api",
            },
        )


class TestGradientEmbeddingsIntegration(EmbeddingsIntegrationTests):
    @pytest.fixture(autouse=True)
    def _connect_to_the_emulator(self, emulator: EmulatorClients) -> None:
        self._emulator = emulator

    @property
    def embeddings_class(self) -> type[GradientEmbeddings]:
        return GradientEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "bge-large", **self._emulator.settings}
