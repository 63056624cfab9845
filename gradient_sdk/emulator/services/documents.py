"""The text of an uploaded file, for RAG ingestion: plain text, Markdown, or PDF.

A file that holds no readable text is an :class:`UnreadableDocument` whose message says why
(empty, binary, not UTF-8, a PDF that cannot be parsed or has no text layer); the ingestion
marks the file ``failed`` with that reason. PDFs are read with pdfplumber (on pdfminer.six),
which the ``extract-pdf`` block also uses.
"""

from __future__ import annotations

import io

_PDF_MAGIC = b"%PDF-"


class UnreadableDocument(ValueError):
    """The file holds no text the emulator can read; the message says why."""


def document_text(data: bytes, *, name: str, content_type: str) -> str:
    """The text of a file's bytes: a PDF's text layer, or the file decoded as UTF-8 (plain
    text and Markdown alike)."""
    if not data.strip():
        raise UnreadableDocument(f"{name} is empty")
    if data.startswith(_PDF_MAGIC) or content_type == "application/pdf":
        return pdf_text(data)
    if b"\x00" in data:
        raise UnreadableDocument(
            f"{name} looks binary (it holds NUL bytes); the emulator reads text, Markdown and PDF"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableDocument(
            f"{name} is not UTF-8 text (byte {error.start} cannot be decoded)"
        ) from error
    if not text.strip():
        raise UnreadableDocument(f"{name} holds only white space")
    return text


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF, page by page, pages separated by blank lines."""
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    # pdfminer raises a dozen kinds of errors for broken or encrypted files; whichever it
    # is, the file is unreadable, and the reason goes to the user.
    except Exception as error:
        reason = str(error) or type(error).__name__
        raise UnreadableDocument(f"the PDF cannot be read: {reason}") from error
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise UnreadableDocument("the PDF has no text layer (a scanned PDF?)")
    return text
