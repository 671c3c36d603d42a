"""The import register (`inputs/imports.csv`) and the stamped files an import writes.

Both imports, of placements (`importer`) and of invoices (`invoice_import`),
take a provider's export, stamp it with the day it was received and add it to
its folder under a safe, unique name. The register lists every file imported,
with the SHA-256 of the export it came from, so that the same export is never
imported twice, whichever kind it was imported as.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import polars as pl

from fundcalc.base.atomic import replace_file
from fundcalc.base.findings import EXCEPTION, Note
from fundcalc.base.plural import counted
from fundcalc.base.reasons import IMPORTED_BEFORE, Part, english_text, parts_of
from fundcalc.errors import InputError
from fundcalc.inputs.log import Canonical, by_column, read_bytes, read_table
from fundcalc.inputs.table import READ_PROBLEM
from fundcalc.report.render import safe_text

#: The register's columns; `file` is the stamped file, under invoices/ for an invoice.
REGISTRY_COLUMNS = ("file", "source", "source_sha256", "recorded_on", "rows")


def export_table(
    data: bytes,
    name: str,
    canonical: Canonical,
    *,
    stamp: str,
    folder: str,
    required: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
) -> tuple[pl.DataFrame, list[Note]]:
    """A provider's export under the column names its header means, and its file warnings.

    An import stamps every row with the day it was received (`stamp`), so an
    export that has that column already, lacks a `required` one, holds a row
    that cannot be read as it stands, or holds no row at all is refused whole.
    """
    table = read_table(data, name, canonical)
    named, notes = by_column(table, name, canonical)
    if stamp in named.columns:
        raise InputError(
            f"{name}: has a {stamp} column; import stamps every row with --recorded-on:"
            f" remove the column, or put the file in inputs/{folder}/ as it is"
        )
    missing = [c for c in required if c not in named.columns]
    if missing:
        accepted = "; ".join(f"{c} ({', '.join(aliases[c])})" for c in missing)
        raise InputError(f"{name}: line {table.header_line}: no column for {accepted}")
    broken = named.filter(pl.col(READ_PROBLEM).is_not_null())
    if broken.height:
        line, problem = broken.row(0)[:2]
        more = f" (and {counted(broken.height - 1, 'more row')})" if broken.height > 1 else ""
        raise InputError(
            f"{name}: line {line}: {english_text(parts_of(problem))}{more};"
            " correct the file and import it again"
        )
    if named.height == 0:
        raise InputError(f"{name}: has no rows to import")
    return named, notes


def stamped_file(rows: pl.DataFrame, columns: Sequence[str], line: str) -> bytes:
    """The stamped rows as CSV with `columns`, each row on its line of the export
    (`line` names the column holding it), so a finding's line still points there."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    at = 2
    for number, *values in rows.select(line, *columns).iter_rows():
        if number is not None and number > at:
            buffer.write("\n" * (number - at))
            at = number
        writer.writerow(["" if v is None else v for v in values])
        at += 1 + sum(v.count("\n") for v in values if v is not None)
    return buffer.getvalue().encode("utf-8")


def stamped_name(folder: Path, day: date, path: Path, fallback: str) -> str:
    """`<day>_<export's name>.csv`, unique in `folder`, safe on every disk."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", path.stem).strip("._-")[:60] or fallback
    name = f"{day.isoformat()}_{stem}.csv"
    number = 1
    while (folder / name).exists():
        number += 1
        name = f"{day.isoformat()}_{stem}-{number}.csv"
    return name


def registry_rows(path: Path) -> list[dict[str, str]]:
    """The register's entries, none when there is no register yet."""
    if not path.exists():
        return []
    text = read_bytes(path.resolve()).decode("utf-8-sig", errors="replace")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def refuse_repeat(registry: Path, digest: str, name: str) -> None:
    """An InputError when an export with these bytes was imported before."""
    for row in registry_rows(registry):
        if row.get("source_sha256") == digest:
            where = imported_path(row)
            raise InputError(
                f"{name}: was imported before (the same content as {row.get('source')},"
                f" recorded on {row.get('recorded_on')}, in {where});"
                " it is not imported again"
            )


def same_rows(registry: Path, inputs: Path, stamped: bytes, stamp: str) -> dict[str, str] | None:
    """The register's entry of an imported file whose rows are those of `stamped` (the
    `stamp` column and blank lines aside), None when no file has them.

    A provider's export saved again in another encoding or as XLSX has other
    bytes, so `refuse_repeat` does not know it; its rows tell it is the same.
    Only the files with as many rows are read.
    """
    mine = _rows_without(stamped, stamp)
    for entry in registry_rows(registry):
        if entry.get("rows") != str(len(mine)):
            continue
        path = inputs / imported_path(entry)
        if not path.is_file():
            continue  # taken out of the log since: nothing to compare with
        if _rows_without(read_bytes(path), stamp) == mine:
            return entry
    return None


def imported_path(entry: Mapping[str, str]) -> str:
    """Where an entry of the register is under the inputs (`placements/…`, `invoices/…`)."""
    file = entry.get("file") or ""
    return file if "/" in file else f"placements/{file}"


def _rows_without(stamped: bytes, stamp: str) -> list[list[str]]:
    """The rows of a stamped file (written by `stamped_file`) without its `stamp` column."""
    rows = [r for r in csv.reader(io.StringIO(stamped.decode("utf-8"), newline="")) if r]
    if not rows or stamp not in rows[0]:
        return rows[1:]
    at = rows[0].index(stamp)
    return [r[:at] + r[at + 1 :] for r in rows[1:]]


def repeated_rows(entry: Mapping[str, str]) -> Part:
    """A warning's reason: the export has the rows of a file imported before."""
    return IMPORTED_BEFORE(imported_path(entry), entry.get("source"), entry.get("recorded_on"))


#: Why an export of which every row is an exception is not imported without --force.
ALL_EXCEPTIONS = (
    "not imported: every row has an exception, so none of it would count; ask the provider"
    " for a corrected export, or give --force to import it as it is"
)


def imported_line(written: Path | None, refused: str | None) -> str:
    """The last line of an import's report: where it went, or why it did not."""
    if written is not None:
        return f"imported as {written}"
    return refused or "not imported (--dry-run)"


def every_row_an_exception(lines: Sequence[int], findings: pl.DataFrame, source: str) -> bool:
    """Whether each of the export's rows (by `lines`) has an exception of `source`."""
    flagged = set(
        findings.filter((pl.col("kind") == EXCEPTION) & (pl.col("source") == source))["line"]
        .drop_nulls()
        .to_list()
    )
    return bool(lines) and all(line in flagged for line in lines)


def register(
    registry: Path, file: str, source: str, *, digest: str, recorded_on: date, rows: int
) -> None:
    """Add an imported file to the register."""
    entries = [
        *registry_rows(registry),
        {
            "file": file,
            "source": str(safe_text(source)),  # the register is opened in Excel
            "source_sha256": digest,
            "recorded_on": recorded_on.isoformat(),
            "rows": str(rows),
        },
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REGISTRY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: e.get(c, "") for c in REGISTRY_COLUMNS} for e in entries)
    write_whole(registry, buffer.getvalue().encode("utf-8"))


def write_whole(path: Path, data: bytes) -> None:
    """Write an input file whole or not at all (`base.atomic.replace_file`)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, data)
    except OSError as error:
        raise InputError(f"{path}: cannot be written ({error.strerror})") from None
