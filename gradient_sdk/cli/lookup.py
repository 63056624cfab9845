"""Finding the model a command names: a base model by id or slug, or an adapter by id."""

from __future__ import annotations

from .. import BaseModel, Gradient, ModelAdapter
from .exits import Failure


def find_base_model(client: Gradient, reference: str) -> BaseModel | None:
    """The base model whose id or slug is ``reference``, or None."""
    for model in client.list_models(only_base=True):
        if reference in (model.id, model.slug):
            return model
    return None


def require_base_model(client: Gradient, reference: str) -> BaseModel:
    """The base model whose id or slug is ``reference``; a one-line failure if none."""
    model = find_base_model(client, reference)
    if model is None:
        raise Failure(
            f"no base model {reference!r} in workspace {client.workspace_id} "
            "(see 'gradient model list --only-base')"
        )
    return model


def find_model(client: Gradient, reference: str) -> BaseModel | ModelAdapter:
    """A base model (by id or slug) or else an adapter (by id); NotFoundError if neither.

    Base models are looked up first: the API describes adapters only.
    """
    return find_base_model(client, reference) or client.get_model_adapter(
        model_adapter_id=reference
    )
