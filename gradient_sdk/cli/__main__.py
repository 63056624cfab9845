"""``python -m gradient_sdk.cli``: the same as ``gradient``."""

from . import main

raise SystemExit(main())
