"""``gradient complete``: complete a prompt with a base model or an adapter."""

from __future__ import annotations

import sys

import click

from .. import Guidance
from ..records import MAX_GENERATED_TOKEN_COUNT
from .lookup import find_model
from .output import emit, json_option, to_json
from .session import Session, pass_session

_UNIT = click.FloatRange(0, 1)


@click.command()
@click.argument("model_id", metavar="MODEL")
@click.argument("query")
@click.option(
    "--max-tokens",
    type=click.IntRange(1, MAX_GENERATED_TOKEN_COUNT),
    help="Generate at most this many tokens.",
)
@click.option("--temperature", type=_UNIT, help="Sampling temperature; 0 is greedy.")
@click.option("--top-k", type=click.IntRange(min=1), help="Sample among the K likeliest tokens.")
@click.option("--top-p", type=_UNIT, help="Sample among the tokens that make up P.")
@click.option("--guidance", metavar="A,B,...", help="Answer with one of these choices.")
@click.option("--rag", metavar="COLLECTION", help="Retrieve context from this RAG collection.")
@click.option(
    "--auto-template/--no-auto-template",
    default=None,
    help="Wrap the query in the model's prompt template (default: on with --rag, else the"
    " server's choice).",
)
@json_option
@pass_session
def complete(
    session: Session,
    model_id: str,
    query: str,
    max_tokens: int | None,
    temperature: float | None,
    top_k: int | None,
    top_p: float | None,
    guidance: str | None,
    rag: str | None,
    auto_template: bool | None,
    as_json: bool,
) -> None:
    """Complete a prompt with a base model or an adapter.

    MODEL is a base model's id or slug, or an adapter's id. A QUERY of - is read from
    stdin, less one trailing newline. The generated text is printed as it is.
    """
    if query == "-":
        query = sys.stdin.read().removesuffix("\n")
    choices = None if guidance is None else Guidance(value=guidance.split(","))
    if rag is not None and auto_template is None:
        auto_template = True  # the API puts RAG passages in the template, and refuses without

    with session.client() as client:
        found = find_model(client, model_id)
        response = found.complete(
            query=query,
            max_generated_token_count=max_tokens,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            guidance=choices,
            rag_collection_id=rag,
            auto_template=auto_template,
        )
    emit(to_json(response), response.generated_output, as_json=as_json)
