"""The body reader: JSON or one multipart ``file`` part, capped, spooled, clear when wrong."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gradient_sdk.emulator.errors import ApiError
from gradient_sdk.emulator.http.body import read_json, read_upload

pytestmark = pytest.mark.anyio

LIMIT = 4096


async def upload_route(request: Request) -> JSONResponse:
    try:
        upload = await read_upload(request, LIMIT)
    except ApiError as error:
        return JSONResponse({"message": error.message}, status_code=error.status_code)
    try:
        content = upload.file.read()
    finally:
        upload.close()
    return JSONResponse(
        {"filename": upload.filename, "type": upload.content_type, "size": len(content)}
    )


async def json_route(request: Request) -> JSONResponse:
    try:
        return JSONResponse({"read": await read_json(request, LIMIT)})
    except ApiError as error:
        return JSONResponse({"message": error.message}, status_code=error.status_code)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(
        routes=[
            Route("/upload", upload_route, methods=["POST"]),
            Route("/json", json_route, methods=["POST"]),
        ]
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        yield client


async def test_a_file_part_is_read_with_its_name_and_type(http: httpx.AsyncClient) -> None:
    response = await http.post("/upload", files={"file": ("notes.md", b"# hi\n", "text/markdown")})

    assert response.json() == {"filename": "notes.md", "type": "text/markdown", "size": 5}


async def test_a_file_larger_than_the_limit_is_413(http: httpx.AsyncClient) -> None:
    response = await http.post("/upload", files={"file": ("big.txt", b"x" * (LIMIT + 1))})

    assert response.status_code == 413
    assert response.json() == {"message": f"the request body is larger than {LIMIT} bytes"}


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"json": {"file": "x"}}, "expected a multipart/form-data body"),
        ({"files": {"document": ("a.txt", b"x")}}, "no file part named 'file'"),
        ({"data": {"file": "just text"}, "files": {"other": ("a", b"x")}}, "cannot be read"),
        (
            {
                "content": b"--b\r\nContent-Disposition: form-data\r\n\r\nx",
                "headers": {"content-type": "multipart/form-data; boundary=b"},
            },
            "",
        ),
    ],
    ids=["json", "other part", "a field", "torn"],
)
async def test_a_body_that_is_not_one_file_part_is_400(
    http: httpx.AsyncClient, options: dict[str, Any], problem: str
) -> None:
    response = await http.post("/upload", **options)

    assert response.status_code == 400
    assert problem in response.json()["message"]


async def test_json_is_read_and_bad_json_is_400(http: httpx.AsyncClient) -> None:
    good = await http.post("/json", json={"a": [1, 2.5]})
    bad = await http.post("/json", content=b"{")

    assert good.json() == {"read": {"a": [1, 2.5]}}
    assert bad.status_code == 400
    assert bad.json()["message"].startswith("the request body is not valid JSON")
