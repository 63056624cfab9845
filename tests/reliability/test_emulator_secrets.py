"""The access token never reaches the emulator's logs: in process, and from the CLI.

Requests succeed, fail 401 (missing, wrong token), 403 (foreign workspace) and 404, and the
log at DEBUG (``gradient_sdk.emulator``, ``uvicorn`` with its access log, ``starlette``, the
root logger) holds neither the right token nor the wrong ones clients sent. The CLI's banner
prints the token on purpose, to be copied; nothing else it writes may. Each check also
confirms the log speaks of the requests, so a pass is not an empty log.
"""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from gradient_sdk.emulator import Emulator, serve_http

from .emulator_support import (
    OTHER_TOKEN,
    OTHER_WORKSPACE_ID,
    TOKEN,
    WORKSPACE_ID,
    WRONG_TOKEN,
    EmulatorProcess,
    headers,
)

SECRETS = (TOKEN, OTHER_TOKEN, WRONG_TOKEN)
LOGGERS = ("", "gradient_sdk", "gradient_sdk.emulator", "uvicorn", "uvicorn.access", "starlette")
BANNER_END = "Stop with Ctrl+C."


def exercise(api_url: str, *, other_token_known: bool) -> None:
    """Every kind of answer: 200s, 401 (missing, wrong, no scheme), 403, 404.

    The CLI serves one token, so there the other workspace's token is simply wrong (401).
    """
    with httpx.Client(base_url=api_url, timeout=60) as http:
        base_id = http.get("/models", headers=headers()).json()["models"][0]["id"]
        adapter_id = http.post(
            "/models",
            json={"model": {"baseModelId": base_id, "name": "logged"}},
            headers=headers(),
        ).json()["id"]
        assert http.post(
            f"/models/{adapter_id}/fine-tune",
            json={"samples": [{"inputs": "x"}]},
            headers=headers(),
        ).is_success
        assert http.post(
            f"/models/{adapter_id}/complete", json={"query": "Hi"}, headers=headers()
        ).is_success
        assert http.post(
            "/embeddings/hashing", json={"inputs": [{"input": "a"}]}, headers=headers()
        ).is_success
        statuses = [
            http.get("/models", headers=headers(None)).status_code,
            http.get("/models", headers=headers(WRONG_TOKEN)).status_code,
            http.post(
                f"/models/{adapter_id}/complete", json={"query": "Hi"}, headers=headers(WRONG_TOKEN)
            ).status_code,
            http.get("/models", headers={"Authorization": WRONG_TOKEN}).status_code,
            http.get("/models", headers=headers(TOKEN, OTHER_WORKSPACE_ID)).status_code,
            http.get(
                f"/models/{adapter_id}", headers=headers(OTHER_TOKEN, OTHER_WORKSPACE_ID)
            ).status_code,
        ]
        assert statuses == [401, 401, 401, 401, 403, 404 if other_token_known else 401]
        assert http.delete(f"/models/{adapter_id}", headers=headers()).is_success


def test_no_token_in_the_log_records_of_an_emulator_in_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    settings = Emulator(
        data_dir=tmp_path / "data",
        access_token=TOKEN,
        workspace_id=WORKSPACE_ID,
        other_workspaces={OTHER_TOKEN: OTHER_WORKSPACE_ID},
        model="tiny",
        embeddings_model="hashing",
    )
    with serve_http(settings) as server:
        # serve_http asks uvicorn for warnings only; DEBUG again, so everything it says is seen.
        for name in ("uvicorn", "uvicorn.access", "uvicorn.error"):
            logging.getLogger(name).setLevel(logging.DEBUG)
        exercise(server.url, other_token_known=True)

    assert "fine-tuned adapter" in caplog.text  # the log does speak of the requests
    for record in caplog.records:
        text = f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for secret in SECRETS:
            assert secret not in text, (secret, record.name, text)


def test_the_cli_prints_the_token_only_in_its_banner(tmp_path: Path) -> None:
    with EmulatorProcess(tmp_path / "data", log_level="debug") as emulator:
        emulator.wait_until_ready()
        exercise(emulator.api_url, other_token_known=False)
        emulator.stop()
        output = emulator.output()

    banner, _, rest = output.partition(BANNER_END)
    assert TOKEN in banner  # printed on purpose, for the user to copy
    assert "fine-tuned adapter" in rest
    assert "answered GET /api/models" in rest
    for secret in SECRETS:
        assert secret not in rest, secret
    assert WRONG_TOKEN not in banner
