"""The placement log (`inputs/placements/`): every CSV and XLSX file, one row per line.

The log is append-only: a placement's later version is a new row with the same
`placement_id` and a later `recorded_on`. This module reads the files into
one frame with the source file and line of every row, its text trimmed and its
fields read by meaning (`fields`); which row is in force is decided in
`versions`.

A row that cannot be read as it stands (more values than the header has
names) keeps a `read_problem`, which makes it unreadable in `versions`. What
a file as a whole has to say (an unknown column, a file read as
Windows-1252, an empty file) are warnings in `Log.findings`. A file that
cannot be read at all (a column named twice, a broken quote, a hostile xlsx)
is an InputError naming the file and line.
"""

from __future__ import annotations

import errno
import hashlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from fundcalc.base.disk import NotRegularFileError, read_regular, refusal, sha256_of
from fundcalc.base.findings import (
    EXCEPTION,
    Finding,
    Note,
    file_warnings,
    finding_frame,
    findings_of,
)
from fundcalc.base.readahead import Whole
from fundcalc.base.reasons import NOT_READ, PARTS, UNKNOWN_COLUMN, UNNAMED_COLUMN
from fundcalc.errors import InputError
from fundcalc.inputs.csvfile import read_csv_table
from fundcalc.inputs.fields import typed_rows
from fundcalc.inputs.logfiles import log_entries
from fundcalc.inputs.table import LINE, READ_PROBLEM, RawTable, position
from fundcalc.inputs.xlsx import read_xlsx_table

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

#: Frame schema of a file's rows as text (as written, trimmed, empty as null),
#: before their fields are read (`fields.typed`).
RAW_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "source": pl.String,
    "line": pl.Int64,
    **dict.fromkeys(COLUMNS, pl.String),
    READ_PROBLEM: PARTS,
}


#: Says which log column a header names, None for an unknown one.
Canonical = Callable[[str], str | None]
#: What a `Canonical` says of a column a reader knows and does not use: the column
#: is left out without a warning (the sample's own columns in a verdict file).
IGNORED = "\0ignored"


def log_column(header: str) -> str | None:
    """The log column a header names: the spec's names in any case, spaces around ignored."""
    name = header.strip().lower()
    return name if name in COLUMNS else None


@dataclass(frozen=True)
class LogFile:
    """A file of the log: its name under the inputs folder, SHA-256 and counts."""

    name: str
    sha256: str
    rows: int
    blank_rows: int


@dataclass(frozen=True)
class Log:
    """The log: one row per line of every file, its fields read (`fields.typed`), and
    file-level warnings."""

    rows: pl.DataFrame
    files: tuple[LogFile, ...]
    findings: pl.DataFrame = field(default_factory=finding_frame)
    #: The bytes of the files parsed, by SHA-256, when asked for (`read_log`).
    data: Mapping[str, bytes] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class FileRows:
    """One file's rows, their fields read, with its file-level warnings."""

    rows: pl.DataFrame
    blank_rows: int
    findings: pl.DataFrame


