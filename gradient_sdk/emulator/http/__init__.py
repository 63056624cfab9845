"""The emulator's HTTP layer: the app, its routes from the endpoint table, the handlers."""

from .app import create_app
from .router import API_PREFIX

__all__ = ["API_PREFIX", "create_app"]
