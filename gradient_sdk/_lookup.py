"""Finding a listed model by its slug, as gradientai's ``get_*_model`` helpers do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from .errors import NotFoundError


class _HasSlug(Protocol):
    @property
    def slug(self) -> str: ...


M = TypeVar("M", bound=_HasSlug)


def find_by_slug(models: Sequence[M], slug: str, *, what: str) -> M:
    """The model with ``slug``; :class:`NotFoundError` naming the slugs there are, if none.

    gradientai raised a bare ``StopIteration`` here.
    """
    for model in models:
        if model.slug == slug:
            return model
    known = ", ".join(sorted(model.slug for model in models)) or "none"
    raise NotFoundError(f"no {what} with slug {slug!r}; available: {known}", status_code=404)