@dataclass(frozen=True)
class Stamp:
    """What a file's metadata says of it: its size and modification time. The same
    stamp suggests the same bytes, and only the checksum proves it."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Stamp | None:
        try:
            status = path.stat()
        except OSError:
            return None
        return cls(status.st_size, status.st_mtime_ns)


def empty_columns(rows: pl.DataFrame) -> list[str]:
    """The columns of `rows` without a value."""
    counts = rows.null_count().row(0)
    return [c for c, nulls in zip(rows.columns, counts, strict=True) if nulls == rows.height]


def no_rows() -> pl.DataFrame:
    """The rows of a log without files: none, with the columns of the rows of any."""
    return typed_rows(pl.DataFrame(schema=RAW_SCHEMA))


def placement_files(inputs: Path) -> list[Path]:
    """The files of the log under `inputs/placements/`, in a stable order.

    Only regular files: a link or anything else named like a log file is
    refused (`refused_files`), never read.
    """
    return [p for p in log_entries(inputs) if refusal(p) is None]


def refused_files(inputs: Path) -> pl.DataFrame:
    """The entries of `inputs/placements/` named like log files that are not read: a
    symbolic link (it could point anywhere, `/etc/passwd`), a folder, a pipe. Each is
    an exception naming it, so that no one thinks its rows were counted."""
    return findings_of(
        [
            Finding(EXCEPTION, (NOT_READ(why),), p.name)
            for p in log_entries(inputs)
            if (why := refusal(p)) is not None
        ]
    )


def read_bytes(path: Path) -> bytes:
    """A regular file's bytes (never through a link), or an InputError saying why
    they cannot be read (also a file deleted since the folder was listed)."""
    try:
        return read_regular(path)
    except FileNotFoundError:
        raise InputError(f"{path}: is gone (deleted while it was being read); run again") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror or error})") from None


def read_log(inputs: Path, *, keep_bytes: bool = False) -> Log:
    """Read every CSV and XLSX file of the log into one raw frame, parsing each.

    With `keep_bytes`, the log holds the bytes of the files it parsed
    (`Log.data`): a close archives the very bytes its figures come from,
    without reading them again. `logcache.read_log` reads through a cache of
    files parsed before.
    """
    paths = placement_files(inputs)
    data: dict[str, bytes] = {}
    reads, sha256s, _ = parsed_files(paths, data if keep_bytes else None)
    return assemble(paths, reads, sha256s, data, refused_files(inputs))


def assemble(
    paths: Sequence[Path],
    reads: Sequence[FileRows],
    sha256s: Sequence[str],
    data: dict[str, bytes],
    refused: pl.DataFrame | None = None,
) -> Log:
    """The log of the files `paths`, read as `reads`, with their checksums, and the
    exceptions of the entries `refused`."""
    files = tuple(
        LogFile(path.name, sha256, read.rows.height, read.blank_rows)
        for path, read, sha256 in zip(paths, reads, sha256s, strict=True)
    )
    rows = pl.concat([r.rows for r in reads]) if reads else no_rows()
    found = [finding_frame(refused), *(r.findings for r in reads)]
    return Log(rows, files, pl.concat(found), data)


def parsed_files(
    paths: Sequence[Path],
    keep: dict[str, bytes] | None = None,
    ahead: Callable[[Path], Whole | None] | None = None,
) -> tuple[list[FileRows], list[str], list[Stamp | None]]:
    """Every file parsed, with its SHA-256 (computed while polars parses) and its
    stamp from before it was read; its bytes put in `keep` by SHA-256, if given.

    A file read whole `ahead` (`base.readahead`) is parsed from those bytes, with
    their stamp and checksum."""
    reads, sha256s, stamps = [], [], []
    with ThreadPoolExecutor(max_workers=1) as hashing:
        for path in paths:
            whole = None if ahead is None else ahead(path)
            if whole is None:
                stamps.append(Stamp.of(path))
                data = read_bytes(path)
                digest = hashing.submit(lambda d: hashlib.sha256(d).hexdigest(), data)
            else:
                stamps.append(Stamp(whole.size, whole.mtime_ns))
                data, digest = whole.data, whole.sha256
                del whole  # the bytes are let go below
            text = _text(data, path.name)
            sha256s.append(digest.result())
            if keep is not None:
                keep[sha256s[-1]] = data
            # The bytes are let go before the fields are read: the two are never
            # held at once.
            del data
            reads.append(typed_file(*text, path.name))
    return reads, sha256s, stamps


def file_sha256(path: Path) -> str:
    """A file's SHA-256, read in pieces; an InputError saying why it cannot be read."""
    try:
        if (why := refusal(path)) is not None:
            raise NotRegularFileError(errno.EINVAL, why, str(path))
        with path.open("rb") as stream:
            return sha256_of(stream)
    except FileNotFoundError:
        raise InputError(f"{path}: is gone (deleted while it was being read); run again") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror or error})") from None


def read_table(data: bytes, name: str, canonical: Canonical = log_column) -> RawTable:
    """A CSV or XLSX file (by its name's suffix) as a RawTable."""
    if name.lower().endswith(".xlsx"):
        return read_xlsx_table(data, name)
    return read_csv_table(data, name, canonical)


def read_file(data: bytes, name: str) -> FileRows:
    """Read one log file: its rows with their fields read, and its file-level warnings."""
    return typed_file(*_text(data, name), name)


