"""Reading a PDF for ``extract-pdf`` with pdfplumber: text, text blocks, tables and images.

pdfplumber (on pdfminer.six) gives each line of text with its characters' sizes, finds
tables from the lines drawn around cells, and knows where images sit; pypdfium2, which it
renders with, turns an image's area into PNG pixels. What pdfplumber does not say is
inferred and documented here: a block's kind comes from its font size against the
document's body size (a much larger line on the first page is the ``title``, a larger one a
``section_title``) and from its place (the top and bottom margins hold ``header`` and
``footer`` lines); the first row of a table is its header. A file that is not a PDF is a
400, a PDF pdfplumber cannot read (broken, encrypted) a 422: never a 500.
"""

from __future__ import annotations

import base64
import collections
import io
from collections.abc import Iterable, Sequence
from typing import IO, Any, cast

from ...records import (
    ExtractPdfResponse,
    PdfImage,
    PdfPage,
    PdfTable,
    PdfTableCell,
    PdfTableRow,
    PdfTextBlock,
    PdfTextBlockKind,
)
from ..errors import ApiError

#: The most pages the emulator reads from one PDF; longer ones get 422.
MAX_PDF_PAGES = 300
#: A line this much larger than the body text is a title (first page) or a section title.
TITLE_SCALE = 1.5
SECTION_TITLE_SCALE = 1.15
#: The share of a page's height at its top and bottom that holds headers and footers.
MARGIN_SHARE = 0.06
#: Rendered images are at most this many pixels on their longer side.
MAX_IMAGE_PIXELS = 1024
_PDF_MAGIC = b"%PDF-"
# The PDF specification lets the header start anywhere in the first 1024 bytes.
_HEADER_WINDOW = 1024


def read_pdf(source: IO[bytes], *, name: str) -> ExtractPdfResponse:
    """Everything ``extract-pdf`` answers about the PDF in ``source``."""
    import pdfplumber

    if _PDF_MAGIC not in source.read(_HEADER_WINDOW):
        raise ApiError(400, f"{name} is not a PDF: it does not start with {_PDF_MAGIC.decode()}")
    source.seek(0)
    # pdfminer reports a damaged or encrypted file through many exception types (syntax,
    # encryption, struct and key errors deep in its parser): whatever it raises here is
    # the file's fault, answered as such.
    try:
        # Typed for a few stream classes; any seekable binary file does.
        with pdfplumber.open(cast(Any, source)) as pdf:
            if len(pdf.pages) > MAX_PDF_PAGES:
                raise ApiError(
                    422, f"{name} has {len(pdf.pages)} pages; the emulator reads {MAX_PDF_PAGES}"
                )
            body_size = _body_size(pdf.pages)
            pages = tuple(
                _page(page, number, body_size) for number, page in enumerate(pdf.pages, 1)
            )
            metadata = pdf.metadata  # pyright: ignore[reportUnknownMemberType]  # a bare dict
            title = _title(cast("dict[str, Any]", metadata))
    except ApiError:
        raise
    except Exception as error:
        raise ApiError(422, f"{name} is a PDF that cannot be read: {error}") from error
    text = "\n\n".join(page.text for page in pages if page.text)
    return ExtractPdfResponse(pages=pages, text=text, title=title)


def _title(metadata: dict[str, Any]) -> str | None:
    title = metadata.get("Title")
    if isinstance(title, bytes):
        title = title.decode("utf-8", errors="replace")
    return title.strip() or None if isinstance(title, str) else None


def _body_size(pages: Iterable[Any]) -> float:
    """The font size most of the document's characters have."""
    sizes: collections.Counter[float] = collections.Counter(
        round(float(char["size"]), 1) for page in pages for char in page.chars
    )
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _page(page: Any, number: int, body_size: float) -> PdfPage:
    tables = page.find_tables()
    outside_tables = page
    for table in tables:
        outside_tables = outside_tables.outside_bbox(table.bbox)
    return PdfPage(
        page_number=number,
        text=page.extract_text() or "",
        text_blocks=_text_blocks(
            outside_tables.extract_text_lines(), page, first_page=number == 1, body=body_size
        ),
        tables=tuple(
            _table(table.extract(), f"Table {position} of page {number}")
            for position, table in enumerate(tables, 1)
        ),
        images=tuple(_images(page)),
    )


def _text_blocks(
    lines: Sequence[dict[str, Any]], page: Any, *, first_page: bool, body: float
) -> tuple[PdfTextBlock, ...]:
    """Lines grouped into blocks: consecutive lines of one kind, close together."""
    blocks: list[tuple[PdfTextBlockKind, list[str]]] = []
    previous_bottom: float | None = None
    for line in lines:
        text = str(line["text"]).strip()
        if not text:
            continue
        kind = _kind(line, page, first_page=first_page, body=body)
        height = float(line["bottom"]) - float(line["top"])
        close = previous_bottom is not None and float(line["top"]) - previous_bottom < height
        if blocks and blocks[-1][0] is kind and close:
            blocks[-1][1].append(text)
        else:
            blocks.append((kind, [text]))
        previous_bottom = float(line["bottom"])
    return tuple(PdfTextBlock(kind=kind, texts=tuple(texts)) for kind, texts in blocks)


def _kind(line: dict[str, Any], page: Any, *, first_page: bool, body: float) -> PdfTextBlockKind:
    size = max((float(char["size"]) for char in line["chars"]), default=body)
    if body and size >= TITLE_SCALE * body:
        return PdfTextBlockKind.TITLE if first_page else PdfTextBlockKind.SECTION_TITLE
    if body and size >= SECTION_TITLE_SCALE * body:
        return PdfTextBlockKind.SECTION_TITLE
    margin = MARGIN_SHARE * float(page.height)
    if float(line["bottom"]) <= margin:
        return PdfTextBlockKind.HEADER
    if float(line["top"]) >= float(page.height) - margin:
        return PdfTextBlockKind.FOOTER
    return PdfTextBlockKind.TEXT


def _table(rows: list[list[str | None]], name: str) -> PdfTable:
    """A table's rows; a cell another one spans over (None to pdfplumber) is left out, and
    widens the cell before it."""
    table_rows: list[PdfTableRow] = []
    for position, row in enumerate(rows):
        cells: list[PdfTableCell] = []
        for value in row:
            if value is None and cells:
                last = cells[-1]
                cells[-1] = PdfTableCell(
                    cell_value=last.cell_value, col_span=(last.col_span or 1) + 1
                )
            elif value is not None:
                cells.append(PdfTableCell(cell_value=value))
        table_rows.append(
            PdfTableRow(
                cells=tuple(cells), type="table_header" if position == 0 else "table_data_row"
            )
        )
    return PdfTable(name=name, table_rows=tuple(table_rows))


def _images(page: Any) -> Iterable[PdfImage]:
    """Each image's area of the page, rendered at about the image's own resolution."""
    for image in page.images:
        box = (
            max(float(image["x0"]), 0.0),
            max(float(image["top"]), 0.0),
            min(float(image["x1"]), float(page.width)),
            min(float(image["bottom"]), float(page.height)),
        )
        width, height = box[2] - box[0], box[3] - box[1]
        if width < 1 or height < 1:
            continue
        source_width = float(image["srcsize"][0]) or width
        scale = min(source_width / width, MAX_IMAGE_PIXELS / max(width, height))
        rendered = page.crop(box).to_image(resolution=max(72 * scale, 18)).original
        png = io.BytesIO()
        rendered.save(png, format="PNG")
        yield PdfImage(data=base64.b64encode(png.getvalue()).decode("ascii"))
