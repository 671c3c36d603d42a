"""Reading an `.xlsx` placement file safely, as text.

An xlsx file is a zip archive of XML. Before any XML is parsed the archive is
checked: too many members, an absurd unpacked size or compression ratio (a
zip bomb), or a DOCTYPE (entity expansion, external entities) refuse the file
with a clear message. openpyxl then parses it through defusedxml.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from typing import Any

import polars as pl

from fundcalc.errors import InputError

MAX_MEMBERS = 2_000
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200
_SCAN_CHUNK = 1 << 16


def check_archive(data: bytes, name: str) -> None:
    """Refuse an xlsx whose archive or XML could harm the machine."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(f"{name}: not an xlsx file (not a zip archive)") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise InputError(f"{name}: refused, the archive has {len(members)} members")
        unpacked = sum(m.file_size for m in members)
        if unpacked > MAX_UNPACKED_BYTES:
            raise InputError(
                f"{name}: refused, it would unpack to {unpacked // (1024 * 1024)} MiB"
                f" (more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MiB)"
            )
        for member in members:
            if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(
                member.compress_size, 1
            ):
                raise InputError(
                    f"{name}: refused, {member.filename} is compressed more than"
                    f" {MAX_RATIO} times (a zip bomb?)"
                )
            if member.filename.endswith((".xml", ".rels")) and _declares_doctype(archive, member):
                raise InputError(
                    f"{name}: refused, {member.filename} declares a DOCTYPE"
                    " (XML entities are not allowed)"
                )


def _declares_doctype(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                return True
            tail = window[-16:]
    return False


def read_xlsx_text(data: bytes, name: str) -> pl.DataFrame:
    """The first sheet as text, with the Excel row number of each row in `line`.

    The header is the first non-empty row. Dates become ISO text; a date with
    a time of day other than midnight stays a timestamp (and will not read as
    a date); whole numbers lose their `.0`.
    """
    check_archive(data, name)
    import openpyxl  # noqa: PLC0415 - only needed for xlsx inputs

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a broken file
        raise InputError(f"{name}: cannot be read as xlsx ({type(error).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        header: list[str] | None = None
        lines: list[int] = []
        rows: list[list[str | None]] = []
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
            texts = [_text(v) for v in values]
            if header is None:
                if any(t is not None for t in texts):
                    header = [t or f"column {i + 1}" for i, t in enumerate(texts)]
                continue
            lines.append(number)
            rows.append(texts)
    finally:
        workbook.close()
    if header is None:
        return pl.DataFrame({"line": pl.Series([], dtype=pl.Int64)})
    columns: dict[str, Any] = {"line": pl.Series(lines, dtype=pl.Int64)}
    for i, column in enumerate(header):
        if column in columns:
            continue
        columns[column] = pl.Series([r[i] if i < len(r) else None for r in rows], dtype=pl.String)
    return pl.DataFrame(columns)


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
