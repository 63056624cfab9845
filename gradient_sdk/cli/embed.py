"""``gradient embed`` and ``gradient embeddings``: turn texts into vectors, list the models."""

from __future__ import annotations

from typing import TextIO

import click

from .output import emit, json_option, table, to_json
from .session import Session, pass_session

#: How many numbers of each vector the table shows; ``--json`` gives them all.
SHOWN_VALUES = 3


@click.group()
def embeddings() -> None:
    """The embeddings models."""


@embeddings.command("list")
@json_option
@pass_session
def list_embeddings_models(session: Session, as_json: bool) -> None:
    """List the embeddings models the workspace can use."""
    with session.client() as client:
        models = client.list_embeddings_models()
    emit(
        {"embeddings_models": [to_json(found.info) for found in models]},
        table("SLUG", rows=[(found.slug,) for found in models]),
        as_json=as_json,
    )


@click.command()
@click.argument("slug")
@click.argument("texts", nargs=-1, metavar="[TEXT]...")
@click.option(
    "--file",
    "text_file",
    type=click.File("r", encoding="utf-8"),
    help="Also embed each non-empty line of this file (- reads stdin).",
)
@json_option
@pass_session
def embed(
    session: Session, slug: str, texts: tuple[str, ...], text_file: TextIO | None, as_json: bool
) -> None:
    """Embed texts with an embeddings model.

    Embeds each TEXT, then each non-empty line of --file, with the embeddings model SLUG
    ('gradient embeddings list' shows the slugs).
    """
    inputs = list(texts)
    if text_file is not None:
        inputs += [line.rstrip("\r\n") for line in text_file if line.strip()]
    if not inputs:
        raise click.UsageError("nothing to embed: give TEXT arguments or --file")
    with session.client() as client:
        response = client.get_embeddings_model(slug=slug).embed(inputs=inputs)
    vectors = [(item.index, list(item.embedding)) for item in response.embeddings]
    rows = [
        (index, inputs[index], len(vector), ", ".join(f"{x:.4f}" for x in vector[:SHOWN_VALUES]))
        for index, vector in vectors
    ]
    emit(
        {
            "model": slug,
            "embeddings": [{"index": index, "embedding": vector} for index, vector in vectors],
        },
        table("INDEX", "TEXT", "DIMENSIONS", "FIRST VALUES", rows=rows),
        as_json=as_json,
    )
