"""``gradient model``: list, describe, create and delete models."""

from __future__ import annotations

import click

from .. import BaseModel, CapabilityFilter, ModelAdapter
from ..records import MAX_LORA_RANK
from .exits import Failure
from .lookup import find_model, require_base_model
from .output import emit, fields, json_option, table, to_json
from .session import Session, pass_session


@click.group()
def model() -> None:
    """Base models and their adapters."""


@model.command("list")
@click.option("--only-base", is_flag=True, help="List base models only, no adapters.")
@click.option(
    "--capability",
    type=click.Choice([choice.value for choice in CapabilityFilter]),
    default=CapabilityFilter.ANY.value,
    show_default=True,
    help="List only models that can do this.",
)
@json_option
@pass_session
def list_models(session: Session, only_base: bool, capability: str, as_json: bool) -> None:
    """List the workspace's base models and adapters."""
    with session.client() as client:
        models = client.list_models(only_base=only_base, capability=CapabilityFilter(capability))
    slugs = {found.id: found.slug for found in models if isinstance(found, BaseModel)}
    rows = [_row(found, slugs) for found in models]
    emit(
        {"models": [to_json(found.info) for found in models]},
        table("ID", "TYPE", "NAME", "SLUG / BASE MODEL", "CAPABILITIES", rows=rows),
        as_json=as_json,
    )


def _row(found: BaseModel | ModelAdapter, slugs: dict[str, str]) -> tuple[str, ...]:
    if isinstance(found, BaseModel):
        capabilities = ", ".join(capability.value for capability in found.capabilities)
        return (found.id, "base", found.name, found.slug, capabilities)
    # An adapter shows its base model by slug where the list has it, else by id.
    base = slugs.get(found.base_model_id, found.base_model_id)
    return (found.id, "adapter", found.name, base, "")


@model.command("get")
@click.argument("model_id", metavar="ID")
@json_option
@pass_session
def get_model(session: Session, model_id: str, as_json: bool) -> None:
    """Describe a model: a base model by id or slug, or an adapter by id."""
    with session.client() as client:
        found = find_model(client, model_id)
    record = to_json(found.info)
    emit(record, fields(record.items()), as_json=as_json)


@model.command("create-adapter")
@click.argument("base_model", metavar="BASE_MODEL")
@click.option("--name", required=True, help="The adapter's name.")
@click.option(
    "--rank",
    type=click.IntRange(1, MAX_LORA_RANK),
    help="LoRA rank; the server chooses if not given.",
)
@click.option(
    "--learning-rate",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    help="Learning rate in (0, 1); the server chooses if not given.",
)
@json_option
@pass_session
def create_adapter(
    session: Session,
    base_model: str,
    name: str,
    rank: int | None,
    learning_rate: float | None,
    as_json: bool,
) -> None:
    """Create a LoRA adapter of BASE_MODEL (its id or slug)."""
    with session.client() as client:
        base = require_base_model(client, base_model)
        adapter = base.create_model_adapter(name=name, rank=rank, learning_rate=learning_rate)
    emit(to_json(adapter.info), adapter.id, as_json=as_json)


@model.command("delete")
@click.argument("adapter_id", metavar="ID")
@click.option("--yes", "-y", is_flag=True, help="Delete without asking first.")
@json_option
@pass_session
def delete_adapter(session: Session, adapter_id: str, yes: bool, as_json: bool) -> None:
    """Delete the adapter ID (base models cannot be deleted)."""
    with session.client() as client:
        adapter = client.get_model_adapter(model_adapter_id=adapter_id)
        if not yes and not click.confirm(
            f"Delete adapter {adapter.name!r} ({adapter.id})?", err=True
        ):
            raise Failure("not deleted")
        adapter.delete()
    emit({"deleted": adapter.id}, f"Deleted {adapter.id}", as_json=as_json)
