"""The README's example runs too, the way the pages' examples do (see conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

README = Path(__file__).parent.parent / "README.md"


def test_the_readme_example_runs(run_document: Callable[[Path], None]) -> None:
    run_document(README)
