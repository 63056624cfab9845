"""What every Python client script shares: named checks, each time-boxed, one JSON line each.

A client script runs in that client's own virtual environment, where nothing of this project
is installed; it imports this file from its own folder. The runner (``compat/run.py``) starts
the emulator, sets ``GRADIENT_API_URL``, ``GRADIENT_ACCESS_TOKEN``, ``GRADIENT_WORKSPACE_ID``
and ``COMPAT_RESULTS``, runs ``python <script> <scenario>``, and compares the lines written
to ``COMPAT_RESULTS`` with ``compat/matrix.py``. A check works when its function returns;
any exception is its failure, recorded with its class name, message and, where the client's
exception carries them, the HTTP status and body, so that an expected failure is asserted
as exactly that failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import inspect
import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Check = Callable[[], Any]


class Checks:
    """The checks of one client script, run in the order they were added."""

    def __init__(self) -> None:
        self._checks: list[tuple[str, str, Check]] = []
        #: Values one check leaves for later ones (an adapter id, a slug).
        self.state: dict[str, Any] = {}

    def add(self, name: str, *, scenario: str = "breadth") -> Callable[[Check], Check]:
        """Register a check under the name its row in the matrix has."""

        def register(function: Check) -> Check:
            if any(existing == name for existing, _, _ in self._checks):
                raise ValueError(f"two checks are named {name!r}")
            self._checks.append((name, scenario, function))
            return function

        return register

    def main(self) -> int:
        """Run the checks of the scenario named on the command line; 0 unless the harness broke."""
        if importlib.util.find_spec("gradient_sdk") is not None:
            raise SystemExit("gradient_sdk is importable here: a client must run without it")
        scenario = sys.argv[1]
        results = Path(os.environ["COMPAT_RESULTS"])
        limit = float(os.environ.get("COMPAT_CHECK_TIMEOUT", "120"))
        with results.open("a", encoding="utf-8") as out:
            for name, check_scenario, function in self._checks:
                if check_scenario != scenario:
                    continue
                record = run_one(name, function, limit)
                out.write(json.dumps(record) + "\n")
                out.flush()
                shown = "works" if record["outcome"] == "works" else record["error_type"]
                print(f"  {record['seconds']:6.2f} s  {name}: {shown}", flush=True)
        return 0


def run_one(name: str, function: Check, limit: float) -> dict[str, Any]:
    """Run one check within ``limit`` seconds and describe how it went."""
    started = time.monotonic()
    record: dict[str, Any] = {"check": name}
    try:
        with time_limit(limit):
            result = function()
            if inspect.iscoroutine(result):
                asyncio.run(result)
        record["outcome"] = "works"
    except Exception as error:  # any failure is data for the matrix
        record.update(outcome="fails", **describe(error))
    record["seconds"] = round(time.monotonic() - started, 3)
    return record


def describe(error: BaseException) -> dict[str, Any]:
    """An exception as the matrix matches it: class, message, HTTP status and body if any."""
    status = getattr(error, "status", None)
    body = getattr(error, "body", None)
    return {
        "error_type": type(error).__name__,
        "message": str(error),
        "status": status if isinstance(status, int) else None,
        "body": body if isinstance(body, str) else None,
        "traceback": "".join(traceback.format_exception(error)[-6:]),
    }


class CheckTimeout(Exception):
    """A check ran past its time limit (a client that polls forever, a hung request)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`CheckTimeout` in the main thread after ``seconds``."""

    def expire(signum: int, frame: Any) -> None:
        raise CheckTimeout(f"the check took longer than {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def expect_failure(call: Callable[[], Any], error_type: type[BaseException]) -> BaseException:
    """Call ``call``, which must raise ``error_type``; return the error for further asserts."""
    try:
        call()
    except error_type as error:
        return error
    raise AssertionError(f"expected {error_type.__name__}, but the call returned")


def api_url() -> str:
    """The emulator's API base URL, as the runner exported it."""
    return os.environ["GRADIENT_API_URL"]


def access_token() -> str:
    """The emulator's access token."""
    return os.environ["GRADIENT_ACCESS_TOKEN"]


def workspace_id() -> str:
    """The emulator's workspace id."""
    return os.environ["GRADIENT_WORKSPACE_ID"]


def scratch_dir() -> Path:
    """A folder the runner made for this run, for files the checks write (uploads, data)."""
    return Path(os.environ["COMPAT_SCRATCH"])


def write_sample_files() -> dict[str, str]:
    """Small real files to upload: a text document, a one-page PDF and a WAV tone.

    They are made here, so nothing is downloaded: the PDF is a minimal, valid PDF 1.4 with
    one line of text, the WAV one second of a 440 Hz tone at 16 kHz.
    """
    import math
    import struct
    import wave

    folder = scratch_dir()
    text = folder / "dallas.txt"
    text.write_text("The Dallas Cowboys won the Super Bowl in 1994.\n", encoding="utf-8")

    pdf = folder / "report.pdf"
    pdf.write_bytes(minimal_pdf("Gradient emulator compatibility report"))

    audio = folder / "tone.wav"
    rate = 16_000
    with wave.open(str(audio), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
                for n in range(rate)
            )
        )
    return {"text": str(text), "pdf": str(pdf), "audio": str(audio)}


def minimal_pdf(line: str) -> bytes:
    """A one-page PDF showing ``line`` in Helvetica, with a correct cross-reference table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({line}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
        b" /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    document = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(document))
        document += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(document)
    document += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    document += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    document += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(document)
