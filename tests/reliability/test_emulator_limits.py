"""Every limit of the emulator, at its default, answered with the spec's 4xx and error body.

A thin table over the tiny real model (its 512-token context window, byte tokens) with the
default settings: 1 MiB bodies, 64 samples and 8,192 tokens per fine-tune, 256 embeddings
inputs, ``maxGeneratedTokenCount`` 1 to 511. ``tests/emulator/test_errors.py`` proves each
one in detail over the fake engine (messages, streamed bodies, SDK errors); here each is
checked end to end on the real engine: the status, the body's shape (``{"message"}``, or
``{"message", "type"}`` on complete and fine-tune, as the OpenAPI document says), never a 5xx,
and the adapter still works afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from gradient_sdk.emulator import Emulator, create_app
from gradient_sdk.emulator.engines import load_text_engine

from .emulator_support import TOKEN, WORKSPACE_ID, headers

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    name: str
    method: str
    #: ``{adapter}`` and ``{base}`` are filled in.
    path: str
    body: Any
    status: int
    #: The error ``type`` expected on complete and fine-tune; None for ``{"message"}`` only.
    error_type: str | None


LIMITS = [
    Limit("body over 1 MiB: create", "POST", "/models", {"model": {"name": "x" * MIB}}, 413, None),
    Limit(
        "body over 1 MiB: complete",
        "POST",
        "/models/{adapter}/complete",
        {"query": "x" * MIB},
        413,
        "bodyParsingError",
    ),
    Limit(
        "body over 1 MiB: embeddings",
        "POST",
        "/embeddings/bge-large",
        {"inputs": [{"input": "x" * MIB}]},
        413,
        None,
    ),
    Limit(
        "65 samples in one fine-tune (max 64)",
        "POST",
        "/models/{adapter}/fine-tune",
        {"samples": [{"inputs": f"sample {n}"} for n in range(65)]},
        422,
        "unprocessableContent",
    ),
    Limit(
        "8,192+ tokens in one fine-tune",
        "POST",
        "/models/{adapter}/fine-tune",
        {"samples": [{"inputs": "y" * 500} for _ in range(20)]},
        422,
        "unprocessableContent",
    ),
    Limit(
        "a sample over the 512-token context window",
        "POST",
        "/models/{adapter}/fine-tune",
        {"samples": [{"inputs": "z" * 600}]},
        422,
        "unprocessableContent",
    ),
    Limit(
        "257 embeddings inputs (max 256)",
        "POST",
        "/embeddings/bge-large",
        {"inputs": [{"input": f"text {n}"} for n in range(257)]},
        400,
        None,
    ),
    Limit("0 embeddings inputs", "POST", "/embeddings/bge-large", {"inputs": []}, 400, None),
    Limit(
        "maxGeneratedTokenCount 512",
        "POST",
        "/models/{adapter}/complete",
        {"query": "Hi", "maxGeneratedTokenCount": 512},
        400,
        "bodyParsingError",
    ),
    Limit(
        "maxGeneratedTokenCount 0",
        "POST",
        "/models/{base}/complete",
        {"query": "Hi", "maxGeneratedTokenCount": 0},
        400,
        "bodyParsingError",
    ),
    Limit(
        "a prompt over the context window",
        "POST",
        "/models/{adapter}/complete",
        {"query": "w" * 600},
        422,
        "unprocessableContent",
    ),
    Limit(
        "a prompt over the context window, base model",
        "POST",
        "/models/{base}/complete",
        {"query": "w" * 600, "maxGeneratedTokenCount": 1},
        422,
        "unprocessableContent",
    ),
]


@dataclass
class Served:
    client: TestClient
    base_id: str
    adapter_id: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir: Path = tmp_path_factory.mktemp("limits") / "data"
    settings = Emulator(
        data_dir=data_dir,
        access_token=TOKEN,
        workspace_id=WORKSPACE_ID,
        model=load_text_engine("tiny"),
        embeddings_model="hashing",
    )
    with TestClient(create_app(settings), headers=headers()) as client:
        base_id = client.get("/api/models").json()["models"][0]["id"]
        created = client.post("/api/models", json={"model": {"baseModelId": base_id, "name": "a"}})
        yield Served(client, base_id, created.json()["id"])


@pytest.mark.parametrize("limit", LIMITS, ids=[limit.name for limit in LIMITS])
def test_a_limit_is_answered_with_the_spec_4xx(served: Served, limit: Limit) -> None:
    path = limit.path.format(adapter=served.adapter_id, base=served.base_id)

    response = served.client.request(limit.method, "/api" + path, json=limit.body)

    assert response.status_code == limit.status, response.text[:300]
    body = response.json()
    assert isinstance(body["message"], str)
    assert body["message"]
    if limit.error_type is None:
        assert set(body) == {"message"}
    else:
        assert body["type"] == limit.error_type
        assert set(body) <= {"message", "type", "payload"}
    still_works = served.client.post(
        f"/api/models/{served.adapter_id}/complete",
        json={"query": "Hi", "maxGeneratedTokenCount": 2},
    )
    assert still_works.status_code == 200


@pytest.mark.parametrize("count", [1, 511])
def test_the_bounds_themselves_are_accepted(served: Served, count: int) -> None:
    response = served.client.post(
        f"/api/models/{served.base_id}/complete",
        json={"query": "Hi", "maxGeneratedTokenCount": count, "temperature": 0},
    )
    assert response.status_code == 200
    assert response.json()["finishReason"] in ("length", "stop")


def test_256_embeddings_inputs_are_accepted(served: Served) -> None:
    response = served.client.post(
        "/api/embeddings/bge-large", json={"inputs": [{"input": f"t {n}"} for n in range(256)]}
    )
    assert response.status_code == 200
    assert len(response.json()["embeddings"]) == 256
