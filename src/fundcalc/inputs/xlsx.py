"""Reading an `.xlsx` placement file safely, as text.

An xlsx file is a zip archive of XML. Before anything is unpacked the
archive's directory is checked: too many members, an absurd unpacked size or
compression ratio (a zip bomb), or encrypted members refuse the file. Then
only the prolog of each XML member is read (a few bytes, up to its first
element): a DOCTYPE there (entity expansion, external entities) or XML that
is not UTF-8 refuses the file. openpyxl then parses it through defusedxml,
which refuses entities a second time. Rows are read sparsely: a sheet that
claims or reaches an absurd width is refused instead of filled in.

openpyxl's reading is the one meant; calamine (`inputs.calamine`) gives the
same table, faster, for a sheet where nothing can make the two differ.
"""

from __future__ import annotations

import io
import warnings
import zipfile
import zlib
from datetime import date, datetime, time
from typing import Any

import polars as pl

from fundcalc.base.findings import Note
from fundcalc.base.reasons import BEFORE_1900, EMPTY_SHEET, INEXACT_NUMBER, Part, parts_series
from fundcalc.errors import InputError
from fundcalc.inputs.calamine import calamine_table
from fundcalc.inputs.table import (
    LINE,
    READ_PROBLEM,
    RawTable,
    beyond_header,
    empty_rows,
    position,
)

MAX_MEMBERS = 2_000
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
MAX_RATIO = 200
#: A member may be this large before its compression ratio is questioned.
RATIO_FREE_BYTES = 1024 * 1024
#: The XML declaration and comments before the first element; Excel writes ~60 bytes.
MAX_PROLOG_BYTES = 64 * 1024
#: A placement file has eleven columns; a sheet this wide is not one.
MAX_COLUMNS = 1_000
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_MIB = 1024 * 1024

#: What zipfile and zlib raise on a damaged or unsupported archive.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)


