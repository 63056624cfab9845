"""Values and helpers the SDK tests share."""

from __future__ import annotations

import inspect
import json
from typing import Any

import respx

TOKEN = "test-token-5f1d8c2e9ab34"
WORKSPACE_ID = "86abdbb7-ca5f-4f71-9882-01970e111de7_workspace"
BASE_URL = "https://api.gradient.ai/api"

BASE_MODEL_ID = "99148c6d-c2a0-4fbe-a4a7-e7c05bdb8a09_base_ml_model"
ADAPTER_ID = "674119b5-f19e-4856-add2-767ae7f7d7ef_model_adapter"

BASE_MODEL_JSON: dict[str, Any] = {
    "id": BASE_MODEL_ID,
    "slug": "nous-hermes2",
    "name": "Nous Hermes 2",
    "capabilities": ["complete", "fineTune"],
    "type": "baseModel",
}
ADAPTER_JSON: dict[str, Any] = {
    "id": ADAPTER_ID,
    "name": "my adapter",
    "baseModelId": BASE_MODEL_ID,
    "latestUpdateTime": "2024-05-01T12:30:00Z",
    "type": "modelAdapter",
}
COMPLETION_JSON = {"finishReason": "length", "generatedOutput": " The Dallas Cowboys!"}
FINE_TUNE_JSON = {"numberOfTrainableTokens": 27, "sumLoss": 78.17996}


async def call(result: Any) -> Any:
    """The result of a client method: awaited for the async client, as is for the sync one."""
    if inspect.isawaitable(result):
        return await result
    return result


def sent_json(route: respx.Route) -> Any:
    """The JSON body of the last request a route received."""
    return json.loads(route.calls.last.request.content)
