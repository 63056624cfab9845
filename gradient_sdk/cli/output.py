"""What commands print: one JSON document with ``--json``, a rich table or plain text without.

Results go to stdout; progress and notes go to stderr, so ``--json`` output stays parseable.
"""

from __future__ import annotations

import enum
import json
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

import attrs
import click
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the result as one JSON document.",
)


#: The width of tables on a pipe: wide enough that no row is ever folded.
PIPE_WIDTH = 10_000


def stdout() -> Console:
    """A console on stdout, made per call so it sees the stream and width of this run.

    On a pipe (and no ``COLUMNS`` set) rows are never folded, so ``grep`` sees whole rows.
    """
    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPE_WIDTH
    return console


def stderr() -> Console:
    """A console on stderr, for progress and notes."""
    return Console(stderr=True, highlight=False)


def emit(document: dict[str, Any], human: RenderableType | str, *, as_json: bool) -> None:
    """Print ``document`` as JSON, or ``human``: text exactly as it is, or a rich renderable."""
    if as_json:
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    elif isinstance(human, str):
        click.echo(human)
    else:
        stdout().print(human)


def note(message: str) -> None:
    """A line for the person at the terminal, on stderr (rich markup allowed)."""
    stderr().print(message)


def to_json(record: Any) -> dict[str, Any]:
    """An SDK record as JSON data: its field names, enums as their values, times in ISO 8601."""
    data: dict[str, Any] = attrs.asdict(record, value_serializer=_plain)
    return data


def _plain(instance: object, field: object, value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def table(*headers: str, rows: Iterable[Iterable[object]]) -> Table:
    """A borderless table; cells never cut an id short."""
    grid = Table(box=None, pad_edge=False, header_style="bold")
    for header in headers:
        grid.add_column(header, overflow="fold")
    for row in rows:
        grid.add_row(*(_cell(cell) for cell in row))
    return grid


def fields(pairs: Iterable[tuple[str, object]]) -> Table:
    """A two-column table of names and values, for one record."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for name, value in pairs:
        grid.add_row(name, _cell(value))
    return grid


def _cell(value: object) -> Text:
    # Text, not str: a name such as "[bold]" is shown as typed, not read as rich markup.
    if isinstance(value, list | tuple):
        return Text(", ".join(str(item) for item in cast("Sequence[object]", value)))
    return Text("" if value is None else str(value))
