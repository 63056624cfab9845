"""The emulator over real HTTP: uvicorn on a free loopback port, the sync client talking to it."""

from __future__ import annotations

from pathlib import Path

import httpx

from gradient_sdk import NotFoundError
from gradient_sdk.emulator import serve_http
from gradient_sdk.emulator.engines import TextEngine

from .conftest import QUESTION, make_settings


def test_the_sync_client_runs_the_flow_over_http(tiny_engine: TextEngine, data_dir: Path) -> None:
    settings = make_settings(data_dir, tiny_engine)

    with serve_http(settings) as server, server.client() as client:
        [base] = client.list_models(only_base=True)
        adapter = base.create_model_adapter(name="over http")
        completion = adapter.complete(query=QUESTION, max_generated_token_count=4)
        trained = adapter.fine_tune(samples=[{"inputs": QUESTION + "The Dallas Cowboys!"}])
        embedded = client.get_embeddings_model(slug="bge-large").embed(inputs=["hello"])
        adapter.delete()
        try:
            client.get_model_adapter(model_adapter_id=adapter.id)
        except NotFoundError as error:
            missing = error
        document = httpx.get(server.url.removesuffix("/api") + "/openapi.json").json()

    assert server.url.startswith("http://127.0.0.1:")
    assert server.url.endswith("/api")
    assert completion.finish_reason in {"length", "stop"}
    assert trained.number_of_trainable_tokens > 0
    assert len(embedded.embeddings[0].embedding) == 384
    assert missing.error_type is None  # GET /models/{id} answers the generic {"message"}
    assert "/models/{id}/fine-tune" in document["paths"]


def test_capitalised_booleans_and_nulls_arrive_as_gradientai_sends_them(
    tiny_engine: TextEngine, data_dir: Path
) -> None:
    settings = make_settings(data_dir, tiny_engine)
    headers = {
        "Authorization": f"Bearer {settings.access_token}",
        "x-gradient-workspace-id": settings.workspace_id,
        "Accept": "application/json",
    }

    with serve_http(settings) as server, httpx.Client(base_url=server.url, headers=headers) as http:
        listing = http.get("/models?capability=any&onlyBase=False").json()
        [base] = listing["models"]
        answer = http.post(
            f"/models/{base['id']}/complete",
            json={  # what LangChain's GradientLLM sends
                "query": "Hello",
                "maxGeneratedTokenCount": 4,
                "temperature": 0.5,
                "topK": None,
                "topP": None,
            },
        )

    assert base["type"] == "baseModel"
    assert answer.status_code == 200
    assert set(answer.json()) == {"finishReason", "generatedOutput"}
