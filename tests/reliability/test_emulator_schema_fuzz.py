"""Schemathesis against the emulator's own ``/openapi.json``, in process: zero 5xx.

Every operation of the document is fuzzed through the ASGI app (no socket), with the
Authorization and ``x-gradient-workspace-id`` headers of a real workspace, over the tiny real
model and the hashing embeddings. Examples are derandomised, so CI runs the same cases each
time. Each answer must:

* not be a 5xx (``not_a_server_error``);
* have a documented status (``status_code_conformance``) and content type;
* match the documented schema for that status (``response_schema_conformance``), error
  bodies included (``{"message"}``, or ``{"message", "type"}`` for complete and fine-tune).

What the document is given besides what the emulator serves: example ids of adapters that
exist (one to use, one to delete), so the fuzzer reaches past "no such adapter". A 422
``nanLoss`` needs no exclusion: 422 is documented for fine-tunes. The emulator runs with at
most 1 sample and 64 tokens per fine-tune (the document says so), which keeps tiny-model
fine-tunes, ten optimizer steps a sample, to a fraction of a second each.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation.modes import GenerationMode
from schemathesis.python import asgi

from gradient_sdk._endpoints import ENDPOINTS
from gradient_sdk.emulator import Emulator, create_app
from gradient_sdk.emulator.http.handlers import HANDLERS

from .emulator_support import OTHER_TOKEN, OTHER_WORKSPACE_ID, TOKEN, WORKSPACE_ID, headers

MAX_EXAMPLES = 15
#: Operations that run the model (a completion of up to 511 tokens, a ten-step fine-tune)
#: get fewer, to keep the run under half a minute on two cores.
MODEL_EXAMPLES = 10
MODEL_OPERATIONS = {"/models/{id}/complete", "/models/{id}/fine-tune"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

#: Per operation: requests sent, and the statuses answered, for docs/reliability.md.
SEEN: Counter[tuple[str, int]] = Counter()


def _with_adapter_examples(document: dict[str, Any], keep: str, doomed: str) -> dict[str, Any]:
    """The document with example ids of real adapters on each ``{id}`` path parameter."""
    document = copy.deepcopy(document)
    for item in document["paths"].values():
        for method, operation in item.items():
            adapter = doomed if method == "delete" else keep
            for parameter in operation["parameters"]:
                if parameter.get("in") == "path" and parameter["name"] == "id":
                    known = list(parameter.get("examples", {}).values())
                    values = [*(example["value"] for example in known), adapter]
                    parameter["examples"] = {
                        f"example{n}": {"value": value} for n, value in enumerate(values)
                    }
    return document


@pytest.fixture(scope="module")
def fuzzed_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz") / "data"
    app = create_app(
        Emulator(
            data_dir=data_dir,
            access_token=TOKEN,
            workspace_id=WORKSPACE_ID,
            other_workspaces={OTHER_TOKEN: OTHER_WORKSPACE_ID},
            model="tiny",
            embeddings_model="hashing",
            max_samples_per_fine_tune=1,
            max_tokens_per_fine_tune=64,
        )
    )
    # Schemathesis runs the app's lifespan in its own event-loop thread; so does this client.
    with asgi.get_client(app) as client:
        document = client.get("/openapi.json").json()
        base_id = client.get("/api/models", headers=headers()).json()["models"][0]["id"]
        created = [
            client.post(
                "/api/models",
                json={"model": {"baseModelId": base_id, "name": name}},
                headers=headers(),
            ).json()["id"]
            for name in ("fuzzed", "to-delete")
        ]
    schema = schemathesis.openapi.from_dict(_with_adapter_examples(document, *created))
    schema.app = app
    yield schema
    shutdown = getattr(asgi, "shutdown_lifespans", None)
    if shutdown is not None:
        shutdown()


#: Every operation the emulator serves, read from the endpoint table (the document's source)
#: and the handlers, so an operation added there is fuzzed here without anyone listing it.
OPERATIONS = [(e.method, e.path) for e in ENDPOINTS if e.operation_id in HANDLERS]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_operation_answers_a_5xx_or_off_schema(
    fuzzed_schema: Any, method: str, path: str, mode: GenerationMode
) -> None:
    operation = fuzzed_schema[path][method]
    cases = operation.as_strategy(generation_mode=mode)
    if mode is GenerationMode.POSITIVE:
        # The document's own examples first (a derandomised one_of tries its first branch
        # first), then generated cases.
        cases = st.one_of(*fuzzed_schema.get_strategies_from_examples(operation), cases)

    @given(case=cases)
    @settings(
        max_examples=MODEL_EXAMPLES if path in MODEL_OPERATIONS else MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any) -> None:
        response = case.call(headers=headers())
        SEEN[f"{method} {path}", response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    fuzz()


@pytest.mark.parametrize("action", ["complete", "fine-tune"])
def test_a_routing_404_on_complete_or_fine_tune_names_its_type(
    fuzzed_schema: Any, action: str
) -> None:
    """Found by the fuzzer: ``POST /api/models/%0A/complete`` once answered an untyped 404.

    The document promises complete and fine-tune errors as ``{"message", "type"}``
    (ModelError), also for an id the router cannot match.
    """
    with asgi.get_client(fuzzed_schema.app) as client:
        response = client.post(f"/api/models/%0A/{action}", json={}, headers=headers())
    assert response.status_code == 404
    assert set(response.json()) >= {"message", "type"}, response.json()


def test_every_operation_was_fuzzed_and_none_failed() -> None:
    """Runs after the fuzzing (same module, later in the file): the figures for the docs."""
    assert SEEN, "run the whole module: the fuzzing tests above collect these figures"
    operations = {operation for operation, _ in SEEN}
    assert operations == {f"{m} {p}" for m, p in OPERATIONS}
    assert not [key for key in SEEN if key[1] >= 500]
    print(f"\nschema fuzz: {len(operations)} operations, {sum(SEEN.values())} requests, 5xx: 0")
    for (operation, status), count in sorted(SEEN.items()):
        print(f"  {operation} -> {status}: {count}")
