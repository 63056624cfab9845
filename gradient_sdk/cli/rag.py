"""``gradient rag``: RAG collections: create from files, list, describe, add files, wait, delete."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Group

from .. import (
    Chunker,
    FileChunker,
    MeaningBasedChunker,
    NormalChunker,
    RAGCollection,
    SentenceWithContextChunker,
)
from .exits import Failure
from .output import emit, fields, json_option, table, to_json
from .session import Session, pass_session

CHUNKERS = ("file", "normal", "sentence", "meaning")
#: How long ``--wait`` and ``rag wait`` wait by default, in seconds.
DEFAULT_WAIT = 300.0

_files = click.argument(
    "filepaths", nargs=-1, metavar="FILE...", type=click.Path(exists=True, dir_okay=False)
)
_wait_timeout = click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_WAIT,
    show_default=True,
    help="Seconds to wait for ingestion at most.",
)


@click.group()
def rag() -> None:
    """RAG collections of files, for grounded completions and answers."""


def _chunker(
    kind: str | None,
    size: int | None,
    overlap: int | None,
    context_sentences: int | None,
    group_length: int | None,
    threshold: int | None,
) -> Chunker | None:
    if kind is None:
        settings = (size, overlap, context_sentences, group_length, threshold)
        if any(value is not None for value in settings):
            raise click.UsageError("--size, --overlap and the like need --chunker")
        return None
    if kind == "file":
        return FileChunker()
    if kind == "normal":
        return NormalChunker(size=size, overlap=overlap)
    if kind == "sentence":
        return SentenceWithContextChunker(
            size=size, overlap=overlap, context_sentences=context_sentences
        )
    return MeaningBasedChunker(
        size=size,
        overlap=overlap,
        sentence_group_length=group_length,
        similarity_percent_threshold=threshold,
    )


def _show(collection: RAGCollection, *, as_json: bool) -> None:
    """The collection's fields, then a table of its files and their status."""
    record = to_json(collection.info)
    summary = {key: value for key, value in record.items() if key != "files"}
    rows = [(f.id, f.name, f.status.value, f.failure_reason or "") for f in collection.files]
    files = table("FILE ID", "NAME", "STATUS", "REASON", rows=rows)
    emit(
        record,
        Group(fields(summary.items()), files) if rows else fields(summary.items()),
        as_json=as_json,
    )


@rag.command("create")
@click.argument("name")
@_files
@click.option("--slug", default="bge-large", show_default=True, help="The embeddings model.")
@click.option("--chunker", "kind", type=click.Choice(CHUNKERS), help="How files are cut up.")
@click.option("--size", type=click.IntRange(min=1), help="Chunk size (words).")
@click.option("--overlap", type=click.IntRange(min=0), help="Overlap between chunks.")
@click.option("--context-sentences", type=click.IntRange(min=1), help="sentence: neighbours.")
@click.option("--group-length", type=click.IntRange(min=1), help="meaning: sentences a group.")
@click.option("--threshold", type=click.IntRange(0, 100), help="meaning: similarity percent.")
@click.option("--wait/--no-wait", default=False, help="Wait until every file is ingested.")
@_wait_timeout
@json_option
@pass_session
def create(
    session: Session,
    name: str,
    filepaths: tuple[str, ...],
    slug: str,
    kind: str | None,
    size: int | None,
    overlap: int | None,
    context_sentences: int | None,
    group_length: int | None,
    threshold: int | None,
    wait: bool,
    timeout: float,
    as_json: bool,
) -> None:
    """Create the collection NAME of FILEs (text, Markdown, PDF).

    Ingestion runs in the background; --wait waits for it (exit status 1 if a file fails).
    """
    chunker = _chunker(kind, size, overlap, context_sentences, group_length, threshold)
    with session.client() as client:
        collection = client.create_rag_collection(
            name=name, slug=slug, filepaths=[Path(path) for path in filepaths], chunker=chunker
        )
        if wait:
            collection.wait_until_ready(timeout=timeout)
    _show(collection, as_json=as_json)


@rag.command("list")
@json_option
@pass_session
def list_collections(session: Session, as_json: bool) -> None:
    """List the workspace's RAG collections."""
    with session.client() as client:
        collections = client.list_rag_collections()
    rows = [(c.id, c.name, c.slug, c.chunker.chunker_type) for c in collections]
    emit(
        {"rag_collections": [to_json(c.info) for c in collections]},
        table("ID", "NAME", "SLUG", "CHUNKER", rows=rows),
        as_json=as_json,
    )


@rag.command("get")
@click.argument("collection_id", metavar="ID")
@json_option
@pass_session
def get(session: Session, collection_id: str, as_json: bool) -> None:
    """Describe the collection ID and the ingestion status of its files."""
    with session.client() as client:
        collection = client.get_rag_collection(id_=collection_id)
    _show(collection, as_json=as_json)


@rag.command("add-files")
@click.argument("collection_id", metavar="ID")
@_files
@json_option
@pass_session
def add_files(
    session: Session, collection_id: str, filepaths: tuple[str, ...], as_json: bool
) -> None:
    """Upload FILEs and add them to the collection ID."""
    if not filepaths:
        raise click.UsageError("give at least one FILE")
    with session.client() as client:
        collection = client.get_rag_collection(id_=collection_id)
        collection.add_files(filepaths=[Path(path) for path in filepaths])
    _show(collection, as_json=as_json)


@rag.command("wait")
@click.argument("collection_id", metavar="ID")
@_wait_timeout
@json_option
@pass_session
def wait(session: Session, collection_id: str, timeout: float, as_json: bool) -> None:
    """Wait until no file of the collection ID is pending or running."""
    with session.client() as client:
        collection = client.get_rag_collection(id_=collection_id)
        collection.wait_until_ready(timeout=timeout)
    _show(collection, as_json=as_json)


@rag.command("delete")
@click.argument("collection_id", metavar="ID")
@click.option("--yes", "-y", is_flag=True, help="Delete without asking first.")
@json_option
@pass_session
def delete(session: Session, collection_id: str, yes: bool, as_json: bool) -> None:
    """Delete the collection ID with its files and chunks."""
    with session.client() as client:
        collection = client.get_rag_collection(id_=collection_id)
        if not yes and not click.confirm(
            f"Delete RAG collection {collection.name!r} ({collection.id})?", err=True
        ):
            raise Failure("not deleted")
        collection.delete()
    emit({"deleted": collection.id}, f"Deleted {collection.id}", as_json=as_json)
