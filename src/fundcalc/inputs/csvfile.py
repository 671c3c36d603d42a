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

Small files are read by Python's csv module, which knows the line each row
starts on. Large files are read by polars: a plain file (ASCII, no quotes, no
spaces, every line a row, none too long) in one pass, other files in which
every line is one row in two; a file with a quoted value over several lines
goes to Python's csv module after all.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable

import polars as pl

from fundcalc.base.findings import Note
from fundcalc.base.reasons import (
    EMPTY_FILE,
    PARTS,
    TOO_MANY_FIELDS,
    WINDOWS_1252,
    Part,
    parts_series,
)
from fundcalc.errors import InputError
from fundcalc.inputs.table import LINE, READ_PROBLEM, RawTable, empty_rows, position

#: Files up to this many bytes are read by Python's csv module, larger ones by polars.
SMALL = 1 << 20

#: The separators a CSV file may use (§3); the first wins a tie.
SEPARATORS = (",", ";")


class _NotUtf8Error(Exception):
    """The bytes are not UTF-8 after all (found while reading, not by decoding it all first)."""


def _checked(data: bytes, name: str) -> bytes:
    """Refuse what is no text file; strip a UTF-8 BOM."""
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
    return data


def _from_windows_1252(data: bytes, name: str) -> tuple[bytes, tuple[Note, ...]]:
    """Bytes that are not UTF-8, read as Windows-1252, with a note naming the first line."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
    else:  # pragma: no cover - only called for bytes that are not UTF-8
        return data, ()
    try:
        return data.decode("cp1252").encode("utf-8"), (Note(line, WINDOWS_1252()),)
    except UnicodeDecodeError as error:
        byte = data[error.start]
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"{name}: line {line}: is neither UTF-8 nor Windows-1252 text (byte 0x{byte:02X});"
            " save it as 'CSV UTF-8 (door komma's gescheiden)'"
        ) from None


def read_csv_table(data: bytes, name: str, canonical: Callable[[str], str | None]) -> RawTable:
    """Read a CSV file into a RawTable; `canonical` says which header names are known.

    The bytes are read as UTF-8 straight away (polars checks them while
    parsing); only a file that turns out not to be is read again as
    Windows-1252.
    """
    data = _checked(data, name)
    try:
        return _read_table(data, (), name, canonical)
    except _NotUtf8Error:
        return _read_table(*_from_windows_1252(data, name), name=name, canonical=canonical)


def _read_table(
    data: bytes,
    notes: tuple[Note, ...],
    name: str,
    canonical: Callable[[str], str | None],
) -> RawTable:
    if b"\r" in data and b"\n" not in data:  # classic Mac line ends
        data = data.replace(b"\r", b"\n")
    header_line, start = _header_start(data)
    if start < 0:
        return RawTable((), 1, empty_rows(0), 0, (*notes, Note(None, EMPTY_FILE())))
    body = data[start:]
    end = body.find(b"\n")
    try:
        first = (body if end < 0 else body[:end]).rstrip(b"\r").decode("utf-8")
        try:
            separator = choose_separator(first, canonical)
            header = tuple(f.strip() for f in next(csv.reader([first], delimiter=separator)))
        except csv.Error as error:  # a header of 128 KiB in one quoted name
            raise InputError(
                f"{name}: line {header_line}: the header cannot be read ({_csv_problem(error)})"
            ) from None
        width = len(header)
        # polars pays off on large files; Python's csv module is quicker on small ones.
        read = plain = None
        if len(body) > SMALL:
            read = plain = _read_plain(body, separator, header_line, width)
            if read is None:
                read = _read_lines(body, separator, header_line, width)
        if read is None:
            read = _read_records(body.decode("utf-8"), separator, header_line, width, name)
    except UnicodeDecodeError:
        raise _NotUtf8Error from None
    except pl.exceptions.ComputeError as error:
        if "utf-8" in str(error).lower():
            raise _NotUtf8Error from None
        raise
    rows, blank = read
    return RawTable(header, header_line, rows, blank, notes, trimmed=plain is not None)


def _header_start(data: bytes) -> tuple[int, int]:
    """The header's line number and byte offset: the first line that is not blank."""
    offset, number = 0, 1
    while offset < len(data):
        end = data.find(b"\n", offset)
        end = len(data) if end < 0 else end
        if data[offset:end].strip():
            return number, offset
        offset, number = end + 1, number + 1
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


