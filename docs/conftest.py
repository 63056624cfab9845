"""Every Python example of the documentation runs as a test, as a user would run it.

sybil finds the ```` ```python ```` blocks of each page (``docs/*.md``; ``test_readme.py``
does the README) and runs them in order in one namespace per page, so a page reads as one
session. Each page gets its own emulator over loopback HTTP and the three ``GRADIENT_*``
variables pointing at it, so examples say ``AsyncGradient()`` or ``Gradient()`` with no
credentials in sight, and a working directory of its own with the files its examples name.

Examples may ``await`` at the top level, as in a notebook or ``python -m asyncio``: each page
has one event loop that all its async examples run in, so a client made in one example
still works in the next. Shell blocks (```` ```sh ````) are not run.

Pages in ``REAL_MODEL_PAGES`` get the real SmolLM2 model instead of the tiny random one; their
examples are marked ``slow`` (and still run in ``nox -s tests``).
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import io
import os
import tempfile
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from sybil import Document, Example, Sybil
from sybil.evaluators.python import pad
from sybil.parsers.myst import CodeBlockParser, SkipParser

from gradient_sdk.emulator import EmulatorSettings, serve_http

DOCS = Path(__file__).parent
#: Pages whose examples need the real model (a fine-tune that visibly teaches it).
REAL_MODEL_PAGES = frozenset({"fine-tuning.md"})
#: The namespace key of a page's running state; examples never see it by name.
PAGE = "__docs_page__"


def handbook(folder: Path) -> None:
    """The files the RAG page uploads: Markdown, text, and a PDF with a text layer."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    (folder / "handbook").mkdir()
    (folder / "handbook" / "holidays.md").write_text(
        "# Holidays\n\nEvery employee gets 30 days of paid holiday a year. Unused days carry "
        "over to the next year, up to 10 days.\n"
    )
    (folder / "handbook" / "travel.txt").write_text(
        "Book train travel in second class. Flights need the approval of your manager.\n"
    )
    pdf = io.BytesIO()
    page = canvas.Canvas(pdf, pagesize=letter)
    page.drawString(72, 720, "Expenses are refunded within 14 days of a claim with receipts.")
    page.save()
    (folder / "handbook" / "expenses.pdf").write_bytes(pdf.getvalue())


def report_and_recording(folder: Path) -> None:
    """The files the blocks page reads: a PDF with a title, and a second of WAV audio."""
    import wave

    import numpy
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(folder / "report.pdf"))
    page.setTitle("Quarterly Report")
    page.drawString(72, 720, "Sales grew in every region this quarter.")
    page.save()
    tone = 0.5 * numpy.sin(2 * numpy.pi * 440 * numpy.arange(16_000) / 16_000)
    with wave.open(str(folder / "meeting.wav"), "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(16_000)
        recording.writeframes((tone * 32767).astype("<i2").tobytes())


#: Files a page's examples read, written into its working directory before they run.
PAGE_FILES: dict[str, Callable[[Path], None]] = {
    "rag.md": handbook,
    "blocks.md": report_and_recording,
}


class TopLevelAwait:
    """Runs an example; one that awaits at the top level runs in the page's event loop."""

    def __call__(self, example: Example) -> None:
        __tracebackhide__ = True
        source = pad(example.parsed, example.line + example.parsed.line_offset)
        code = compile(
            source, example.path, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
        )
        namespace = example.namespace
        if code.co_flags & inspect.CO_COROUTINE:
            namespace[PAGE].run(eval(code, namespace))
        else:
            exec(code, namespace)
        namespace.pop("__builtins__", None)


class PageDocument(Document):
    """A page whose namespace knows the page's path, for :func:`setup` to find its settings."""

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text, path)
        self.namespace["__file__"] = path


class Page:
    """What one page's examples run with: an emulator, its credentials, a loop, a folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.loop = asyncio.new_event_loop()
        self._stack = contextlib.ExitStack()

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        self.loop.run_until_complete(coroutine)

    def start(self) -> None:
        self._stack.callback(self._close_loop)
        real = self.path.name in REAL_MODEL_PAGES
        settings = EmulatorSettings(model="smollm2" if real else "tiny", embeddings_model="hashing")
        server = self._stack.enter_context(serve_http(settings))
        self._stack.enter_context(
            environment(
                GRADIENT_API_URL=server.url,
                GRADIENT_ACCESS_TOKEN=settings.access_token,
                GRADIENT_WORKSPACE_ID=settings.workspace_id,
            )
        )
        folder = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="docs-")))
        PAGE_FILES.get(self.path.name, lambda folder: None)(folder)
        self._stack.enter_context(working_directory(folder))

    def stop(self) -> None:
        self._stack.close()

    def _close_loop(self) -> None:
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()


@contextlib.contextmanager
def working_directory(folder: Path) -> Iterator[None]:
    """``contextlib.chdir``, which Python 3.10 lacks."""
    saved = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(saved)


@contextlib.contextmanager
def environment(**variables: str) -> Iterator[None]:
    """Set environment variables for a block, then put back what was there."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def setup(namespace: dict[str, Any]) -> None:
    page = Page(Path(namespace["__file__"]))
    namespace[PAGE] = page
    page.start()


def teardown(namespace: dict[str, Any]) -> None:
    namespace.pop(PAGE).stop()


PARSERS = [CodeBlockParser(language="python", evaluator=TopLevelAwait()), SkipParser()]
#: Pages whose examples do not run yet, and why; each is a debt, to be paid by its owner.
NOT_RUN: dict[str, str] = {}

pytest_collect_file = Sybil(
    parsers=PARSERS,
    patterns=["*.md"],
    excludes=list(NOT_RUN),
    setup=setup,
    teardown=teardown,
    document_types={".md": PageDocument},
).pytest()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.parent == DOCS and item.path.name in REAL_MODEL_PAGES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def run_document() -> Callable[[Path], None]:
    """Run every example of a Markdown file outside ``docs/`` (the README) as one test."""

    def run(path: Path) -> None:
        document = PageDocument.parse(str(path), *PARSERS)
        setup(document.namespace)
        try:
            for example in document.examples():
                example.evaluate()
        finally:
            teardown(document.namespace)

    return run
