"""A run of one period: read the rules and the log, calculate, render, write.

This is the only place where the pure core meets the disk: `load_inputs`
reads, `render_run` turns a calculation into the bytes of every output, and
`write_folder` puts them in place.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from fundcalc import __version__
from fundcalc.app.closes import outputs_disagree
from fundcalc.app.files import place_folder, prepare_folder, write_folder
from fundcalc.app.guards import Notices, close_notices, is_forecast, refuse_close, run_notices
from fundcalc.app.load import Inputs
from fundcalc.app.reserve import opening_reserve as reserve_of_year
from fundcalc.archive.corrections import (
    Settled,
    correction_rows,
    corrections_by_period,
    parse_statement,
    too_late_findings,
)
from fundcalc.archive.late_verdicts import too_late_verdicts
from fundcalc.archive.record import ClosedPeriod, Software, running_software
from fundcalc.archive.store import ARCHIVE, Archive, StoredFile, stored
from fundcalc.base.background import Background
from fundcalc.base.disk import read_regular
from fundcalc.base.findings import EXCEPTION, WARNING, finding_frame, sort_findings
from fundcalc.base.money import format_cents
from fundcalc.base.period import Period
from fundcalc.base.plural import counted
from fundcalc.core.allocation import ITEMS, Settlement, StatementRow
from fundcalc.core.calculation import Calculation, calculate
from fundcalc.core.invoices import CHECK_COLUMNS, InvoiceCheck, check_period, invoice_totals
from fundcalc.core.segments import STREAMS
from fundcalc.core.settlement import OpeningReserve
from fundcalc.errors import ArchiveError, OutputError, UsageError
from fundcalc.inputs.rules import Rules
from fundcalc.inputs.verdicts import FOLDER as ELIGIBILITY
from fundcalc.report.dutch import CONCEPT, DEFINITIEF, PROGNOSE, Standing
from fundcalc.report.figures import year_to_date as year_to_date_months
from fundcalc.report.render import (
    EXCEPTIONS,
    INVOICES,
    LEDGER,
    MANIFEST,
    REPORT,
    STATEMENT,
    render_findings,
    render_invoices,
    render_json,
    render_ledger,
    render_statement,
)
from fundcalc.report.workbook.accounts import SealedMonth
from fundcalc.report.workbook.book import draft_workbook, finish_workbook
from fundcalc.report.workbook.eligibility import eligibility_figures


@dataclass(frozen=True)
class RunResult:
    """A finished run: where it wrote, what it computed, what it found.

    `calculation` holds the period itself and, for the year-to-date figures,
    the earlier months of its year that the rules cover. `corrections` are the
    statement rows for earlier, closed periods (§6), booked in this period.
    """

    period: Period
    as_of: date
    folder: Path
    calculation: Calculation
    settlement: Settlement
    findings: pl.DataFrame
    files: dict[str, bytes]
    manifest: dict[str, Any]
    corrections: tuple[StatementRow, ...] = ()
    notices: Notices = field(default_factory=Notices)
    #: The seal of the close (`close` only): the SHA-256 of its record.
    seal: str = ""
    #: The invoice check (`invoices.csv`), None when there is no `inputs/invoices/`.
    invoices: tuple[InvoiceCheck, ...] | None = None

    @property
    def statement_rows(self) -> list[StatementRow]:
        """The period's own rows, then its correction rows."""
        return [*self.settlement.rows(), *self.corrections]


def default_period(log_rows: pl.DataFrame, as_of: date) -> Period:
    """The last month the log covers: the last month that ended on or before
    the latest `recorded_on` up to the as-of date."""
    recorded = log_rows["recorded_on"]
    latest = recorded.filter(recorded <= as_of)
    if latest.is_empty():
        raise UsageError("the log has no rows recorded on or before the as-of date; give --period")
    last: date = latest.max()  # type: ignore[assignment]
    return Period.of(last + timedelta(days=1)).previous()


def settled_before(out_dir: Path, period: Period) -> Settled:
    """The closes in `out_dir`'s archive before `period`, with their statements."""
    archive = Archive(out_dir / ARCHIVE)
    closed = tuple(c for c in archive.closed() if c.period < period)
    statements = {c.period: parse_statement(archive.read(c.output(STATEMENT))) for c in closed}
    return Settled(closed, statements)


