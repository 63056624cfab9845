"""Who may act where: the bearer token and the workspace header of a request."""

from __future__ import annotations

from starlette.requests import Request

from ..errors import ApiError
from ..settings import EmulatorSettings


def authorize(request: Request, settings: EmulatorSettings) -> str:
    """The workspace the request may act in; 401, 400 or 403 otherwise."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "an Authorization header 'Bearer <access token>' is required")
    owned = settings.workspaces_of(token)
    if owned is None:
        raise ApiError(401, "the access token is not valid")
    workspace_id = request.headers.get("x-gradient-workspace-id", "")
    if not workspace_id:
        raise ApiError(400, "the x-gradient-workspace-id header is required")
    if workspace_id not in owned:
        raise ApiError(403, f"the access token may not act in workspace {workspace_id!r}")
    return workspace_id