#: A carriage return that ends no line (Windows ends a line with CR LF).
_LONE_CR = re.compile(rb"\r(?!\n)")


def _is_plain(data: bytes) -> bool:
    """ASCII without quotes or whitespace but line ends: no value needs unquoting or trimming.

    Each test is one pass of C over the bytes (most of them memchr), cheap
    beside parsing them.
    """
    if not data.isascii() or any(c in data for c in (b'"', b" ", b"\t", b"\x0b", b"\x0c")):
        return False
    return b"\r" not in data or _LONE_CR.search(data) is None


def _read_plain(
    data: bytes, separator: str, header_line: int, width: int
) -> tuple[pl.DataFrame, int] | None:
    """By polars in one pass, when the file is plain (`_is_plain`) and every line is a row.

    Without quotes a line is a row: polars ends a row at every line end and
    reads a blank line as a row without values, so the row below the header at
    index i is on line header_line + 1 + i. The tests hold its rows and lines
    against Python's csv module, which counts lines itself; they are not
    counted again here, in a pass over every byte that holds Python's lock
    while the rest of the command waits. A line with more values than the
    header makes polars refuse; then (as when the file is not plain) None:
    `_read_lines` reads it and says which line. A blank line is one whose
    values are all empty.
    """
    if not _is_plain(data):
        return None
    values = _values(data, separator, width, quoted=False, ragged=False)
    if values is None or values.width != width:
        return None
    names = values.columns
    rows = values.select(
        _line_numbers(header_line), pl.lit(None, dtype=PARTS).alias(READ_PROBLEM), *names
    )
    filled = pl.any_horizontal(pl.col(names).is_not_null())
    blank = rows.height - int(rows.select(filled.sum()).item())
    # Filtering copies every value; most large files have no blank line to drop.
    return (rows.filter(filled) if blank else rows), blank


def _read_lines(
    data: bytes, separator: str, header_line: int, width: int
) -> tuple[pl.DataFrame, int] | None:
    """By polars, when every physical line below the header is one row.

    That is so unless a quoted value spans lines (a line with an odd number of
    quotes). The lines are read a second time as whole text to count each
    row's fields (separators inside quotes not counted) and to find blank
    ones. None when this is not so, or when polars and the lines disagree:
    then Python's csv module reads the file.
    """
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
    text, quotes = pl.col("text"), pl.col("quotes")
    lines = lines.with_columns(text.str.count_matches('"', literal=True).alias("quotes"))
    spans, quoted = lines.select(
        (quotes % 2 == 1).any().alias("spans"), (quotes > 0).any().alias("quoted")
    ).row(0)
    if spans:
        return None
    values = _values(data, separator, width, quoted=quoted, ragged=True)
    if values is None or values.height != lines.height:
        return None
    names = values.columns
    if quoted:  # `""` is an empty value, as Python's csv module reads it
        values = values.with_columns(pl.col(names).replace("", None))
    trim = f"{separator} \t\r"
    counted = lines.with_columns(
        (text.str.strip_chars_end(trim).str.count_matches(separator, literal=True) + 1)
        .cast(pl.Int64)
        .alias("fields"),
        (text.str.strip_chars(f'{trim}"') == "").alias("blank"),
    )
    if quoted:
        counted = _outside_quotes(counted, separator, width)
    fields = pl.col("fields")
    checked = counted.select(
        pl.when(fields > width)
        .then(TOO_MANY_FIELDS.parts(fields, pl.lit(width)))
        .alias(READ_PROBLEM),
        "blank",
    )
    rows = pl.concat([values, checked], how="horizontal").with_columns(_line_numbers(header_line))
    kept = rows.filter(~pl.col("blank") | pl.col(READ_PROBLEM).is_not_null())
    return kept.select(LINE, READ_PROBLEM, *names), rows.height - kept.height