def typed_file(text: pl.DataFrame, blank_rows: int, notes: Sequence[Note], name: str) -> FileRows:
    rows = typed_rows(text)
    return FileRows(held(rows, name, empty_columns(rows)), blank_rows, file_warnings(name, notes))


def held(rows: pl.DataFrame, name: str, empty: Sequence[str]) -> pl.DataFrame:
    """A file's rows as held in memory: what is the same on every row, once.

    The file's name (`source`) and the `empty` columns, without a value (the
    text of fields that cannot be read, in most files), become one value each
    (`pl.lit`) instead of one per row, which in a large log would cost 16
    bytes a row and column.
    """
    schema = rows.schema
    return rows.with_columns(
        pl.lit(name).alias("source"),
        *(pl.lit(None, dtype=schema[c]).alias(c) for c in empty if c != "source"),
    )


def read_file_text(data: bytes, name: str) -> pl.DataFrame:
    """One log file's rows as text (`RAW_SCHEMA`), before their fields are read."""
    return _text(data, name)[0]


def _text(data: bytes, name: str) -> tuple[pl.DataFrame, int, list[Note]]:
    table = read_table(data, name)
    named, notes = by_column(table, name, log_column)
    return normalise(named, name, trimmed=table.trimmed), table.blank_rows, notes


def by_column(table: RawTable, name: str, canonical: Canonical) -> tuple[pl.DataFrame, list[Note]]:
    """The table's values under the column names the header means, and what it ignored.

    A column named twice (by the same or by an equivalent name) cannot be
    read: which of the two holds the value? A column whose name is unknown is
    ignored with a warning; a column without a name is ignored silently when
    it is empty and with a warning when it holds a value; a column `canonical`
    calls `IGNORED` is left out silently.
    """
    notes = list(table.notes)
    chosen: dict[str, int] = {}
    for i, header in enumerate(table.header):
        column = canonical(header)
        if column == IGNORED:
            continue
        if column is None:
            if header:
                notes.append(Note(table.header_line, UNKNOWN_COLUMN(header)))
            elif table.rows.get_column(position(i)).is_not_null().any():
                notes.append(Note(table.header_line, UNNAMED_COLUMN(i + 1)))
            continue
        if column in chosen:
            first = table.header[chosen[column]]
            raise InputError(
                f"{name}: line {table.header_line}: column '{header}' (column {i + 1})"
                f" names the same as '{first}' (column {chosen[column] + 1})"
            )
        chosen[column] = i
    return (
        table.rows.select(
            LINE, READ_PROBLEM, *(pl.col(position(i)).alias(c) for c, i in chosen.items())
        ),
        notes,
    )


def normalise(table: pl.DataFrame, name: str, *, trimmed: bool = False) -> pl.DataFrame:
    """Match headers case-insensitively, trim every field, empty → null; add the source.

    `trimmed` values (`RawTable.trimmed`) are taken as they are: trimming them
    would change nothing.
    """
    by_name: dict[str, str] = {}
    for column in table.columns:
        canonical = column.strip().lower()
        if canonical in COLUMNS and canonical not in by_name:
            by_name[canonical] = column
    fields = [
        (
            _trimmed(pl.col(by_name[c]).cast(pl.String), trimmed)
            if c in by_name
            else pl.lit(None, dtype=pl.String)
        ).alias(c)
        for c in COLUMNS
    ]
    problem = pl.col(READ_PROBLEM) if READ_PROBLEM in table.columns else pl.lit(None, dtype=PARTS)
    return table.select(
        pl.lit(name).alias("source"),
        pl.col("line").cast(pl.Int64),
        *fields,
        problem.cast(PARTS).alias(READ_PROBLEM),
    )


def _trimmed(text: pl.Expr, trimmed: bool) -> pl.Expr:
    return text if trimmed else text.str.strip_chars().replace("", None)


def concat_logs(logs: Sequence[Log]) -> Log:
    """One log of several (for imports next to the existing files)."""
    return Log(
        pl.concat([log.rows for log in logs]),
        tuple(f for log in logs for f in log.files),
        pl.concat([finding_frame(), *(log.findings for log in logs)]),
    )
