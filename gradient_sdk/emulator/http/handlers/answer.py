"""The handler of the ``answer`` block."""

from __future__ import annotations

from collections.abc import Mapping

from .... import _endpoints as api
from ....records import AnswerRequest, AnswerResponse
from .call import Call, Handler


async def generate_answer(call: Call) -> AnswerResponse:
    """``POST /blocks/answer``."""
    request = await call.body(AnswerRequest)
    return await call.services.answers.answer(call.workspace_id, request)


#: The handlers of this area, by operation id.
HANDLERS: Mapping[str, Handler] = {
    api.ANSWER.operation_id: generate_answer,
}
