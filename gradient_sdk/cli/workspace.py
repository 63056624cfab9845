"""``gradient workspace``: the workspace the credentials act in."""

from __future__ import annotations

import click

from .output import emit, json_option, table
from .session import Session, pass_session


@click.group()
def workspace() -> None:
    """The workspace your credentials act in."""


@workspace.command("list")
@json_option
@pass_session
def list_workspaces(session: Session, as_json: bool) -> None:
    """Show the workspace the credentials act in, checked with one authenticated call.

    The API has no call that lists workspaces: a token acts in the workspace it is sent
    with, so this lists that one once the API has accepted both.
    """
    with session.client() as client:
        models = client.list_models()
        row = {"id": client.workspace_id, "host": client.config.base_url, "models": len(models)}
    emit(
        {"workspaces": [row]},
        table("WORKSPACE ID", "HOST", "MODELS", rows=[row.values()]),
        as_json=as_json,
    )
