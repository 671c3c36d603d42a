"""`fundcalc import`: a provider's export, checked, stamped and added to the log.

A provider's export (CSV or XLSX) has no `recorded_on`: the finance officer
gives the day it was received. The export's headers may be the log's own
names or Dutch ones (ALIASES); only letters and digits count, without accents
or case (`Cliënt_nummer` is `clientnummer`). The import

1. refuses a file whose content (SHA-256) was imported before, a file that
   already has a `recorded_on` column, lacks a required column, names a
   column twice, or has a row that cannot be read as it stands;
2. shows what the file does to the log: new placements, changed ones (field
   by field), unchanged ones, rows that a later version keeps out of force,
   and the exceptions and warnings of its rows;
3. writes it as a new CSV file in `inputs/placements/` with every row stamped
   (`<recorded_on>_<name>.csv`, the log's column names, each row on the line
   it had in the export, so that exceptions point at the same line in both),
   and records the import in `inputs/imports.csv`.

Rows with bad values are imported as they are: the log keeps every row, and
a run lists them as exceptions until a later version corrects them.
"""

from __future__ import annotations

import hashlib
import unicodedata
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
from fundcalc.app.validate import placement_findings
from fundcalc.base.findings import (
    EXCEPTION,
    WARNING,
    Finding,
    Note,
    file_warnings,
    finding_frame,
    finding_lines,
    findings_of,
    printable,
    sort_findings,
)
from fundcalc.base.period import END_OF_TIME
from fundcalc.base.plural import counted
from fundcalc.base.reasons import english_text, parts_of
from fundcalc.core.versions import FIELDS, Versions, versions_as_of
from fundcalc.errors import UsageError
from fundcalc.inputs.fields import typed_rows
from fundcalc.inputs.log import (
    COLUMNS,
    no_rows,
    normalise,
    read_bytes,
    read_log,
)
from fundcalc.inputs.rules import Rules

#: Header names a provider's export may use besides the log's own (§3).
ALIASES: dict[str, tuple[str, ...]] = {
    "placement_id": ("Plaatsingsnummer", "Plaatsing", "Plaatsingsid"),
    "client_id": ("Cliëntnummer", "Cliënt", "Cliëntcode"),
    "lot_id": ("Perceel", "Perceelnummer", "Perceelcode"),
    "start_date": ("Startdatum", "Begindatum", "Datum opname"),
    "end_date": ("Einddatum", "Datum vertrek"),
    "brp_municipality": ("Gemeente BRP", "BRP-gemeente", "Gemeente inschrijving"),
    "found_municipality": ("Gemeente aangetroffen", "Aangetroffen in"),
    "reflection_start": ("Start bedenktijd", "Begin bedenktijd"),
    # Exclusive, as end_date: the first day Justice no longer pays (§4.4).
    "reflection_end": (
        "Einde bedenktijd (eerste dag niet meer)",
        "Einde bedenktijd",
        "Eind bedenktijd",
    ),
    "void": ("Vervallen", "Ingetrokken"),
}
#: Columns an export must have; the others may be left out (empty).
REQUIRED = ("placement_id", "client_id", "lot_id", "start_date")
REGISTRY = "imports.csv"
#: How many placement ids a list in the report shows before it says how many more.
SHOWN = 50


def header_key(header: str) -> str:
    """A header as compared: its letters and digits only, without accents, in lower case."""
    plain = unicodedata.normalize("NFKD", header)
    return "".join(c for c in plain.lower() if c.isalnum() and not unicodedata.combining(c))


_BY_KEY = {
    header_key(name): column for column, names in ALIASES.items() for name in (column, *names)
} | {header_key("recorded_on"): "recorded_on"}


def import_column(header: str) -> str | None:
    """The log column a header of a provider's export names (None for an unknown one)."""
    return _BY_KEY.get(header_key(header))


@dataclass(frozen=True)
class Change:
    """A placement whose version in force the import changes, and how."""

    placement_id: str
    fields: tuple[tuple[str, str, str], ...]  # (field, before, after)


