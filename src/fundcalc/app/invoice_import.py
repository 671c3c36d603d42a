"""`fundcalc import --kind invoices`: a provider's invoice export, stamped and added.

A provider's invoice export (CSV or XLSX, *declaratie*) has no
`received_on`: the finance officer gives the day it came in. Its headers may
be the spec's or Dutch (`inputs.invoices.ALIASES`). The import

1. refuses a file whose content (SHA-256) was imported before (as invoices or
   as placements: `inputs/imports.csv` lists both), a file that already has a
   `received_on` column, lacks a column, names one twice, or has a row that
   cannot be read as it stands;
2. shows every invoice of the file: lot, month, number, days and amounts,
   and what it does: a new invoice, one that replaces an earlier one (a
   correction), one that conflicts with another received the same day, one
   that a later invoice keeps out of force; and the rows that cannot be read
   and the lots the rules do not know;
3. writes it as a new CSV file in `inputs/invoices/` with every row stamped
   (`<received_on>_<name>.csv`, the spec's column names, each row on the line
   it had in the export) and records it in `inputs/imports.csv`.

Rows with bad values are imported as they are: the run lists them as
exceptions until the provider sends a corrected invoice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import polars as pl

from fundcalc.app.register import (
    ALL_EXCEPTIONS,
    every_row_an_exception,
    export_table,
    imported_line,
    refuse_repeat,
    register,
    repeated_rows,
    same_rows,
    stamped_file,
    stamped_name,
    write_whole,
)
from fundcalc.base.findings import (
    EXCEPTION,
    WARNING,
    Finding,
    Note,
    file_warnings,
    finding_lines,
    findings_of,
    printable,
    sort_findings,
)
from fundcalc.base.money import format_cents
from fundcalc.base.plural import counted
from fundcalc.base.reasons import LOT_NOT_IN_RULES
from fundcalc.errors import UsageError
from fundcalc.inputs.invoices import (
    ALIASES,
    COLUMNS,
    FOLDER,
    InvoiceRow,
    invoice_column,
    read_invoices,
    read_row,
)
from fundcalc.inputs.log import read_bytes
from fundcalc.inputs.rules import Rules
from fundcalc.inputs.table import LINE, READ_PROBLEM

#: The register of imports, shared with the placement import (`importer`).
REGISTRY = "imports.csv"

NEW = "new"
REPLACES = "replaces"
CONFLICTS = "conflicts"
NOT_IN_FORCE = "not in force"


@dataclass(frozen=True)
class ImportedInvoice:
    """An invoice of the export and what it does to the invoices already there."""

    row: InvoiceRow
    effect: str
    other: InvoiceRow | None = None

    def line(self) -> str:
        r = self.row
        figures = (
            f"{counted(r.days, 'day')}, {format_cents(r.day_cents)}"
            f" + {format_cents(r.availability_cents)}"
            if r.readable
            and r.days is not None
            and r.day_cents is not None
            and r.availability_cents is not None
            else "cannot be read"
        )
        what = f"{r.lot_id or '(no lot)'}  {r.period or '(no month)'}  {r.invoice_id or '-'}"
        if self.effect == REPLACES and self.other is not None:
            effect = f"replaces {_named(self.other)}"
        elif self.effect == CONFLICTS and self.other is not None:
            effect = f"conflicts with {_named(self.other)} (received the same day)"
        elif self.effect == NOT_IN_FORCE and self.other is not None:
            effect = f"not in force: {_named(self.other)} was received later"
        else:
            effect = self.effect
        return printable(f"  {what}  {figures}  {effect}")


def _named(row: InvoiceRow) -> str:
    day = row.received_on.isoformat() if row.received_on else "?"
    return f"{row.invoice_id or '(no number)'} received on {day} ({row.source}:{row.line})"


@dataclass(frozen=True)
class InvoiceImportReport:
    """What an invoice import found and did."""

    source: str
    received_on: date
    invoices: tuple[ImportedInvoice, ...]
    findings: pl.DataFrame
    written: Path | None
    #: Why it was not imported although asked to (`ALL_EXCEPTIONS`); None otherwise.
    refused: str | None = None

    @property
    def exceptions(self) -> int:
        return self.findings.filter(pl.col("kind") == EXCEPTION).height

    def lines(self) -> list[str]:
        """The report as text for the terminal."""
        out = [
            f"{self.source}: {counted(len(self.invoices), 'invoice row')},"
            f" received on {self.received_on.isoformat()}"
        ]
        out += [invoice.line() for invoice in self.invoices]
        out += finding_lines(self.findings)
        out.append(imported_line(self.written, self.refused))
        return out


def import_invoices(
    path: Path,
    received_on: date,
    rules: Rules,
    inputs: Path,
    *,
    today: date,
    dry_run: bool = False,
    force: bool = False,
) -> InvoiceImportReport:
    """Check a provider's invoice export, show what it does, and add it (unless dry_run).

    As a placement export (`importer.import_file`): not added when every row is
    an exception unless `force`; a warning when its rows are a file's imported
    before.
    """
    folder = inputs / FOLDER
    if received_on > today:
        raise UsageError(
            f"--recorded-on {received_on.isoformat()} is after today ({today.isoformat()}):"
            " give the day the invoices were received"
        )
    if folder.is_dir() and path.resolve().parent == folder.resolve():
        raise UsageError(f"{path}: is in {FOLDER}/ already; import a file from elsewhere")
    data = read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    registry = inputs / REGISTRY
    refuse_repeat(registry, digest, path.name)
    present = read_invoices(inputs)  # their own problems (a broken file) stop the import too
    name = stamped_name(folder, received_on, path, "invoices")
    text, notes = read_invoice_export(data, path.name, received_on)
    rows = [read_row(f"{FOLDER}/{name}", r) for r in text.iter_rows(named=True)]
    earlier = present.rows if present is not None else ()
    invoices = tuple(_effect(row, earlier) for row in rows)
    stamped = stamped_file(text, COLUMNS, LINE)
    findings = _findings(path.name, rows, notes, rules)
    repeated = same_rows(registry, inputs, stamped, "received_on")
    if repeated is not None:
        findings = sort_findings(
            pl.concat(
                [findings, findings_of([Finding(WARNING, (repeated_rows(repeated),), path.name)])]
            )
        )
    report = InvoiceImportReport(path.name, received_on, invoices, findings, None)
    if dry_run:
        return report
    if not force and every_row_an_exception([r.line for r in rows], findings, path.name):
        return replace(report, refused=ALL_EXCEPTIONS)
    write_whole(folder / name, stamped)
    register(
        registry,
        f"{FOLDER}/{name}",
        path.name,
        digest=digest,
        recorded_on=received_on,
        rows=len(rows),
    )
    return replace(report, written=folder / name)


def read_invoice_export(
    data: bytes, name: str, received_on: date
) -> tuple[pl.DataFrame, list[Note]]:
    """A provider's invoice export as rows of text (trimmed, empty as null) stamped with
    `received_on`, and its file warnings."""
    named, notes = export_table(
        data,
        name,
        invoice_column,
        stamp="received_on",
        folder=FOLDER,
        required=[c for c in COLUMNS if c != "received_on"],
        aliases=ALIASES,
    )
    rows = named.select(
        LINE,
        READ_PROBLEM,
        *(pl.col(c).str.strip_chars().replace("", None).alias(c) for c in COLUMNS[:-1]),
        pl.lit(received_on.isoformat()).alias("received_on"),
    )
    return rows, notes


def _effect(row: InvoiceRow, earlier: tuple[InvoiceRow, ...]) -> ImportedInvoice:
    """What the stamped row does to the invoices of its lot and month already there."""
    if not row.is_version or row.received_on is None:
        return ImportedInvoice(row, NEW)
    same = [
        e
        for e in earlier
        if e.is_version and (e.lot_id, e.period) == (row.lot_id, row.period) and e.received_on
    ]
    later = [e for e in same if e.received_on and e.received_on > row.received_on]
    if later:
        return ImportedInvoice(row, NOT_IN_FORCE, max(later, key=_when))
    today = [e for e in same if e.received_on == row.received_on and e.meaning != row.meaning]
    if today:
        return ImportedInvoice(row, CONFLICTS, today[0])
    before = [e for e in same if e.received_on and e.received_on < row.received_on]
    if before:
        return ImportedInvoice(row, REPLACES, max(before, key=_when))
    return ImportedInvoice(row, NEW)


def _when(row: InvoiceRow) -> tuple[date, str, int]:
    return (row.received_on or date.min, row.source, row.line)


def _findings(source: str, rows: list[InvoiceRow], notes: list[Note], rules: Rules) -> pl.DataFrame:
    """Rows that cannot be read (exceptions) and lots the rules do not know (warnings),
    named by the export's file and line."""
    found: list[Finding] = []
    for row in rows:
        if row.problem:
            found.append(Finding(EXCEPTION, row.problem, source, row.line))
        if row.lot_id is not None and row.lot_id not in rules.lots:
            found.append(Finding(WARNING, (LOT_NOT_IN_RULES(row.lot_id),), source, row.line))
    return sort_findings(pl.concat([findings_of(found), file_warnings(source, notes)]))
