"""``extract-pdf`` through the SDK, on PDFs built in code: the text, the title, each page's
text blocks, tables and images, and a clear 4xx for a file that is not a readable PDF."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import httpx
import pytest
from PIL import Image

from gradient_sdk import AsyncGradient, BadRequestError, UnprocessableEntityError

from .media import RED, TABLE_ROWS, TITLE, write_report

pytestmark = pytest.mark.anyio


@pytest.fixture
def report(tmp_path: Path) -> Path:
    return write_report(tmp_path / "report.pdf")


def truncated(pdf: Path, keep: int) -> Path:
    broken = pdf.with_name("broken.pdf")
    broken.write_bytes(pdf.read_bytes()[:keep])
    return broken


async def test_the_text_title_and_pages_are_read(client: AsyncGradient, report: Path) -> None:
    result = await client.extract_pdf(filepath=report)

    assert result.title == TITLE
    assert [page.page_number for page in result.pages] == [1, 2]
    assert "Sales grew in every region" in result.text
    assert "Page 2 holds more notes." in result.pages[1].text
    assert result.text == "\n\n".join(page.text for page in result.pages)


async def test_text_blocks_tell_titles_from_body_text(client: AsyncGradient, report: Path) -> None:
    result = await client.extract_pdf(filepath=report)

    blocks = [(block.kind, block.texts) for block in result.pages[0].text_blocks]
    assert blocks[:3] == [
        ("title", ("Quarterly Report",)),
        ("text", ("Sales grew in every region this quarter.",)),
        ("section_title", ("Results by region",)),
    ]
    # The table's cells are in the table, not in the text blocks.
    assert not any("North" in text for _, texts in blocks for text in texts)


async def test_tables_come_with_a_header_row(client: AsyncGradient, report: Path) -> None:
    result = await client.extract_pdf(filepath=report)

    [table] = result["pages"][0]["tables"]
    rows = [[cell["cell_value"] for cell in row["cells"]] for row in table["table_rows"]]
    assert rows == TABLE_ROWS
    assert [row.type for row in table.table_rows] == [
        "table_header",
        "table_data_row",
        "table_data_row",
    ]
    assert result.pages[1].tables == ()


async def test_images_are_base64_png_of_what_the_page_shows(
    client: AsyncGradient, report: Path
) -> None:
    result = await client.extract_pdf(filepath=report)

    [image] = result.pages[0].images
    picture = Image.open(io.BytesIO(base64.b64decode(image.data)))
    assert image.format == "base64-png"
    assert picture.format == "PNG"
    middle = picture.convert("RGB").getpixel((picture.width // 2, picture.height // 2))
    assert max(abs(got - want) for got, want in zip(middle, RED, strict=True)) < 30
    assert result.pages[1].images == ()


async def test_a_pdf_without_a_title_has_none(client: AsyncGradient, tmp_path: Path) -> None:
    result = await client.extract_pdf(filepath=write_report(tmp_path / "x.pdf", title=None))

    assert result.title is None


async def test_a_file_that_is_not_a_pdf_is_400(client: AsyncGradient, tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("just some text")

    with pytest.raises(BadRequestError, match=r"'notes.pdf' is not a PDF"):
        await client.extract_pdf(filepath=path)


@pytest.mark.parametrize("keep", [600, 2000])
async def test_a_broken_pdf_is_422(client: AsyncGradient, report: Path, keep: int) -> None:
    with pytest.raises(UnprocessableEntityError, match="is a PDF that cannot be read"):
        await client.extract_pdf(filepath=truncated(report, keep))


async def test_a_body_without_a_file_part_is_400(raw: httpx.AsyncClient) -> None:
    response = await raw.post("/blocks/extract-pdf", files={"other": ("a.pdf", b"%PDF-")})

    assert response.status_code == 400
    assert "no file part" in response.json()["message"]
