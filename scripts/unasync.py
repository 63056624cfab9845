"""Generate the sync client (``gradient_sdk/_sync``) from the async one (``gradient_sdk/_async``).

One source of truth, as httpcore does it: the async code is written by hand, the sync code is
this script's output. ``_backend.py`` is hand-written on both sides.

    python scripts/unasync.py          # rewrite gradient_sdk/_sync
    python scripts/unasync.py --check  # exit 1 if gradient_sdk/_sync is stale

Both fail when a rewrite rule matched nothing in the whole source (a rule left over from
code that is gone hides the next mistake), and ``--check`` also fails on a file in ``_sync``
that no async module generates (a leftover of a module removed or renamed).
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
        (r"\baiter_bytes\b", "iter_bytes"),
        (r"\bhandle_async_request\b", "handle_request"),
        (r"\bawait ", ""),
        (r"__aenter__", "__enter__"),
        (r"__aexit__", "__exit__"),
        (r"\baclose\b", "close"),
        (r"(?<![A-Za-z])Async(?=[A-Z])", ""),
        (r"\ban async context manager\b", "a context manager"),
    ]
]


def unasync(text: str, used: set[str] | None = None) -> str:
    """The sync twin of one async module's text (before formatting); the patterns of the
    rules that matched are added to ``used``."""
    text, count = ASYNC_ONLY.subn("", text)
    if used is not None and count:
        used.add(ASYNC_ONLY.pattern)
    for pattern, replacement in SUBSTITUTIONS:
        text, count = pattern.subn(replacement, text)
        if used is not None and count:
            used.add(pattern.pattern)
    return text


def unused_rules(used: set[str]) -> list[str]:
    """The rules that matched nothing in any module."""
    rules = [ASYNC_ONLY.pattern, *(pattern.pattern for pattern, _ in SUBSTITUTIONS)]
    return [rule for rule in rules if rule not in used]


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


def generate(used: set[str] | None = None) -> dict[Path, str]:
    """Every generated file and its content."""
    outputs: dict[Path, str] = {}
    for source in sorted(SOURCE.glob("*.py")):
        if source.name in HAND_WRITTEN:
            continue
        header = (
            f"# Generated from {source.relative_to(ROOT)} by scripts/unasync.py: do not edit.\n"
        )
        target = TARGET / source.name
        outputs[target] = header + formatted(unasync(source.read_text(), used), str(target))
    return outputs


def orphans(outputs: dict[Path, str]) -> list[Path]:
    """Files in ``_sync`` that are neither generated nor hand-written."""
    return [
        path
        for path in sorted(TARGET.glob("*.py"))
        if path not in outputs and path.name not in HAND_WRITTEN
    ]


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the sync code is stale")
    arguments = parser.parse_args()
    used: set[str] = set()
    outputs = generate(used)
    status = 0
    unused = unused_rules(used)
    if unused:
        print("rewrite rules that match nothing (remove them):", *unused, sep="\n  ")
        status = 1
    stale = []
    for target, content in outputs.items():
        current = target.read_text() if target.exists() else None
        if current == content:
            continue
        stale.append(_shown(target))
        if not arguments.check:
            target.write_text(content)
    leftovers = orphans(outputs)
    if arguments.check and stale:
        print("stale generated files (run python scripts/unasync.py):", *stale, sep="\n  ")
        status = 1
    if leftovers:
        if arguments.check:
            shown = [_shown(path) for path in leftovers]
            print("files in _sync that nothing generates (remove them):", *shown, sep="\n  ")
            status = 1
        else:
            for path in leftovers:
                path.unlink()
    return status


if __name__ == "__main__":
    sys.exit(main())
