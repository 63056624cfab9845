"""The API's error body, shared by the SDK (to read it) and the emulator (to write it)."""

from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen
class ErrorBody:
    """``{"message", "type"?, "payload"?}``: ``type`` and ``payload`` only on some endpoints."""

    message: str
    type: str | None = None
    payload: Any = None
