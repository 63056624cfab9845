"""The ``gradient`` command: every operation of the SDK from the shell.

Install it with ``pip install "gradient-llm-sdk[cli]"`` (the ``emulator`` extra includes it).
It is built on click, with rich for tables and the fine-tune progress bar, and uses the
public SDK only. :func:`main` is the console script; ``gradient_sdk.cli.app.cli`` is the
click group, for click's test runner and for embedding in other click applications.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``gradient`` with ``argv`` (default: the command line); returns the exit status."""
    try:
        from .app import run
    except ImportError as error:  # the cli extra is not installed
        missing = (error.name or "a dependency").partition(".")[0]
        print(f'gradient needs {missing}: pip install "gradient-llm-sdk[cli]"', file=sys.stderr)
        return 1
    return run(argv)


__all__ = ["main"]