@dataclass(frozen=True)
class Export:
    """A provider's export read and stamped: the rows as they will stand in the log."""

    source: str  # the export's file name
    name: str  # the file name in inputs/placements/
    sha256: str  # of the export's bytes
    recorded_on: date
    rows: pl.DataFrame  # as text (log.RAW_SCHEMA), source = name
    notes: tuple[Note, ...]  # the export's file warnings


@dataclass(frozen=True)
class ImportReport:
    """What an import found and did."""

    source: str
    recorded_on: date
    rows: int
    new: tuple[str, ...]
    changed: tuple[Change, ...]
    unchanged: int
    not_in_force: tuple[tuple[str, date], ...]
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
            f"{self.source}: {counted(self.rows, 'row')},"
            f" recorded on {self.recorded_on.isoformat()}"
        ]
        out.append(f"new placements: {len(self.new)}")
        out += _listed(self.new)
        out.append(f"changed placements: {len(self.changed)}")
        for change in self.changed[:SHOWN]:
            what = ", ".join(f"{f}: {b} → {a}" for f, b, a in change.fields)
            out.append(printable(f"  {change.placement_id}  {what}"))
        out += _more(len(self.changed))
        out.append(f"unchanged placements: {self.unchanged}")
        if self.not_in_force:
            out.append(f"not in force, a later version is: {len(self.not_in_force)}")
            out += [
                printable(f"  {pid}  (version of {day.isoformat()})")
                for pid, day in self.not_in_force[:SHOWN]
            ]
            out += _more(len(self.not_in_force))
        out += finding_lines(self.findings)
        out.append(imported_line(self.written, self.refused))
        return out


def _listed(ids: tuple[str, ...]) -> list[str]:
    if not ids:
        return []
    return [printable("  " + ", ".join(ids[:SHOWN])), *_more(len(ids))]


def _more(count: int) -> list[str]:
    return [f"  … and {count - SHOWN} more"] if count > SHOWN else []


def import_file(
    path: Path,
    recorded_on: date,
    rules: Rules,
    inputs: Path,
    *,
    today: date,
    dry_run: bool = False,
    force: bool = False,
) -> ImportReport:
    """Check a provider's export, show what it does, and add it to the log (unless dry_run).

    An export of which every row is an exception is not added unless `force`
    (the report says so: `refused`). One with the rows of a file imported
    before, in other bytes, is added with a warning naming that file.
    """
    placements = inputs / "placements"
    if recorded_on > today:
        raise UsageError(
            f"--recorded-on {recorded_on.isoformat()} is after today ({today.isoformat()}):"
            " give the day the file was received"
        )
    if placements.is_dir() and path.resolve().parent == placements.resolve():
        raise UsageError(
            f"{path}: is in the log already (inputs/placements/); import a file from elsewhere"
        )
    data = read_bytes(path.resolve())  # the file named on the command line, link or not
    digest = hashlib.sha256(data).hexdigest()
    refuse_repeat(inputs / REGISTRY, digest, path.name)
    # The log as it is; its own problems (a broken file) stop the import too.
    log_rows = read_log(inputs).rows if placements.is_dir() else no_rows()
    name = stamped_name(placements, recorded_on, path, "import")
    rows, notes = read_export(data, path.name, recorded_on)
    export = Export(
        path.name,
        name,
        digest,
        recorded_on,
        rows.with_columns(pl.lit(name).alias("source")),
        tuple(notes),
    )
    stamped = stamped_file(export.rows, COLUMNS, "line")
    report = _compare(export, log_rows, rules)
    repeated = same_rows(inputs / REGISTRY, inputs, stamped, "recorded_on")
    if repeated is not None:
        warning = findings_of([Finding(WARNING, (repeated_rows(repeated),), export.source)])
        report = replace(report, findings=sort_findings(pl.concat([report.findings, warning])))
    if dry_run:
        return report
    lines = export.rows["line"].drop_nulls().to_list()
    if not force and every_row_an_exception(lines, report.findings, export.source):
        return replace(report, refused=ALL_EXCEPTIONS)
    write_whole(placements / name, stamped)
    register(
        inputs / REGISTRY,
        export.name,
        export.source,
        digest=export.sha256,
        recorded_on=export.recorded_on,
        rows=export.rows.height,
    )
    return replace(report, written=placements / name)


