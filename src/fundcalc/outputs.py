"""The files of a run (`outputs/<YYYY-MM>/`), rendered to bytes and written atomically.

Rendering is separate from writing so that replay can render again and
compare bytes. Writing puts every file in a temporary folder first and then
swaps it in with renames: a run that fails halfway (a full disk, a workbook
open in Excel) leaves the previous outputs exactly as they were.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from fundcalc.errors import OutputError

STATEMENT = "statement.csv"
LEDGER = "ledger.parquet"
EXCEPTIONS = "exceptions.csv"
MANIFEST = "manifest.json"
REPORT = "report.xlsx"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render_statement(rows: Iterable[tuple[str, str, str, str, int]]) -> bytes:
    """statement.csv: `period,payer,item,for_period,amount_cents`, LF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("period", "payer", "item", "for_period", "amount_cents"))
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def render_ledger(ledger: pl.DataFrame) -> bytes:
    """ledger.parquet: one row per placement, stream and run of days."""
    buffer = io.BytesIO()
    ledger.write_parquet(buffer, compression="zstd", statistics=True)
    return buffer.getvalue()


def safe_text(value: object) -> object:
    """Text that Excel would read as a formula is prefixed with `'` (shown as text)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_findings(findings: pl.DataFrame) -> bytes:
    """exceptions.csv: every exception and warning with file, line and reason.

    Written with a BOM and semicolons so Dutch Excel opens it directly; text
    that could be read as a formula is made harmless.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(findings.columns)
    for row in findings.iter_rows():
        writer.writerow(["" if v is None else safe_text(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_json(document: Mapping[str, Any]) -> bytes:
    """Stable JSON: sorted keys, two-space indent, a final newline."""
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def write_folder(folder: Path, files: Mapping[str, bytes]) -> None:
    """Replace `folder` by one holding exactly `files`, all or nothing.

    The files are written to a temporary folder beside it, which then takes
    the place of the old one by renames; on any failure the old folder stays.
    """
    parent = folder.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=parent))
    except OSError as error:
        raise OutputError(
            f"{parent}: cannot write here ({error.strerror}). {what_to_do(error)}"
        ) from None
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        _swap(staging, folder)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(
            f"{folder}: cannot write the outputs ({error.strerror});"
            f" the previous outputs are unchanged. {what_to_do(error)}"
        ) from None


def what_to_do(error: OSError) -> str:
    """What a finance officer can do about an output that cannot be written."""
    if error.errno == errno.ENOSPC:
        return "Make room on the disk, then run again."
    if error.errno == errno.EROFS:
        return "The disk is read-only: choose another folder with --out."
    if error.errno in (errno.EACCES, errno.EPERM):
        return (
            "Close the outputs if one is open (report.xlsx in Excel) and check that you may"
            " write in this folder, then run again."
        )
    return "Close the outputs if one is open in another program, then run again."


def _swap(staging: Path, folder: Path) -> None:
    if not folder.exists():
        staging.rename(folder)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
    retired.rmdir()
    folder.rename(retired)
    try:
        staging.rename(folder)
    except OSError:
        retired.rename(folder)
        raise
    shutil.rmtree(retired, ignore_errors=True)