def check_archive(data: bytes, name: str) -> None:
    """Refuse an xlsx whose archive or XML could harm the machine (before unpacking it)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS:
        raise InputError(f"{name}: not an xlsx file (not a zip archive)") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise InputError(
                f"{name}: refused, the archive has {len(members)} members (more than {MAX_MEMBERS})"
            )
        unpacked = sum(m.file_size for m in members)
        if unpacked > MAX_UNPACKED_BYTES:
            raise InputError(
                f"{name}: refused, it would unpack to {unpacked // _MIB} MiB"
                f" (more than {MAX_UNPACKED_BYTES // _MIB} MiB)"
            )
        for member in members:
            if member.flag_bits & 0x1:
                raise InputError(f"{name}: refused, {member.filename} is encrypted")
            if member.file_size > RATIO_FREE_BYTES and member.file_size > MAX_RATIO * max(
                member.compress_size, 1
            ):
                raise InputError(
                    f"{name}: refused, {member.filename} is compressed more than"
                    f" {MAX_RATIO} times (a zip bomb?)"
                )
        for member in members:
            if member.filename.lower().endswith(_XML_SUFFIXES):
                problem = _prolog_problem(archive, member)
                if problem:
                    raise InputError(f"{name}: refused, {member.filename} {problem}")


def _prolog_problem(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> str | None:
    """What is wrong with an XML member's prolog (before its first element), if anything.

    Reads only up to the first element, at most MAX_PROLOG_BYTES: a DOCTYPE
    can only stand before it.
    """
    try:
        with archive.open(member) as stream:
            prolog = stream.read(min(member.file_size, MAX_PROLOG_BYTES) or 1)
    except _ZIP_ERRORS as error:
        return f"cannot be unpacked ({type(error).__name__})"
    if prolog.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in prolog[:4]:
        return "is not UTF-8 XML"
    cursor = 0
    while True:
        start = prolog.find(b"<", cursor)
        if start < 0 or start + 1 >= len(prolog):
            break
        marker = prolog[start + 1 : start + 2]
        if marker == b"?":  # the XML declaration or a processing instruction
            end = prolog.find(b"?>", start)
        elif prolog.startswith(b"<!--", start):
            end = prolog.find(b"-->", start)
        elif marker == b"!":
            return "declares a DOCTYPE (XML entities are not allowed)"
        else:
            return None  # the first element: nothing can be declared after it
        if end < 0:
            break
        cursor = end + 2
    if len(prolog) >= MAX_PROLOG_BYTES:
        return f"has more than {MAX_PROLOG_BYTES // 1024} KiB before its first element"
    return None


def read_xlsx_table(data: bytes, name: str) -> RawTable:
    """The first sheet as a RawTable, with the Excel row number of each row in `line`.

    The header is the first row with a value. Dates become ISO text; a date
    with a time of day other than midnight stays a timestamp (and will not
    read as a date); whole numbers lose their `.0`. A value right of the
    header is a read problem of its row.

    openpyxl's reading is the one meant (`openpyxl_table`); calamine gives it
    where it can, an order of magnitude faster (`calamine.calamine_table`).
    """
    check_archive(data, name)
    fast = calamine_table(data, max_columns=MAX_COLUMNS)
    return fast if fast is not None else openpyxl_table(data, name)


def openpyxl_table(data: bytes, name: str) -> RawTable:
    """`read_xlsx_table` by openpyxl, cell by cell, for data that passed `check_archive`."""
    import openpyxl  # noqa: PLC0415 - only needed for xlsx inputs

    # openpyxl warns on the terminal (a style it does not know, a date serial out of
    # range, several lines each): what matters of it reaches the rows, not stderr.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
        except Exception as error:  # openpyxl raises many kinds on a broken file
            raise InputError(f"{name}: cannot be read as xlsx ({_root_cause(error)})") from None
        try:
            return _first_sheet(workbook, name)
        except InputError:
            raise
        except Exception as error:  # a damaged member found while streaming the rows
            raise InputError(f"{name}: cannot be read as xlsx ({_root_cause(error)})") from None
        finally:
            workbook.close()


def _root_cause(error: BaseException) -> str:
    """The kind of the first error in a chain (openpyxl wraps the parser's in a ValueError)."""
    while error.__cause__ is not None:
        error = error.__cause__
    return type(error).__name__


def _first_sheet(workbook: Any, name: str) -> RawTable:
    if not workbook.worksheets:
        raise InputError(f"{name}: the workbook has no sheet")
    sheet = workbook.worksheets[0]
    # The declared size is not trusted: rows are read as they are, not filled in.
    sheet.reset_dimensions()
    header: tuple[str, ...] | None = None
    header_line = 0
    lines: list[int] = []
    problems: list[tuple[Part, ...] | None] = []
    rows: list[list[str | None]] = []
    blank = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
        if len(values) > MAX_COLUMNS:
            raise InputError(
                f"{name}: refused, row {number} has a value in column {len(values)}"
                f" (more than {MAX_COLUMNS} columns)"
            )
        if not any(v is not None and v != "" for v in values):
            blank += header is not None
            continue
        texts = [_text(v) for v in values]
        if header is None:
            while texts and texts[-1] is None:
                texts.pop()
            header = tuple((t or "").strip() for t in texts)
            header_line = number
            continue
        width = len(header)
        beyond = [i for i in range(width, len(texts)) if (texts[i] or "").strip()]
        inexact = [p for i, v in enumerate(values[:width]) if (p := _inexact(v, header[i]))]
        lines.append(number)
        problem = beyond_header(beyond) if beyond else inexact[0] if inexact else None
        problems.append(None if problem is None else (problem,))
        rows.append(texts[:width])
    if header is None:
        return RawTable((), 1, empty_rows(0), 0, (Note(None, EMPTY_SHEET()),))
    if not rows:
        return RawTable(header, header_line, empty_rows(len(header)), blank)
    frame = pl.DataFrame(
        {
            LINE: pl.Series(lines, dtype=pl.Int64),
            READ_PROBLEM: parts_series(problems),
            **{
                position(i): pl.Series(
                    [r[i] if i < len(r) else None for r in rows], dtype=pl.String
                )
                for i in range(len(header))
            },
        }
    )
    return RawTable(header, header_line, frame, blank)


#: Excel's first day: a serial below 1 shows as a day of 1899 or 1900 that never was.
_FIRST_DAY = date(1900, 1, 1)
#: Above this a float holds no longer every whole number: 12345678901234567890 in a
#: cell is 12345678901234567168 as Excel stores it.
_EXACT = 2**53


def _inexact(value: object, column: str) -> Part | None:
    """Why a cell cannot be read as what was typed, or None: a number too long to be
    held exactly (an id typed as a number), a date before Excel's first day."""
    if isinstance(value, float) and value.is_integer() and abs(value) >= _EXACT:
        return INEXACT_NUMBER(column)
    if isinstance(value, datetime | date) and value < (
        datetime(1900, 1, 1) if isinstance(value, datetime) else _FIRST_DAY
    ):
        return BEFORE_1900(column)
    return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
