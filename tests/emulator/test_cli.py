"""``gradient emulator`` and ``python -m gradient_sdk.emulator``."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from gradient_sdk import cli
from gradient_sdk.cli.emulator import emulator_parser
from gradient_sdk.emulator.cli import banner, settings_from
from gradient_sdk.emulator.engines.threads import usable_cores

from .conftest import TOKEN, WORKSPACE_ID


def parse(*argv: str) -> argparse.Namespace:
    return emulator_parser().parse_args(argv)


def test_the_options_have_the_documented_defaults() -> None:
    arguments = parse()

    assert vars(arguments) == {
        "host": "127.0.0.1",
        "port": 8765,
        "data_dir": Path("gradient-data"),
        "access_token": None,
        "workspace_id": None,
        "model": "smollm2",
        "engine": "torch",
        "embeddings_model": "minilm",
        "speech_model": None,
        "max_body_bytes": 1024 * 1024,
        "max_samples_per_fine_tune": 64,
        "threads": None,
        "log_level": "info",
    }


def test_credentials_come_from_options_then_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADIENT_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("GRADIENT_WORKSPACE_ID", WORKSPACE_ID)

    from_environment = settings_from(parse("--data-dir", str(tmp_path)))
    from_options = settings_from(
        parse("--data-dir", str(tmp_path), "--access-token", "opt", "--workspace-id", "ws")
    )

    assert (from_environment.access_token, from_environment.workspace_id) == (TOKEN, WORKSPACE_ID)
    assert (from_options.access_token, from_options.workspace_id) == ("opt", "ws")


def test_the_speech_model_is_a_folder_given_on_the_command_line(tmp_path: Path) -> None:
    settings = settings_from(
        parse("--data-dir", str(tmp_path), "--speech-model", str(tmp_path / "whisper"))
    )

    assert settings.speech_model == str(tmp_path / "whisper")
    assert f"speech: {tmp_path / 'whisper'}" in banner("http://127.0.0.1:1/api", settings)


def test_the_speech_model_can_be_the_tiny_one(tmp_path: Path) -> None:
    settings = settings_from(parse("--data-dir", str(tmp_path), "--speech-model", "tiny"))

    assert settings.speech_model == "tiny"
    assert "speech: tiny" in banner("http://127.0.0.1:1/api", settings)


def test_threads_default_to_the_usable_cores_and_take_a_positive_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert settings_from(parse("--data-dir", str(tmp_path))).threads == usable_cores()
    assert settings_from(parse("--data-dir", str(tmp_path), "--threads", "1")).threads == 1
    with pytest.raises(SystemExit):
        parse("--threads", "0")
    assert "--threads" in capsys.readouterr().err


def test_generated_credentials_stay_the_same_for_a_data_dir(tmp_path: Path) -> None:
    first = settings_from(parse("--data-dir", str(tmp_path), "--model", "tiny"))
    second = settings_from(parse("--data-dir", str(tmp_path)))

    assert len(first.access_token) >= 32
    assert first.workspace_id.endswith("_workspace")
    assert (second.access_token, second.workspace_id) == (first.access_token, first.workspace_id)
    assert first.model == "tiny"


def test_the_engine_is_torch_or_llama_cpp(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert settings_from(parse("--engine", "llama-cpp")).engine == "llama-cpp"
    with pytest.raises(SystemExit):
        parse("--engine", "onnx")
    assert "invalid choice: 'onnx'" in capsys.readouterr().err

    # llama.cpp runs GGUF files only: anything else is refused before the emulator starts.
    status = cli.main(
        ["emulator", "--data-dir", str(tmp_path), "--engine", "llama-cpp", "--model", "tiny"]
    )
    assert status == 1
    assert "the llama-cpp engine runs GGUF files" in capsys.readouterr().err


def test_the_banner_says_where_and_how(tmp_path: Path) -> None:
    settings = settings_from(
        parse("--data-dir", str(tmp_path), "--access-token", TOKEN, "--workspace-id", WORKSPACE_ID)
    )

    text = banner("http://127.0.0.1:8765/api", settings)

    assert "listening on http://127.0.0.1:8765/api" in text
    assert "export GRADIENT_API_URL=http://127.0.0.1:8765/api" in text
    assert f"export GRADIENT_ACCESS_TOKEN={TOKEN}" in text
    assert f"export GRADIENT_WORKSPACE_ID={WORKSPACE_ID}" in text


def test_gradient_needs_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main([])

    assert status == 2
    assert "COMMAND" in capsys.readouterr().err


def test_a_busy_port_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status = cli.main(["emulator", "--data-dir", str(tmp_path), "--port", str(port)])

    assert status == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_python_m_serves_until_interrupted(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "gradient_sdk.emulator",
        "--port=0",
        f"--data-dir={tmp_path}",
        "--model=tiny",
        "--embeddings-model=hashing",
        f"--access-token={TOKEN}",
        f"--workspace-id={WORKSPACE_ID}",
        "--log-level=warning",
    ]
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    ) as process:
        try:
            assert process.stdout is not None
            first_line = process.stdout.readline()
            url = first_line.rsplit(" ", 1)[-1].strip()
            headers = {"Authorization": f"Bearer {TOKEN}", "x-gradient-workspace-id": WORKSPACE_ID}
            # The socket listens before the model has loaded: the request waits for it.
            models = httpx.get(url + "/models", headers=headers, timeout=120).json()
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)

    assert url.startswith("http://127.0.0.1:")
    assert [model["slug"] for model in models["models"]] == ["tiny-llama"]
    # uvicorn stops gracefully, then re-raises the signal, as command-line tools do.
    assert process.returncode in {0, -signal.SIGINT}
