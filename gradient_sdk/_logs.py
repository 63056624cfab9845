"""The SDK's logging switch: ``GRADIENT_LOG=debug`` or ``GRADIENT_LOG=info``.

The SDK logs to the ``gradient_sdk`` logger, as any library does, and stays silent unless the
application configures logging. The variable is the shortcut for a script or a notebook: it
gives that logger a stderr handler at the chosen level. Log lines name the method, the path
and the attempt; never a header, so never the token.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

LOG_ENV = "GRADIENT_LOG"
LOGGER_NAME = "gradient_sdk"
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}

logger = logging.getLogger(LOGGER_NAME)


def configure_from_environment(environ: Mapping[str, str] | None = None) -> int | None:
    """Apply ``$GRADIENT_LOG``; returns the level set, or None when it is unset or unknown."""
    value = (os.environ if environ is None else environ).get(LOG_ENV, "").strip().lower()
    level = _LEVELS.get(value)
    if level is None:
        return None
    if not any(getattr(handler, "_gradient_log", False) for handler in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s %(levelname)s %(name)s] %(message)s"))
        handler._gradient_log = True  # type: ignore[attr-defined]  # set once, even if reimported
        logger.addHandler(handler)
    logger.setLevel(level)
    return level
