"""Media built in code for the block tests: PDFs (reportlab), WAV files (the standard
library's wave module and numpy), and a tiny random Whisper model saved as a Hugging Face
folder, so the whole extract-pdf and transcription pipelines run for real, offline."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy
from PIL import Image
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import (
    Image as PdfImageFlowable,
)
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

TITLE = "Quarterly Report"
TABLE_ROWS = [["Region", "Sales"], ["North", "120"], ["South", "95"]]
RED = (220, 20, 20)


def red_square_png(size: int = 48) -> bytes:
    """A small solid red PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), RED).save(buffer, format="PNG")
    return buffer.getvalue()


def write_report(path: Path, *, title: str | None = TITLE, pages: int = 2) -> Path:
    """A PDF with metadata ``title``, a big heading, body text, a table and an image on the
    first page, and body text on each further page."""
    styles = getSampleStyleSheet()
    image_path = path.with_suffix(".png")
    image_path.write_bytes(red_square_png())
    story = [
        Paragraph("Quarterly Report", styles["Title"]),
        Paragraph("Sales grew in every region this quarter.", styles["BodyText"]),
        Spacer(1, 12),
        Paragraph("Results by region", styles["Heading2"]),
        Table(
            TABLE_ROWS,
            style=TableStyle([("GRID", (0, 0), (-1, -1), 1, colors.black)]),
        ),
        Spacer(1, 12),
        PdfImageFlowable(str(image_path), width=48, height=48),
    ]
    for number in range(2, pages + 1):
        story += [PageBreak(), Paragraph(f"Page {number} holds more notes.", styles["BodyText"])]
    document = SimpleDocTemplate(str(path), pagesize=A4, title=title or "")
    document.build(story)
    return path


def write_wav(
    path: Path,
    *,
    seconds: float = 1.0,
    rate: int = 16_000,
    channels: int = 1,
    sample_width: int = 2,
    frequency: float = 440.0,
) -> Path:
    """A sine tone as integer PCM WAV, at half the full scale."""
    times = numpy.arange(round(seconds * rate)) / rate
    tone = 0.5 * numpy.sin(2 * numpy.pi * frequency * times)
    frames = numpy.repeat(tone[:, None], channels, axis=1).ravel()
    if sample_width == 1:
        data = (frames * 127 + 128).astype(numpy.uint8).tobytes()
    elif sample_width == 3:
        values = (frames * (2**23 - 1)).astype("<i4").tobytes()
        data = b"".join(values[i : i + 3] for i in range(0, len(values), 4))
    else:
        scale = 2 ** (8 * sample_width - 1) - 1
        data = (frames * scale).astype(f"<i{sample_width}").tobytes()
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(sample_width)
        writer.setframerate(rate)
        writer.writeframes(data)
    return path


def save_tiny_whisper(folder: Path, seed: int = 0) -> Path:
    """The emulator's tiny random Whisper model and its processor, written with
    ``save_pretrained`` as a real model folder is."""
    from gradient_sdk.emulator.engines.tiny_speech import (
        build_tiny_speech_model,
        build_tiny_speech_processor,
    )

    processor = build_tiny_speech_processor()
    model_folder = folder / "tiny-whisper"
    build_tiny_speech_model(processor, seed).save_pretrained(model_folder)
    processor.save_pretrained(model_folder)
    return model_folder