def _values(
    data: bytes, separator: str, width: int, *, quoted: bool, ragged: bool
) -> pl.DataFrame | None:
    """The values below the header by polars, as text by position; None if polars refuses.

    `ragged`: a line with more values than the header is cut to the header
    (the caller counts them itself); otherwise polars refuses the file.
    """
    try:
        return pl.read_csv(
            data,
            separator=separator,
            has_header=True,
            new_columns=[position(i) for i in range(width)],
            infer_schema=False,
            quote_char='"' if quoted else None,
            truncate_ragged_lines=ragged,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None


def _line_numbers(header_line: int) -> pl.Expr:
    """The physical line of each row when every line below the header is one row."""
    return (pl.int_range(pl.len(), dtype=pl.Int64) + header_line + 1).alias(LINE)


def _outside_quotes(lines: pl.DataFrame, separator: str, width: int) -> pl.DataFrame:
    """Count again, without the separators inside quoted values, the lines that seem too long.

    A quoted value (at the start of a field) becomes one letter. Only lines
    with more separators in all than the header allows can be too long.
    """
    trim = f"{separator} \t\r"
    field = f'(^|{re.escape(separator)})"(?:[^"]|"")*"'
    indexed = lines.with_row_index("index")
    recounted = indexed.filter(pl.col("fields") > width).select(
        "index",
        (
            pl.col("text")
            .str.replace_all(field, "${1}q")
            .str.strip_chars_end(trim)
            .str.count_matches(separator, literal=True)
            + 1
        )
        .cast(pl.Int64)
        .alias("recounted"),
    )
    return (
        indexed.join(recounted, on="index", how="left", maintain_order="left")
        .with_columns(pl.coalesce("recounted", "fields").alias("fields"))
        .drop("index", "recounted")
    )


def _read_records(
    text: str, separator: str, header_line: int, width: int, name: str
) -> tuple[pl.DataFrame, int]:
    """By Python's csv module, which knows the line each row starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    lines: list[int] = []
    problems: list[tuple[Part, ...] | None] = []
    columns: list[list[str | None]] = [[] for _ in range(width)]
    consumed = blank = 0
    try:
        next(reader)
        consumed = reader.line_num
        for fields in reader:
            start = header_line + consumed
            consumed = reader.line_num
            count = len(fields)
            while count and not fields[count - 1].strip():
                count -= 1
            if not count:
                blank += 1
                continue
            lines.append(start)
            problems.append((TOO_MANY_FIELDS(count, width),) if count > width else None)
            for i, column in enumerate(columns):
                column.append(fields[i] or None if i < len(fields) else None)
    except csv.Error as error:
        raise InputError(
            f"{name}: line {header_line + consumed}: cannot be read as CSV ({_csv_problem(error)})"
        ) from None
    if not lines:
        return empty_rows(width), blank
    frame = pl.DataFrame(
        {
            LINE: pl.Series(lines, dtype=pl.Int64),
            READ_PROBLEM: parts_series(problems),
            **{position(i): pl.Series(c, dtype=pl.String) for i, c in enumerate(columns)},
        }
    )
    return frame, blank


def _csv_problem(error: csv.Error) -> str:
    message = str(error)
    if "unexpected end of data" in message:
        return "a quoted value is not closed before the end of the file"
    if "expected after" in message:
        return "text after the closing quote of a value"
    if "field larger than field limit" in message:
        return f"a value is longer than {csv.field_size_limit()} characters"
    return message