def run_period(
    inputs: Inputs,
    out_dir: Path,
    period: Period | None,
    as_of: date,
    *,
    write: bool = True,
    settled: Settled | None = None,
    closing: date | None = None,
    opening_reserve: OpeningReserve | None = None,
    software: Software | None = None,
    legacy: bool = False,
) -> RunResult:
    """Calculate `period` as of `as_of` and write its outputs under `out_dir`.

    The workbook shows the seal of every close before `period` and marks the
    corrections for a month closed with other `software` than this run's
    (default: the software running; replay gives the close's own), unless
    `legacy`: a replay of a close of record format 1 renders as it did then.

    Closed periods in the archive within the lookback are recomputed in the
    same calculation and corrected in this period's statement (§6). With
    `closing` (the day of a close, or of the close a replay rebuilds) the
    workbook is *Definitief*; otherwise *Concept*, or *Prognose* as of a day
    before the period has ended (`standing`). A closed
    period's folder is its closed record: a run of it writes to the draft
    folder OUT/YYYY-MM-concept/ instead (`draft_folder`), never over it.
    """
    if period is None:
        if inputs.log.rows.is_empty():
            raise UsageError("the log is empty (no placement rows were read); give --period")
        period = default_period(inputs.log.rows, as_of)
    folder = out_dir / str(period)
    notices = Notices(inputs.rules.membership_changes())
    closed = [c.period for c in settled.closed] if settled is not None else []
    if settled is None:
        settled = settled_before(out_dir, period)
        archive = Archive(out_dir / ARCHIVE)
        closed = [c.period for c in archive.closed()]
        opening_reserve = reserve_of_year(archive, inputs.rules, period.year)
        if write and period in closed:
            folder = draft_folder(out_dir, period)
            notices += Notices(
                (
                    f"{period} is closed: {out_dir / str(period)} is its closed record and is left"
                    f" as it is; this run is a draft in {folder}",
                )
            )
    lookback = inputs.rules.correction_lookback_months
    corrected = settled.to_correct(period, lookback)
    calculation = calculate(
        inputs.rules,
        inputs.log.rows,
        [period, *months_earlier_in_year(inputs.rules, period)],
        as_of,
        settle_only=corrected,
        log_findings=inputs.log_findings,
        verdict_rows=inputs.verdicts.rows,
    )
    corrections = correction_rows(
        period, {q: calculation.settlements[q] for q in corrected}, settled
    )
    sealed = None if legacy else sealed_months(settled, software or running_software())
    too_old = settled.too_old(period, lookback)
    late = pl.concat(
        [
            too_late_findings(inputs.log.rows, too_old, as_of, lookback),
            too_late_verdicts(
                inputs.verdicts.rows,
                inputs.log.rows,
                too_old,
                as_of=as_of,
                lookback_months=lookback,
                fund_lots=calculation.fund_lots,
            ),
        ]
    )
    result = render_run(
        inputs,
        calculation,
        period,
        folder,
        corrections,
        extra_findings=late,
        standing=standing_of(period, as_of, closed, closing),
        opening_reserve=opening_reserve,
        sealed=sealed,
    )
    placements = int(result.manifest["counts"]["placements"]["in_ledger"])
    notices += code_change_notices(sealed or (), corrections)
    notices += run_notices(period, as_of, inputs.log.rows, placements)
    result = replace(result, notices=notices)
    if write:
        write_folder(result.folder, result.files)
    return result


def standing_of(
    period: Period, as_of: date, closed: Iterable[Period], closing: date | None
) -> Standing:
    """What the workbook says it is: closed on `closing`, a forecast, or a draft."""
    if closing is not None:
        return Standing(DEFINITIEF, closing, tuple(sorted({*closed, period})))
    return Standing(PROGNOSE if is_forecast(period, as_of) else CONCEPT, None, tuple(closed))


def sealed_months(settled: Settled, software: Software) -> tuple[SealedMonth, ...]:
    """The closes before a run, with their seals and whether other software closed them."""
    return tuple(
        SealedMonth(
            str(c.period),
            c.seal,
            c.closed_with(),
            None if c.software is None else c.software != software,
            as_of=c.as_of,
            closed_on=c.closed_on,
        )
        for c in settled.closed
    )


