"""``python -m gradient_sdk.emulator``: the same as ``gradient emulator``."""

from .cli import main

raise SystemExit(main())
