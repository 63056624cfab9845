"""docs/cli.md's reference is the CLI's own help, and stays so."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradient_sdk.cli.reference import BEGIN, END, main, render, update

DOCS = Path(__file__).parents[2] / "docs" / "cli.md"


def test_docs_cli_md_is_current() -> None:
    assert main([str(DOCS), "--check"]) == 0, (
        "docs/cli.md is out of date: run python -m gradient_sdk.cli.reference docs/cli.md"
    )


def test_the_reference_shows_every_commands_help() -> None:
    reference = render()

    for path in ("gradient", "gradient model list", "gradient fine-tune", "gradient emulator"):
        assert f"### `{path}`\n" in reference
    assert "Usage: gradient model create-adapter [OPTIONS] BASE_MODEL" in reference
    assert "usage: gradient emulator [-h]" in reference


def test_update_rewrites_only_between_the_markers(tmp_path: Path) -> None:
    stale = tmp_path / "cli.md"
    stale.write_text(f"intro\n{BEGIN}\nold text\n{END}\noutro\n")

    assert main([str(stale), "--check"]) == 1
    assert main([str(stale)]) == 0

    assert stale.read_text() == f"intro\n{BEGIN}\n\n{render()}\n{END}\noutro\n"
    assert main([str(stale), "--check"]) == 0


def test_update_needs_the_markers() -> None:
    with pytest.raises(ValueError, match="needs the markers"):
        update("no markers here")
