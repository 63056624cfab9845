"""One handler per operation the emulator serves, by operation id (:data:`HANDLERS`), one
module per area.

A handler reads what its operation takes from the :class:`Call` (path and query parameters,
the body as a record or an upload) and returns the response record; the router writes it.
An operation of the endpoint table without a handler here answers 501.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import answer, blocks, files, models, rag
from .call import Call, Handler

__all__ = ["HANDLERS", "Call", "Handler"]

#: The handler of each operation the emulator serves, by operation id.
HANDLERS: Mapping[str, Handler] = {
    **models.HANDLERS,
    **files.HANDLERS,
    **rag.HANDLERS,
    **answer.HANDLERS,
    **blocks.HANDLERS,
}