def code_change_notices(
    sealed: Iterable[SealedMonth], corrections: Iterable[StatementRow]
) -> Notices:
    """A warning for each month corrected that other software closed: its corrections
    may come from the change of code, not from the data (said before they are booked)."""
    rows: dict[str, int] = {}
    for row in corrections:
        rows[row[3]] = rows.get(row[3], 0) + 1
    now = running_software().describe()
    return Notices(
        warnings=tuple(
            f"{m.period} was closed with other software ({m.closed_with}; now {now}):"
            f" its {counted(rows[m.period], 'correction row')} may come from that change, not"
            " from the"
            f" data; 'fundcalc replay --period {m.period}' shows what the code changes"
            for m in sealed
            if m.other_software and m.period in rows
        )
    )


def draft_folder(out_dir: Path, period: Period) -> Path:
    """Where a run of a closed period writes: beside the closed folder, named a draft."""
    return out_dir / f"{period}-concept"


def close_period(
    inputs: Inputs,
    *,
    rules_dir: Path,
    inputs_dir: Path,
    out_dir: Path,
    period: Period,
    as_of: date,
    today: date,
) -> RunResult:
    """Run `period` and freeze it: archive what it read and wrote, then write its outputs.

    Periods close in order, each once; one close at a time; only a month that
    has ended as of `as_of`, never as of a day before an earlier close's
    (`guards.refuse_close`).
    """
    archive = Archive(out_dir / ARCHIVE)
    with archive.lock():
        archive.sweep()  # what a killed close left behind
        closed = archive.closed()
        if any(c.period == period for c in closed):
            raise ArchiveError(f"{period} is already closed; a closed period is never closed again")
        if closed and period != closed[-1].period.next():
            last = closed[-1].period
            raise ArchiveError(
                f"periods close in order: {last} was closed last, so the next is {last.next()}"
            )
        refuse_close(period, as_of, closed)
        # The month closed last: a close killed before its outputs took their place.
        disagree = outputs_disagree(out_dir, closed[-1]) if closed else None
        settled = settled_before(out_dir, period)
        opening = reserve_of_year(archive, inputs.rules, period.year)
        result = run_period(
            inputs,
            out_dir,
            period,
            as_of,
            write=False,
            settled=settled,
            closing=today,
            opening_reserve=opening,
        )
        notices = close_notices(period, as_of, today, inputs.log.rows)
        notices += Notices(warnings=(disagree,) if disagree else ())
        result = replace(result, notices=result.notices + notices)
        held = inputs.log.data  # the bytes parsed, if the log kept them
        # Log files taken from the cache were not held; those an earlier close
        # archived are there already, the others are read for the archive.
        unheld = [(f.name, f.sha256) for f in inputs.log.files if f.sha256 not in held]
        archived = {s: size for _, s in unheld if (size := archive.size_of(s)) is not None}
        unarchived = ((name, sha256) for name, sha256 in unheld if sha256 not in archived)
        invoices = inputs.invoices
        read = {
            **_files_as_read(rules_dir, ((f.name, f.sha256) for f in inputs.rules.files)),
            **_files_as_read(inputs_dir / "placements", unarchived),
            **held,
            **(invoices.data if invoices is not None else {}),
        }
        # Each file's bytes have the SHA-256 it was read with: the log's were
        # hashed as they were parsed or taken from the cache, the others by
        # `_files_as_read`.
        sizes = {**archived, **{sha256: len(data) for sha256, data in read.items()}}
        rules, logs = (
            [StoredFile(f.name, f.sha256, sizes[f.sha256]) for f in files]
            for files in (inputs.rules.files, inputs.log.files)
        )
        verdicts = [
            StoredFile(f.name, f.sha256, len(inputs.verdicts.data[f.sha256]))
            for f in inputs.verdicts.files
        ]
        outputs = [stored(name, data) for name, data in sorted(result.files.items())]
        record = ClosedPeriod(
            period=period,
            as_of=as_of,
            closed_on=today,
            fundcalc=__version__,
            rules=tuple(rules),
            inputs=tuple(logs),
            outputs=tuple(outputs),
            basis={str(c.period): c.output(STATEMENT).sha256 for c in settled.closed},
            totals={
                **result.manifest["totals_cents"],
                "corrections": result.manifest["corrections"]["total_cents"],
            },
            software=running_software(),
            seals_before={str(c.period): c.seal for c in settled.closed},
            # A close after `reopen` names the closes it replaces (and differs from them).
            replaces_withdrawn=tuple(
                w.record_sha256 for w in archive.withdrawals() if w.period == period
            ),
            # The verdicts of the eligibility check (§11), when inputs/eligibility/ exists.
            eligibility=tuple(verdicts) if inputs.verdicts.present else None,
            # The reserve the workbook's forecast of the year-end settlement opened with.
            opening_reserve=opening.as_json(),
            # Present when the close read inputs/invoices/ (even an empty one).
            invoices=None
            if invoices is None
            else tuple(
                StoredFile(f.name, f.sha256, len(invoices.data[f.sha256])) for f in invoices.files
            ),
        )
        # The outputs are written and read back before the record is committed, so
        # that a full disk stops the close before anything is closed; after the
        # commit only renames are left. A close killed between the two leaves the
        # month closed with the outputs of before, which `history` and the next
        # `close` see (`closes.outputs_disagree`) and `show` repairs.
        staging = prepare_folder(result.folder, result.files)
        try:
            committed = archive.commit(
                record,
                {
                    **read,
                    **inputs.verdicts.data,
                    **{f.sha256: result.files[f.name] for f in outputs},
                },
                period,
            )
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        try:
            place_folder(staging, result.folder)
        except OSError as error:
            raise OutputError(
                f"{period} is closed (seal {committed.seal}), but its outputs could not be put"
                f" in {result.folder} ({error.strerror}): put them there with"
                f" 'fundcalc show --period {period}'"
            ) from None
    return replace(result, seal=committed.seal)


