"""The placement log (`inputs/placements/`): every CSV and XLSX file, read as text.

The log is append-only: a placement's later version is a new row with the same
`placement_id` and a later `recorded_on`. This module only reads the files into
one frame of trimmed text with the source file and line of every row; what the
text means is decided in `versions`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from fundcalc.errors import InputError
from fundcalc.xlsx import read_xlsx_text

#: The columns of the log, in the order of the spec (§3).
COLUMNS = (
    "placement_id",
    "client_id",
    "lot_id",
    "start_date",
    "end_date",
    "brp_municipality",
    "found_municipality",
    "reflection_start",
    "reflection_end",
    "void",
    "recorded_on",
)

#: Frame schema of the raw log: text as written, trimmed, empty as null.
RAW_SCHEMA = {"source": pl.String, "line": pl.Int64, **dict.fromkeys(COLUMNS, pl.String)}

SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class LogFile:
    """A file of the log: its name under the inputs folder, SHA-256 and counts."""

    name: str
    sha256: str
    rows: int
    blank_rows: int


@dataclass(frozen=True)
class Log:
    """The raw log: one row per line of every file, text only."""

    rows: pl.DataFrame
    files: tuple[LogFile, ...]


def placement_files(inputs: Path) -> list[Path]:
    """The files of the log under `inputs/placements/`, in a stable order."""
    folder = inputs / "placements"
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder (the placement log lives there)")
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES),
        key=lambda p: p.name,
    )


def read_log(inputs: Path) -> Log:
    """Read every CSV and XLSX file of the log into one raw frame."""
    frames: list[pl.DataFrame] = []
    files: list[LogFile] = []
    for path in placement_files(inputs):
        data = path.read_bytes()
        frame = read_file_bytes(data, path.name)
        blank = frame.height
        frame = drop_blank(frame)
        blank -= frame.height
        frames.append(frame)
        files.append(LogFile(path.name, hashlib.sha256(data).hexdigest(), frame.height, blank))
    rows = pl.concat(frames) if frames else pl.DataFrame(schema=RAW_SCHEMA)
    return Log(rows, tuple(files))


def read_file_bytes(data: bytes, name: str) -> pl.DataFrame:
    """Read one log file (by its name's suffix) into the raw schema."""
    if name.lower().endswith(".xlsx"):
        table = read_xlsx_text(data, name)
    else:
        table = read_csv_text(data, name)
    return normalise(table, name)


def read_csv_text(data: bytes, name: str) -> pl.DataFrame:
    """A CSV as Dutch Excel writes it: comma or semicolon, UTF-8 with or without BOM.

    Every field is read as text; the line number is the record number + 1
    (the header is line 1).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        return pl.DataFrame({"line": pl.Series([], dtype=pl.Int64)})
    header = data.split(b"\n", 1)[0]
    separator = ";" if header.count(b";") > header.count(b",") else ","
    try:
        frame = pl.read_csv(
            data,
            separator=separator,
            infer_schema=False,
            has_header=True,
            truncate_ragged_lines=True,
            raise_if_empty=False,
            encoding="utf8",
        )
    except pl.exceptions.ComputeError as error:
        raise InputError(f"{name}: cannot be read as CSV ({_first_line(error)})") from None
    return frame.with_row_index("line", offset=2).with_columns(pl.col("line").cast(pl.Int64))


def normalise(table: pl.DataFrame, name: str) -> pl.DataFrame:
    """Match headers case-insensitively, trim every field, empty → null; add the source."""
    by_name: dict[str, str] = {}
    for column in table.columns:
        canonical = column.strip().lower()
        if canonical in COLUMNS and canonical not in by_name:
            by_name[canonical] = column
    fields = [
        (
            pl.col(by_name[c]).cast(pl.String).str.strip_chars().replace("", None)
            if c in by_name
            else pl.lit(None, dtype=pl.String)
        ).alias(c)
        for c in COLUMNS
    ]
    return table.select(pl.lit(name).alias("source"), pl.col("line").cast(pl.Int64), *fields)


def drop_blank(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop rows whose every field is empty (trailing `;;;;` lines as Excel writes them)."""
    return frame.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in COLUMNS))


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def concat_logs(logs: Sequence[Log]) -> Log:
    """One log of several (for imports next to the existing files)."""
    return Log(
        pl.concat([log.rows for log in logs]),
        tuple(f for log in logs for f in log.files),
    )