def read_export(data: bytes, name: str, recorded_on: date) -> tuple[pl.DataFrame, list[Note]]:
    """A provider's export as log rows of text stamped with `recorded_on`, and its file warnings."""
    named, notes = export_table(
        data,
        name,
        import_column,
        stamp="recorded_on",
        folder="placements",
        required=REQUIRED,
        aliases=ALIASES,
    )
    rows = normalise(named, name).with_columns(pl.lit(recorded_on.isoformat()).alias("recorded_on"))
    return rows, notes


def _compare(export: Export, log_rows: pl.DataFrame, rules: Rules) -> ImportReport:
    """What the stamped rows do to the log's versions in force (as of the end of time)."""
    before = versions_as_of(log_rows, END_OF_TIME)
    after = versions_as_of(pl.concat([log_rows, typed_rows(export.rows)]), END_OF_TIME)
    ids = export.rows.filter(pl.col("placement_id").is_not_null())["placement_id"].unique()
    known = set(log_rows["placement_id"].drop_nulls().to_list())
    old = {r["placement_id"]: r for r in before.placements.iter_rows(named=True)}
    now = {r["placement_id"]: r for r in after.placements.iter_rows(named=True)}
    # The day of the newest version of each known placement (a void one included).
    latest = dict(log_rows.group_by("placement_id").agg(pl.col("recorded_on").max()).iter_rows())
    new, changed, not_in_force, unchanged = [], [], [], 0
    for pid in sorted(ids.to_list()):
        if pid not in known:
            new.append(pid)
            continue
        newest = latest.get(pid)
        if newest is not None and newest > export.recorded_on:
            not_in_force.append((pid, newest))
            continue
        fields = _differences(old.get(pid), now.get(pid))
        if fields:
            changed.append(Change(pid, fields))
        else:
            unchanged += 1
    return ImportReport(
        export.source,
        export.recorded_on,
        export.rows.height,
        tuple(new),
        tuple(changed),
        unchanged,
        tuple(not_in_force),
        _findings(export, after, ids, rules),
        None,
    )


def _differences(
    before: dict[str, object] | None, after: dict[str, object] | None
) -> tuple[tuple[str, str, str], ...]:
    """Field by field, how the version in force changes (a void one is withdrawn)."""
    if after is None:  # the placement is withdrawn
        return (("void", "false", "true"),)
    if before is None:  # it was withdrawn before
        return (("void", "true", "false"),)
    return tuple(
        (f, _shown(before[f]), _shown(after[f]))
        for f in FIELDS
        if f != "recorded_on" and before[f] != after[f]
    ) + (
        (("reason", _reason(before["reject_reason"]), _reason(after["reject_reason"])),)
        if before["reject_reason"] != after["reject_reason"]
        else ()
    )


def _reason(parts: object) -> str:
    """A placement's `reject_reason` in English (`(empty)` for none)."""
    return english_text(parts_of(parts)) if parts else "(empty)"


def _shown(value: object) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _findings(export: Export, after: Versions, ids: pl.Series, rules: Rules) -> pl.DataFrame:
    """The exceptions and warnings of the imported rows, named by the export's file and line."""
    stamped_name, notes = export.name, export.notes
    # The imported placements whose version in force is the import's, or that it rejects.
    mine = after.placements.filter(
        pl.col("placement_id").is_in(ids.implode())
        & ((pl.col("source") == stamped_name) | pl.col("reject_reason").is_not_null())
    )
    found = [
        after.exceptions.filter(pl.col("source") == stamped_name),
        placement_findings(mine, rules),
        file_warnings(stamped_name, notes),
    ]
    findings = pl.concat([finding_frame(f) for f in found])
    return sort_findings(
        findings.with_columns(
            pl.when(pl.col("source") == stamped_name)
            .then(pl.lit(export.source))
            .otherwise(pl.col("source"))
            .alias("source")
        )
    )
