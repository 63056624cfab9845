"""What every command shares: the credentials the global options gave, and the client."""

from __future__ import annotations

from typing import Any

import attrs
import click

from .. import ConfigurationError, Gradient

ACCESS_TOKEN_ENV = "GRADIENT_ACCESS_TOKEN"
WORKSPACE_ID_ENV = "GRADIENT_WORKSPACE_ID"
API_URL_ENV = "GRADIENT_API_URL"
DEFAULT_HOST = "https://api.gradient.ai/api"


@attrs.frozen
class Session:
    """The global options of one ``gradient`` run.

    ``replay`` holds the global options given on the command line, for commands that print a
    command to run next (``fine-tune`` after Ctrl+C); it never holds the access token.
    """

    host: str | None = None
    access_token: str | None = attrs.field(default=None, repr=False)
    workspace_id: str | None = None
    debug: bool = False
    replay: tuple[str, ...] = ()
    token_on_command_line: bool = False

    @property
    def api_url(self) -> str:
        """The API's base URL this run talks to."""
        return self.host or DEFAULT_HOST

    def client(self, **options: Any) -> Gradient:
        """A sync client with these credentials; :class:`ConfigurationError` if one is missing."""
        missing = [
            f"{option} (or set {variable})"
            for option, variable, value in (
                ("--access-token", ACCESS_TOKEN_ENV, self.access_token),
                ("--workspace-id", WORKSPACE_ID_ENV, self.workspace_id),
            )
            if not value
        ]
        if missing:
            raise ConfigurationError("missing credentials: pass " + " and ".join(missing))
        return Gradient(
            access_token=self.access_token,
            workspace_id=self.workspace_id,
            host=self.api_url,
            **options,
        )


pass_session = click.make_pass_decorator(Session)
