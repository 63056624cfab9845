"""Workspaces, tokens and path ids: nothing crosses, nothing escapes the data dir.

One emulator (in process, tiny model, hashing embeddings) with two tokens, each owning one
workspace. The operation table is the emulator's OpenAPI document: every operation it lists
must have a request here (``REQUESTS``), so a new endpoint cannot be forgotten.

* Wrong or missing token: 401 on every operation.
* Token A acting in workspace B (header): 403 on every operation.
* Token A on B's adapter id or RAG collection id, in A's own workspace: 404, and neither is
  listed; B's uploaded file cannot join A's collections (404). The victim keeps its
  ``latestUpdateTime``, its place in B's list, its completion and its collection.
* Ids and slugs carrying traversal (``..``, ``%2e%2e``, ``../../registry.sqlite3``, absolute
  paths, 10,000 characters, NUL bytes): 4xx, and no file in or beside the data dir changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from gradient_sdk._endpoints import ENDPOINTS
from gradient_sdk.emulator import Emulator, create_app
from gradient_sdk.emulator.engines import TextEngine, load_text_engine
from gradient_sdk.emulator.http.handlers import HANDLERS

from .emulator_support import (
    OTHER_TOKEN,
    OTHER_WORKSPACE_ID,
    TOKEN,
    WORKSPACE_ID,
    WRONG_TOKEN,
    headers,
    snapshot,
)

#: A well-formed request body per operation id; None for operations without a body.
REQUESTS: dict[str, dict[str, Any] | None] = {
    "listModels": None,
    "createModel": {"model": {"baseModelId": "{base}", "name": "intruder"}},
    "getModel": None,
    "deleteModel": None,
    "completeModel": {"query": "Hello", "maxGeneratedTokenCount": 4, "temperature": 0},
    "fineTuneModel": {"samples": [{"inputs": "stolen knowledge"}]},
    "listEmbeddings": None,
    "generateEmbedding": {"inputs": [{"input": "hello"}]},
    "uploadFile": None,  # multipart: see World.request
    "createRagCollection": {"name": "intruder", "slug": "bge-large", "files": "{files}"},
    "listRagCollections": None,
    "getRagCollection": None,
    "addFilesToRagCollection": {"files": "{files}"},
    "deleteRagCollection": None,
    "generateAnswer": {"question": "What are the plans?", "source": "{collection}"},
    "summarizeDocument": {"document": "secret plans"},
    "analyzeSentiment": {"document": "secret plans"},
    "personalizeDocument": {"document": "secret plans", "audienceDescription": "spies"},
    "extractEntity": {"document": "secret plans", "schema": {"plan": {"type": "string"}}},
    "extractPdf": None,  # multipart, but refused before any body is read
    "createAudioTranscription": {"fileId": "file_0123456789abcdef"},
    "getAudioTranscription": None,
}
OPERATIONS = [(e.operation_id, e.method, e.path) for e in ENDPOINTS if e.operation_id in HANDLERS]
OPERATION_IDS = [operation_id for operation_id, _, _ in OPERATIONS]

BAD_CREDENTIALS = {
    "missing": {"x-gradient-workspace-id": WORKSPACE_ID},
    "empty": {"Authorization": "", "x-gradient-workspace-id": WORKSPACE_ID},
    "no scheme": {"Authorization": TOKEN, "x-gradient-workspace-id": WORKSPACE_ID},
    "basic": {"Authorization": f"Basic {TOKEN}", "x-gradient-workspace-id": WORKSPACE_ID},
    "wrong": headers(WRONG_TOKEN),
    "prefix of the token": headers(TOKEN[:-1]),
    "token with a suffix": headers(TOKEN + "x"),
    "wrong, no workspace header": headers(WRONG_TOKEN, None),
}

TRAVERSALS = [
    "..",
    "%2e%2e",
    "%2E%2E%2F%2E%2E%2Fregistry.sqlite3",
    "..%2F..%2Fregistry.sqlite3",
    "..%2Fadapters",
    "....%2F%2F",
    "%2Fetc%2Fpasswd",
    "%2Ftmp",
    "..%5C..%5Cregistry.sqlite3",
    "registry.sqlite3",
    "adapters",
    "%00",
    "abc%00..%2F..%2Fregistry.sqlite3",
    "x" * 10_000,
    "%252e%252e%252fregistry.sqlite3",
]

#: For docs/reliability.md: cross-workspace attempts made, and crossings seen.
ATTEMPTS: list[tuple[str, str, int]] = []


@dataclass
class World:
    client: TestClient
    data_dir: Path
    root: Path
    base_id: str
    victim_id: str
    mine_id: str
    #: The RAG collection and the uploaded file of each adapter's owner, by adapter id.
    collections: dict[str, str]
    files: dict[str, str]
    victim_at_start: tuple[Any, ...] = ()

    def request(
        self, method: str, path: str, operation_id: str, send_headers: dict[str, str], model: str
    ) -> Any:
        """The operation on the ids of ``model``'s owner: the adapter for model paths, the
        RAG collection for collection paths, the uploaded file in bodies."""
        target = self.collections[model] if path.startswith("/rag-collections") else model
        url = "/api" + path.replace("{id}", target).replace("{slug}", "bge-large")
        if operation_id == "uploadFile":
            return self.client.post(
                url,
                params={"type": "ragUserFile"},
                files={"file": ("upload.txt", b"uploaded text")},
                headers=send_headers,
            )
        body = REQUESTS[operation_id]
        if body is not None and operation_id == "createModel":
            body = {"model": {"baseModelId": self.base_id, "name": "intruder"}}
        if isinstance(body, dict) and body.get("files") == "{files}":
            body = {**body, "files": [{"id": self.files[model], "name": "stolen.txt"}]}
        if isinstance(body, dict) and body.get("source") == "{collection}":
            body = {**body, "source": {"type": "rag", "collectionId": self.collections[model]}}
        return self.client.request(method, url, json=body, headers=send_headers)

    def victim_state(self) -> tuple[Any, ...]:
        owner = headers(OTHER_TOKEN, OTHER_WORKSPACE_ID)
        described = self.client.get(f"/api/models/{self.victim_id}", headers=owner).json()
        listed = [m["id"] for m in self.client.get("/api/models", headers=owner).json()["models"]]
        answer = self.client.post(
            f"/api/models/{self.victim_id}/complete",
            json={"query": "Secret plans:", "maxGeneratedTokenCount": 12, "temperature": 0},
            headers=owner,
        ).json()
        collection_id = self.collections[self.victim_id]
        collection = self.client.get(f"/api/rag-collections/{collection_id}", headers=owner)
        collections = self.client.get("/api/rag-collections", headers=owner).json()
        return described, listed, answer, collection.json(), collections


@pytest.fixture(scope="module")
def tiny_model() -> TextEngine:
    return load_text_engine("tiny")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, tiny_model: TextEngine) -> Iterator[World]:
    root = tmp_path_factory.mktemp("isolation")
    (root / "outside").mkdir()
    (root / "outside" / "canary.txt").write_text("must not change")
    data_dir = root / "data"
    settings = Emulator(
        data_dir=data_dir,
        access_token=TOKEN,
        workspace_id=WORKSPACE_ID,
        other_workspaces={OTHER_TOKEN: OTHER_WORKSPACE_ID},
        model=tiny_model,
        embeddings_model="hashing",
    )
    with TestClient(create_app(settings)) as client:
        base_id = client.get("/api/models", headers=headers()).json()["models"][0]["id"]
        created = []
        for token, workspace in ((OTHER_TOKEN, OTHER_WORKSPACE_ID), (TOKEN, WORKSPACE_ID)):
            response = client.post(
                "/api/models",
                json={"model": {"baseModelId": base_id, "name": "private"}},
                headers=headers(token, workspace),
            )
            created.append(response.json()["id"])
        victim_id, mine_id = created
        trained = client.post(
            f"/api/models/{victim_id}/fine-tune",
            json={"samples": [{"inputs": "Secret plans: none at all."}]},
            headers=headers(OTHER_TOKEN, OTHER_WORKSPACE_ID),
        )
        assert trained.status_code == 200
        files, collections = {}, {}
        for model, token, workspace in (
            (victim_id, OTHER_TOKEN, OTHER_WORKSPACE_ID),
            (mine_id, TOKEN, WORKSPACE_ID),
        ):
            owner = headers(token, workspace)
            upload = client.post(
                "/api/files",
                params={"type": "ragUserFile"},
                files={"file": ("private.txt", b"Secret plans: none at all.")},
                headers=owner,
            )
            files[model] = upload.json()["id"]
            collection = client.post(
                "/api/rag-collections",
                json={
                    "name": "private",
                    "slug": "bge-large",
                    "files": [{"id": files[model], "name": "private.txt"}],
                },
                headers=owner,
            )
            collections[model] = collection.json()["id"]
        world = World(client, data_dir, root, base_id, victim_id, mine_id, collections, files)
        world.victim_at_start = world.victim_state()
        yield world


def test_the_table_covers_every_documented_operation(world: World) -> None:
    document = world.client.get("/openapi.json").json()
    documented = {
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
    }
    assert documented == {endpoint.operation_id for endpoint in ENDPOINTS}
    # Every operation served has a request here, so each is tried across workspaces.
    assert set(REQUESTS) == set(OPERATION_IDS)


@pytest.mark.parametrize("credentials", list(BAD_CREDENTIALS))
@pytest.mark.parametrize(("operation_id", "method", "path"), OPERATIONS, ids=OPERATION_IDS)
def test_a_wrong_or_missing_token_is_401_everywhere(
    world: World, operation_id: str, method: str, path: str, credentials: str
) -> None:
    response = world.request(
        method, path, operation_id, BAD_CREDENTIALS[credentials], world.mine_id
    )
    assert response.status_code == 401, response.text
    assert "message" in response.json()
    if operation_id == "deleteModel":
        mine = world.client.get(f"/api/models/{world.mine_id}", headers=headers())
        assert mine.status_code == 200


@pytest.mark.parametrize(("operation_id", "method", "path"), OPERATIONS, ids=OPERATION_IDS)
def test_a_token_cannot_act_in_a_workspace_it_does_not_own(
    world: World, operation_id: str, method: str, path: str
) -> None:
    before = world.victim_state()
    response = world.request(
        method, path, operation_id, headers(TOKEN, OTHER_WORKSPACE_ID), world.victim_id
    )
    ATTEMPTS.append((operation_id, "foreign workspace header", response.status_code))
    assert response.status_code == 403, response.text
    assert world.victim_state() == before


ID_OPERATIONS = [op for op in OPERATIONS if "{id}" in op[2]]


@pytest.mark.parametrize(
    ("operation_id", "method", "path"), ID_OPERATIONS, ids=[op[0] for op in ID_OPERATIONS]
)
def test_another_workspaces_adapter_is_unknown_in_mine(
    world: World, operation_id: str, method: str, path: str
) -> None:
    before = world.victim_state()
    response = world.request(method, path, operation_id, headers(), world.victim_id)
    ATTEMPTS.append((operation_id, "foreign adapter id", response.status_code))
    assert response.status_code == 404, response.text
    assert world.victim_state() == before


@pytest.mark.parametrize("operation_id", ["createRagCollection", "addFilesToRagCollection"])
def test_another_workspaces_file_cannot_join_my_collections(
    world: World, operation_id: str
) -> None:
    before = world.victim_state()
    stolen = {"id": world.files[world.victim_id], "name": "stolen.txt"}
    mine = world.collections[world.mine_id]
    if operation_id == "createRagCollection":
        body: dict[str, Any] = {"name": "intruder", "slug": "bge-large", "files": [stolen]}
        response = world.client.post("/api/rag-collections", json=body, headers=headers())
    else:
        body = {"files": [stolen]}
        response = world.client.post(
            f"/api/rag-collections/{mine}/files", json=body, headers=headers()
        )
    ATTEMPTS.append((operation_id, "foreign file id", response.status_code))
    assert response.status_code == 404, response.text
    assert world.victim_state() == before


def test_another_workspaces_adapter_is_not_listed(world: World) -> None:
    mine = world.client.get("/api/models", headers=headers()).json()["models"]
    theirs = world.client.get(
        "/api/models", headers=headers(OTHER_TOKEN, OTHER_WORKSPACE_ID)
    ).json()["models"]
    ATTEMPTS.append(("listModels", "listing", 200))
    assert world.victim_id not in {m["id"] for m in mine}
    assert world.mine_id not in {m["id"] for m in theirs}
    assert world.victim_id in {m["id"] for m in theirs}


def _registry_rows(data_dir: Path) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(data_dir / "registry.sqlite3")
    try:
        return connection.execute("SELECT * FROM adapters ORDER BY id").fetchall()
    finally:
        connection.close()


def _files(world: World) -> dict[str, tuple[int, int]]:
    # The registry's own files change as SQLite reads (WAL index); its rows are compared instead.
    return {
        name: state
        for name, state in snapshot(world.root).items()
        if not name.startswith("data/registry.sqlite3")
    }


@pytest.mark.parametrize("bad_id", TRAVERSALS, ids=[t[:40] for t in TRAVERSALS])
def test_ids_cannot_reach_outside_their_adapter(world: World, bad_id: str) -> None:
    files, rows = _files(world), _registry_rows(world.data_dir)
    for operation_id, method, path in OPERATIONS:
        if "{id}" not in path and "{slug}" not in path:
            continue
        url = "/api" + path.replace("{id}", bad_id).replace("{slug}", bad_id)
        response = world.client.request(method, url, json=REQUESTS[operation_id], headers=headers())
        assert 400 <= response.status_code < 500, (operation_id, bad_id, response.status_code)
    assert _files(world) == files
    assert _registry_rows(world.data_dir) == rows
    assert world.client.get(f"/api/models/{world.mine_id}", headers=headers()).status_code == 200


def test_the_victim_is_unchanged_after_every_attempt(world: World) -> None:
    """Runs last: after the 401s, 403s, 404s and traversals, B's adapter is as it was."""
    assert world.victim_state() == world.victim_at_start


def test_crossings_figure() -> None:
    if ATTEMPTS:
        crossings = [a for a in ATTEMPTS if a[2] == 200 and a[0] != "listModels"]
        print(f"\nisolation: {len(ATTEMPTS)} cross-workspace attempts, crossings: {len(crossings)}")
        assert not crossings
