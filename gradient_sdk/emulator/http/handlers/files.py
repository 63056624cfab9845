"""The handler of the files operation."""

from __future__ import annotations

from collections.abc import Mapping

from .... import _endpoints as api
from ....records import UploadFileResponse
from .call import Call, Handler


async def upload_file(call: Call) -> UploadFileResponse:
    """``POST /files?type=ragUserFile|audioFile``."""
    file_type = call.query(api.FILE_TYPE)
    assert file_type is not None  # required: parsing refused its absence
    upload = await call.upload()
    try:
        return await call.services.files.upload(call.workspace_id, file_type, upload)
    finally:
        upload.close()


#: The handlers of this area, by operation id.
HANDLERS: Mapping[str, Handler] = {
    api.UPLOAD_FILE.operation_id: upload_file,
}
