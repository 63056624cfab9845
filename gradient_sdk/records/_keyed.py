"""Key access for the records that stand in for gradientai's TypedDict results.

gradientai returned plain dicts from its blocks (``result["summary"]``); these records keep
their attributes and also answer those keys, so code ported by changing the import keeps
running. Only the record's own field names are keys; the record stays immutable.
"""

from __future__ import annotations

from typing import Any, cast

import attrs


class KeyedRecord:
    """``record["name"]`` reads ``record.name``; ``keys()``, ``get()`` and ``in`` work too,
    and ``dict(record)`` is a shallow dict of the fields."""

    __slots__ = ()

    def keys(self) -> tuple[str, ...]:
        """The field names, in order."""
        record_type = cast("type[attrs.AttrsInstance]", type(self))
        return tuple(field.name for field in attrs.fields(record_type))

    def __getitem__(self, key: str) -> Any:
        if not isinstance(key, str) or key not in self.keys():
            raise KeyError(key)
        return getattr(self, key)

    def __contains__(self, key: object) -> bool:
        return key in self.keys()

    def get(self, key: str, default: Any = None) -> Any:
        """The field's value, or ``default`` for a name that is not a field."""
        return getattr(self, key) if key in self.keys() else default
