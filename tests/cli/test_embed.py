"""``gradient embed`` and ``gradient embeddings list``."""

from __future__ import annotations

import re
from pathlib import Path

from gradient_sdk import Gradient

from .conftest import CommandLine


def test_embeddings_list(gradient: CommandLine, client: Gradient) -> None:
    run = gradient("embeddings", "list", "--json")

    assert run.exit_code == 0
    slugs = [model["slug"] for model in run.json()["embeddings_models"]]
    assert slugs == [model.slug for model in client.list_embeddings_models()]
    assert "bge-large" in slugs


def test_embed_texts_json(gradient: CommandLine, client: Gradient) -> None:
    run = gradient("embed", "bge-large", "first text", "second text", "--json")

    assert run.exit_code == 0
    expected = client.get_embeddings_model(slug="bge-large").embed(
        inputs=["first text", "second text"]
    )
    assert run.json() == {
        "model": "bge-large",
        "embeddings": [
            {"index": item.index, "embedding": list(item.embedding)} for item in expected.embeddings
        ],
    }


def test_embed_texts_then_the_lines_of_a_file(gradient: CommandLine, tmp_path: Path) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_text("from the file\n\n  \nlast line\n")

    run = gradient("embed", "bge-large", "argument", "--file", str(texts))

    assert run.exit_code == 0
    header, *rows = run.stdout.splitlines()
    assert header.split() == ["INDEX", "TEXT", "DIMENSIONS", "FIRST", "VALUES"]
    cells = [re.match(r"(\d+)\s+(.+?)\s+(\d+)\s+\S", row).groups() for row in rows]  # type: ignore[union-attr]
    assert cells == [
        ("0", "argument", "384"),
        ("1", "from the file", "384"),
        ("2", "last line", "384"),
    ]


def test_embed_reads_stdin(gradient: CommandLine) -> None:
    run = gradient("embed", "bge-large", "--file", "-", "--json", input="one\ntwo\n")

    assert run.exit_code == 0
    assert [item["index"] for item in run.json()["embeddings"]] == [0, 1]


def test_embed_needs_a_text(gradient: CommandLine) -> None:
    run = gradient("embed", "bge-large")

    assert run.exit_code == 2
    assert run.stderr.startswith("Error: nothing to embed: give TEXT arguments or --file")


def test_embed_with_a_missing_file(gradient: CommandLine, tmp_path: Path) -> None:
    run = gradient("embed", "bge-large", "--file", str(tmp_path / "absent.txt"))

    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1
    assert "absent.txt" in run.stderr
    assert "No such file or directory" in run.stderr


def test_embed_with_an_unknown_model(gradient: CommandLine) -> None:
    run = gradient("embed", "word2vec", "text")

    assert run.exit_code == 1
    assert run.stderr.startswith("Error: no embeddings model with slug 'word2vec'")
