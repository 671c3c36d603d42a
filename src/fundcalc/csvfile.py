"""A CSV file as Dutch Excel and providers' systems write it, read as text.

- **Encoding**: UTF-8 with or without BOM. A file that is not UTF-8 is read as
  Windows-1252 (what Dutch Excel's "CSV (gescheiden door lijstscheidingsteken)"
  writes) and says so in a warning with the line of the first such byte; a
  file that is neither, UTF-16, or holds NUL bytes is refused.
- **Separator**: comma or semicolon, whichever splits the header into more
  known column names (then into more fields; a tie is a comma).
- **Lines**: the number of the physical line a row starts on, the header being
  the first non-blank line. A quoted value may hold separators and newlines.
- **Ragged rows**: a row with more non-empty values than the header has names
  gets a `read_problem`, so nothing is cut off silently; fewer values mean
  empty ones (Excel leaves trailing separators off some rows).

Files without a quote character are read by polars; files with one by
Python's csv module, which knows the line each quoted row starts on.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable

import polars as pl

from fundcalc.errors import InputError
from fundcalc.table import (
    LINE,
    READ_PROBLEM,
    TOO_MANY,
    Table,
    empty_rows,
    position,
    too_many,
    without_blank_lines,
)

#: The separators a CSV file may use (§3); the first wins a tie.
SEPARATORS = (",", ";")

WINDOWS_1252 = (
    "the file is not UTF-8 and was read as Windows-1252 (ANSI), as Dutch Excel saves"
    " 'CSV (gescheiden door lijstscheidingsteken)': check its accented letters"
)
EMPTY = "the file is empty: no header and no rows"


def decode(data: bytes, name: str) -> tuple[str, tuple[tuple[int | None, str], ...]]:
    """The text of a CSV file, and a note when it had to be read as Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(
            f"{name}: is UTF-16 text (Excel's 'Unicode text');"
            " save it as 'CSV UTF-8 (door komma's gescheiden)'"
        )
    if b"\x00" in data:
        raise InputError(
            f"{name}: is not a text file (it holds NUL bytes); is it a spreadsheet saved as .csv?"
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
    try:
        return data.decode("cp1252"), ((line, WINDOWS_1252),)
    except UnicodeDecodeError as error:
        byte = data[error.start]
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"{name}: line {line}: is neither UTF-8 nor Windows-1252 text (byte 0x{byte:02X});"
            " save it as 'CSV UTF-8 (door komma's gescheiden)'"
        ) from None


def read_csv_table(data: bytes, name: str, canonical: Callable[[str], str | None]) -> Table:
    """Read a CSV file into a Table; `canonical` says which header names are known."""
    text, notes = decode(data, name)
    if "\r" in text and "\n" not in text:  # classic Mac line ends
        text = text.replace("\r", "\n")
    header_line, start = _header_start(text)
    if start < 0:
        return Table((), 1, empty_rows(0), 0, (*notes, (None, EMPTY)))
    body = text[start:]
    first = body.split("\n", 1)[0].rstrip("\r")
    separator = choose_separator(first, canonical)
    header = tuple(f.strip() for f in next(csv.reader([first], delimiter=separator)))
    width = len(header)
    rows = None
    if '"' not in body:
        rows = _read_plain(body.encode("utf-8"), separator, header_line, width)
    if rows is None:
        rows = _read_quoted(body, separator, header_line, width, name)
    rows, blank = without_blank_lines(rows, width)
    return Table(header, header_line, rows, blank, notes)


def _header_start(text: str) -> tuple[int, int]:
    """The header's line number and offset: the first line that is not blank."""
    offset = 0
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip():
            return number, offset
        offset += len(line) + 1
    return 0, -1


def choose_separator(header: str, canonical: Callable[[str], str | None]) -> str:
    """Comma or semicolon: the one that splits the header into more known names.

    A header with both (`placement_id;client_id;"a,b"`) or neither (one
    column) is decided by known names, then by the number of fields.
    """

    def score(separator: str) -> tuple[int, int]:
        fields = next(csv.reader([header], delimiter=separator))
        return sum(canonical(f.strip()) is not None for f in fields), len(fields)

    return max(SEPARATORS, key=score)


def _read_plain(data: bytes, separator: str, header_line: int, width: int) -> pl.DataFrame | None:
    """A file without quotes, by polars: every physical line below the header is a row.

    The lines are read a second time as whole text to count each row's
    fields. None when the two readings do not agree (then the slow reader).
    """
    names = [position(i) for i in range(width)]
    values = pl.read_csv(
        data,
        separator=separator,
        has_header=True,
        new_columns=names,
        infer_schema=False,
        quote_char=None,
        truncate_ragged_lines=True,
        raise_if_empty=False,
    )
    lines = pl.read_csv(
        data,
        separator="\x00",  # no such byte in a text file: one field per line
        has_header=False,
        new_columns=["text"],
        infer_schema=False,
        quote_char=None,
        empty_string_is_null=False,
        raise_if_empty=False,
    ).slice(1)
    if lines.height != values.height:
        return None
    fields = (
        pl.col("text")
        .str.strip_chars_end(f"{separator} \t\r")
        .str.count_matches(separator, literal=True)
        .cast(pl.Int64)
        + 1
    )
    problem = pl.when(fields > width).then(pl.format(TOO_MANY, fields, pl.lit(width)))
    checked = lines.select(problem.alias(READ_PROBLEM))
    return pl.concat([values, checked], how="horizontal").select(
        (pl.int_range(pl.len(), dtype=pl.Int64) + header_line + 1).alias(LINE),
        READ_PROBLEM,
        *names,
    )


def _read_quoted(
    text: str, separator: str, header_line: int, width: int, name: str
) -> pl.DataFrame:
    """A file with quotes, by Python's csv module, which knows where each row starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    lines: list[int] = []
    problems: list[str | None] = []
    columns: list[list[str | None]] = [[] for _ in range(width)]
    consumed = 0
    try:
        next(reader)
        consumed = reader.line_num
        for fields in reader:
            lines.append(header_line + consumed)
            consumed = reader.line_num
            count = len(fields)
            while count > width and not fields[count - 1].strip():
                count -= 1
            problems.append(too_many(count, width) if count > width else None)
            for i, column in enumerate(columns):
                column.append(fields[i] if i < len(fields) else None)
    except csv.Error as error:
        raise InputError(
            f"{name}: line {header_line + consumed}: cannot be read as CSV ({_csv_problem(error)})"
        ) from None
    if not lines:
        return empty_rows(width)
    return pl.DataFrame(
        {
            LINE: pl.Series(lines, dtype=pl.Int64),
            READ_PROBLEM: pl.Series(problems, dtype=pl.String),
            **{position(i): pl.Series(c, dtype=pl.String) for i, c in enumerate(columns)},
        }
    )


def _csv_problem(error: csv.Error) -> str:
    message = str(error)
    if "unexpected end of data" in message:
        return "a quoted value is not closed before the end of the file"
    if "expected after" in message:
        return "text after the closing quote of a value"
    if "field larger than field limit" in message:
        return f"a value is longer than {csv.field_size_limit()} characters"
    return message