def _files_as_read(folder: Path, files: Iterable[tuple[str, str]]) -> dict[str, bytes]:
    """The bytes of files the run read, by SHA-256; an error if one changed or went since."""
    found: dict[str, bytes] = {}
    for name, sha256 in files:
        try:
            data = read_regular(folder / name)
        except OSError as error:
            raise ArchiveError(
                f"{folder / name} cannot be read any more ({error.strerror}): it was deleted or"
                " changed while closing; nothing was closed, close again"
            ) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ArchiveError(f"{folder / name} changed while closing; close again")
        found[sha256] = data
    return found


def months_earlier_in_year(rules: Rules, period: Period) -> list[Period]:
    """The months of `period`'s year before it that the rules cover: calculated with
    it, so that the workbook can show the year to date (`figures.year_to_date`)."""
    return [p for p in (Period(period.year, m) for m in range(1, period.month)) if rules.covers(p)]


def render_run(
    inputs: Inputs,
    calculation: Calculation,
    period: Period,
    folder: Path,
    corrections: tuple[StatementRow, ...] = (),
    *,
    extra_findings: pl.DataFrame | None = None,
    standing: Standing | None = None,
    opening_reserve: OpeningReserve | None = None,
    sealed: Sequence[SealedMonth] | None = None,
) -> RunResult:
    """Every output of a run as bytes: the same inputs give the same bytes.

    `sealed`: the closes before it, shown with their seals in the workbook.
    """
    settlement = calculation.settlements[period]
    more = [finding_frame(extra_findings)]
    checks: tuple[InvoiceCheck, ...] | None = None
    if inputs.invoices is not None:
        checks, invoice_findings = check_period(calculation, inputs.invoices.rows, period)
        more += [finding_frame(inputs.invoices.findings), invoice_findings]
    # The findings are found on a thread of their own while the statement, the ledger
    # and the workbook's sheets about money are made: polars finds them without
    # Python's lock, which making sheets needs. What both need of the calculation
    # is computed first, so that neither computes it again.
    calculation.lots_for(period)
    calculation.rejected_days(period)
    found = Background(partial(_findings, calculation, period, more), name="findings")
    files = {
        STATEMENT: render_statement([*settlement.rows(), *corrections]),
        LEDGER: render_ledger(calculation.ledger_for(period)),
    }
    draft = draft_workbook(
        inputs.rules,
        calculation,
        period,
        corrections=corrections,
        standing=standing,
        opening_reserve=opening_reserve,
        eligibility=eligibility_figures(
            calculation, year_to_date_months(calculation, period), inputs.verdicts.rows
        )
        if inputs.verdicts.present
        else None,
        sealed=sealed,
        invoices=checks,
    )
    findings, files[EXCEPTIONS] = found.result()
    if checks is not None:
        files[INVOICES] = render_invoices(CHECK_COLUMNS, (c.values() for c in checks))
    counts = run_counts(calculation, period, findings)
    # The workbook shows the other outputs' hashes; the manifest then hashes the workbook.
    files[REPORT] = finish_workbook(
        draft,
        findings,
        input_files=inputs.log.files,
        counts=counts,
        output_hashes={name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
        invoice_files=None if inputs.invoices is None else inputs.invoices.files,
    )
    manifest = build_manifest(
        inputs,
        calculation=calculation,
        period=period,
        counts=counts,
        files=files,
        corrections=corrections,
        invoices=checks,
    )
    files[MANIFEST] = render_json(manifest)
    return RunResult(
        period,
        calculation.as_of,
        folder,
        calculation,
        settlement,
        findings,
        files,
        manifest,
        corrections,
        invoices=checks,
    )


def _findings(
    calculation: Calculation, period: Period, more: Sequence[pl.DataFrame]
) -> tuple[pl.DataFrame, bytes]:
    """The period's findings with `more` of them (late rows, invoices), in order, and
    exceptions.csv."""
    findings = calculation.findings_for(period)  # sorted: sorted again only with more
    if any(not frame.is_empty() for frame in more):
        findings = sort_findings(pl.concat([findings, *more]))
    return findings, render_findings(findings)


def build_manifest(
    inputs: Inputs,
    *,
    calculation: Calculation,
    period: Period,
    counts: dict[str, Any],
    files: dict[str, bytes],
    corrections: tuple[StatementRow, ...] = (),
    invoices: tuple[InvoiceCheck, ...] | None = None,
) -> dict[str, Any]:
    """manifest.json: what went in, how many rows went where, and the totals.

    With `inputs/invoices/`, `invoices` names its files with their SHA-256 and
    sums up the check (lots per status, invoiced, expected and approved cents).
    """
    settlement = calculation.settlements[period]
    totals = _totals(settlement)
    manifest: dict[str, Any] = {
        "fundcalc": __version__,
        "engine": {"polars": pl.__version__},
        "period": str(period),
        "as_of": calculation.as_of.isoformat(),
        "rules": [{"file": f.name, "sha256": f.sha256} for f in inputs.rules.files],
        "inputs": [
            {"file": f.name, "sha256": f.sha256, "rows": f.rows, "blank_rows": f.blank_rows}
            for f in inputs.log.files
        ],
        **(
            {
                ELIGIBILITY: [
                    {"file": f.name, "sha256": f.sha256, "rows": f.rows}
                    for f in inputs.verdicts.files
                ]
            }
            if inputs.verdicts.present
            else {}
        ),
        "counts": counts,
        "totals_cents": totals,
        "totals_euro": {name: format_cents(value) for name, value in totals.items()},
        "checks": [{"check": name, "holds": holds} for name, holds in settlement.check()],
        "corrections": {
            "rows": len(corrections),
            "total_cents": sum(row.amount_cents for row in corrections),
            "by_period_cents": corrections_by_period(corrections),
        },
        "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    if inputs.invoices is not None and invoices is not None:
        manifest["invoices"] = {
            "files": [
                {"file": f.name, "sha256": f.sha256, "rows": f.rows} for f in inputs.invoices.files
            ],
            **invoice_totals(invoices).as_json(),
        }
    return manifest


def run_counts(calculation: Calculation, period: Period, findings: pl.DataFrame) -> dict[str, Any]:
    """How many rows went where, placements, days per stream in the period's ledger,
    findings (manifest and workbook)."""
    ledger = calculation.ledger_rows_for(period)
    placements = calculation.versions.placements
    rejected = int(placements["reject_reason"].is_not_null().sum())
    days = {
        stream: int(ledger.filter(pl.col("stream") == stream)["days"].sum()) for stream in STREAMS
    }
    return {
        "rows": calculation.versions.counts,
        "placements": {
            "in_force": placements.height,
            "rejected": rejected,
            "usable": placements.height - rejected,
            "in_ledger": ledger["placement_no"].n_unique(),  # a number counts faster than an id
        },
        "days": days,
        "exceptions": findings.filter(pl.col("kind") == EXCEPTION).height,
        "warnings": findings.filter(pl.col("kind") == WARNING).height,
    }


def _totals(settlement: Settlement) -> dict[str, int]:
    by_item = dict.fromkeys(ITEMS, 0)
    for row in settlement.rows():
        by_item[row.item] += row.amount_cents
    return {
        **by_item,
        "budget_part": settlement.budget_part,
        "fund_day_costs": sum(settlement.fund_day_costs.values()),
        "fund_availability": settlement.fund_availability,
        "pool": settlement.pool,
        "justice_day_costs": settlement.justice_day_costs,
        "cosm_availability": settlement.cosm_availability,
    }
