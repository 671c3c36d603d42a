"""An input file's rows as text, before its headers mean anything.

Both readers, `csvfile` and `xlsx`, give a RawTable: the header as written, and
one row per line of the file below it with the line number, the values by
position (`c0`, `c1`, …) and a `read_problem` where the row cannot be read as
it stands (more values than the header has names). What the headers mean is
decided by the caller (`log` for the placement log, `importer` for a
provider's export). Lines whose every value is empty (`;;;;` as Excel writes
them below a table) are no rows: they are dropped and counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from fundcalc.base.findings import Note
from fundcalc.base.reasons import BEYOND_HEADER, PARTS, Part

#: Columns of `RawTable.rows` besides the values.
LINE = "line"
READ_PROBLEM = "read_problem"


def position(index: int) -> str:
    """The name of the column holding the values at `index` (0-based)."""
    return f"c{index}"


@dataclass(frozen=True)
class RawTable:
    """The header, the rows by position, and what the file as a whole needs to say.

    `notes` are file-level warnings: a file read as
    Windows-1252, an empty file. `trimmed` says that no value has spaces
    around it and none is the empty string (they are null), so the values
    need no trimming.
    """

    header: tuple[str, ...]
    header_line: int
    rows: pl.DataFrame
    blank_rows: int = 0
    notes: tuple[Note, ...] = field(default=())
    trimmed: bool = False


def empty_rows(width: int) -> pl.DataFrame:
    """No rows, with the columns of a table `width` values wide."""
    return pl.DataFrame(
        schema={
            LINE: pl.Int64,
            READ_PROBLEM: PARTS,
            **{position(i): pl.String for i in range(width)},
        }
    )


def beyond_header(columns: Sequence[int]) -> Part:
    """The read problem of a spreadsheet row with values right of the header."""
    return BEYOND_HEADER(", ".join(_column_letter(c) for c in columns))


def _column_letter(index: int) -> str:
    """Excel's name of a column (0-based): 0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name
