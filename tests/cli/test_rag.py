"""``gradient rag``: create, list, get, add-files, wait, delete."""

from __future__ import annotations

from pathlib import Path

from gradient_sdk import Gradient, RAGFileStatus

from .conftest import CommandLine


def notes(folder: Path, *names: str) -> list[str]:
    paths = []
    for name in names:
        path = folder / name
        path.write_text(f"A note called {name}. It says something about {name}.")
        paths.append(str(path))
    return paths


def test_create_and_wait_then_get(gradient: CommandLine, client: Gradient, tmp_path: Path):
    created = gradient(
        "rag",
        "create",
        "handbook",
        *notes(tmp_path, "a.txt", "b.md"),
        "--chunker",
        "sentence",
        "--size",
        "20",
        "--context-sentences",
        "1",
        "--wait",
        "--json",
    )

    assert created.exit_code == 0, created.stderr
    document = created.json()
    assert document["name"] == "handbook"
    assert [f["status"] for f in document["files"]] == ["succeeded", "succeeded"]
    assert document["chunker"] == {"size": 20, "overlap": 0, "context_sentences": 1}
    described = gradient("rag", "get", document["id"])
    assert described.exit_code == 0
    assert "a.txt" in described.stdout
    assert "succeeded" in described.stdout
    on_the_server = client.get_rag_collection(id_=document["id"])
    assert [f.status for f in on_the_server.files] == [RAGFileStatus.SUCCEEDED] * 2


def test_list_add_files_and_delete(gradient: CommandLine, client: Gradient, tmp_path: Path):
    collection = client.create_rag_collection(
        name="listed", slug="bge-large", filepaths=notes(tmp_path, "one.txt")
    )

    listed = gradient("rag", "list", "--json")
    added = gradient("rag", "add-files", collection.id, *notes(tmp_path, "two.txt"), "--json")
    waited = gradient("rag", "wait", collection.id, "--timeout", "60", "--json")
    refused = gradient("rag", "delete", collection.id, input="n\n")
    deleted = gradient("rag", "delete", collection.id, "--yes", "--json")

    assert collection.id in [c["id"] for c in listed.json()["rag_collections"]]
    assert [f["name"] for f in added.json()["files"]] == ["one.txt", "two.txt"]
    assert [f["status"] for f in waited.json()["files"]] == ["succeeded", "succeeded"]
    assert refused.exit_code == 1
    assert deleted.json() == {"deleted": collection.id}
    assert collection.id not in [c.id for c in client.list_rag_collections()]


def test_a_failed_file_fails_the_wait(gradient: CommandLine, tmp_path: Path):
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x00\x01 binary")

    run = gradient("rag", "create", "bad", str(binary), "--wait")

    assert run.exit_code == 1
    assert "blob.bin" in run.stderr
    assert "looks binary" in run.stderr
    assert run.stderr.count("\n") == 1


def test_bad_usage_is_exit_2(gradient: CommandLine, tmp_path: Path):
    missing = gradient("rag", "create", "c", str(tmp_path / "nope.txt"))
    settings_without_chunker = gradient("rag", "create", "c", "--size", "10")
    no_files = gradient("rag", "add-files", "rag_x")

    assert (missing.exit_code, settings_without_chunker.exit_code, no_files.exit_code) == (2, 2, 2)
    assert "nope.txt" in missing.stderr
    assert "need --chunker" in settings_without_chunker.stderr


def test_an_unknown_collection_is_exit_1(gradient: CommandLine):
    run = gradient("rag", "get", "rag_does_not_exist")

    assert run.exit_code == 1
    assert "no RAG collection" in run.stderr
