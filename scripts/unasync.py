"""Generate the sync client (``gradient_sdk/_sync``) from the async one (``gradient_sdk/_async``).

One source of truth, as httpcore does it: the async code is written by hand, the sync code is
this script's output. ``_backend.py`` is hand-written on both sides.

    python scripts/unasync.py          # rewrite gradient_sdk/_sync
    python scripts/unasync.py --check  # exit 1 if gradient_sdk/_sync is stale
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "gradient_sdk" / "_async"
TARGET = ROOT / "gradient_sdk" / "_sync"
HAND_WRITTEN = {"__init__.py", "_backend.py"}

ASYNC_ONLY = re.compile(
    r"^[ \t]*# unasync: async-only-start\n.*?^[ \t]*# unasync: async-only-end\n\n?",
    re.DOTALL | re.MULTILINE,
)
SUBSTITUTIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), replacement)
    for pattern, replacement in [
        (r"\basync def\b", "def"),
        (r"\basync with\b", "with"),
        (r"\basync for\b", "for"),
        (r"\bawait ", ""),
        (r"__aenter__", "__enter__"),
        (r"__aexit__", "__exit__"),
        (r"\baclose\b", "close"),
        (r"(?<![A-Za-z])Async(?=[A-Z])", ""),
        (r"\ban async context manager\b", "a context manager"),
    ]
]


def unasync(text: str) -> str:
    """The sync twin of one async module's text (before formatting)."""
    text = ASYNC_ONLY.sub("", text)
    for pattern, replacement in SUBSTITUTIONS:
        text = pattern.sub(replacement, text)
    return text


def formatted(text: str, name: str) -> str:
    """Run ruff's formatter over generated text, so it reads like the hand-written code."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", name, "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return result.stdout


def generate() -> dict[Path, str]:
    """Every generated file and its content."""
    outputs: dict[Path, str] = {}
    for source in sorted(SOURCE.glob("*.py")):
        if source.name in HAND_WRITTEN:
            continue
        header = (
            f"# Generated from {source.relative_to(ROOT)} by scripts/unasync.py: do not edit.\n"
        )
        target = TARGET / source.name
        outputs[target] = header + formatted(unasync(source.read_text()), str(target))
    return outputs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the sync code is stale")
    arguments = parser.parse_args()
    stale = []
    for target, content in generate().items():
        current = target.read_text() if target.exists() else None
        if current == content:
            continue
        stale.append(target.relative_to(ROOT))
        if not arguments.check:
            target.write_text(content)
    if arguments.check and stale:
        print("stale generated files (run python scripts/unasync.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
