"""Settling a year (`fundcalc settle --year Y`, *jaarafrekening*, §9) and replaying it.

A year is settled from the archive alone: the statements of its twelve months
as they were closed (each checked against its SHA-256), never the log. The
rules say how (the `[[settlement]]` version in force on 1 January, the key in
force on 1 December); the opening reserve is the closing reserve of the year
settled before it, read from that settlement's archived `settlement.csv`, or the
rules' `[fund] opening_reserve` when no year was settled yet.

Settling is refused, before anything is written, when a month of the year is
not closed, when the year was settled before, or when an earlier year with a
closed month is not settled. Like a close, the settlement archives the rules
it read and its outputs, then writes its record (`archive/years/YYYY.json`)
last; its outputs go to OUT/YYYY/. `replay_year` rebuilds the outputs from the
archive alone and compares them byte for byte.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from fundcalc import __version__
from fundcalc.app.files import write_folder
from fundcalc.app.reserve import opening_of, opening_reserve
from fundcalc.archive.corrections import parse_statement
from fundcalc.archive.record import file_differences, running_software, total_differences
from fundcalc.archive.store import ARCHIVE, Archive, ClosedPeriod, SettledYear, stored
from fundcalc.archive.year_record import RENDERED, YEAR_FORMAT, seal_of
from fundcalc.base.money import format_cents
from fundcalc.base.period import Period
from fundcalc.core.allocation import availability
from fundcalc.core.segments import JUSTICE
from fundcalc.core.settlement import (
    FUND_ITEMS,
    OpeningReserve,
    YearSettlement,
    settle_year,
)
from fundcalc.errors import ArchiveError
from fundcalc.inputs.rules import Rules
from fundcalc.inputs.rulescache import CACHE as RULES_CACHE
from fundcalc.inputs.rulescache import RulesCache, load_rules
from fundcalc.report.render import (
    LEDGER,
    MANIFEST,
    SETTLEMENT_CSV,
    SETTLEMENT_XLSX,
    STATEMENT,
    render_json,
    render_settlement_csv,
)
from fundcalc.report.workbook.settlement import (
    JusticeLot,
    YearSources,
    opening_in_dutch,
    render_settlement_book,
)


@dataclass(frozen=True)
class SettleResult:
    """A settled (or replayed) year: its figures, its outputs, where they were written."""

    settlement: YearSettlement
    files: dict[str, bytes]
    manifest: dict[str, Any]
    folder: Path
    names: Mapping[str, str]
    record: SettledYear | None = None
    #: Who joined and who left the fund by the key (`Rules.membership_changes`).
    notices: tuple[str, ...] = ()
    #: The settlement the opening reserve came from (None: from the rules).
    opened_from: SettledYear | None = None


def months_of(year: int) -> list[Period]:
    """January to December of `year`."""
    return [Period(year, month) for month in range(1, 13)]


def settle(rules_dir: Path, out_dir: Path, year: int, *, today: date) -> SettleResult:
    """Settle `year` from its twelve archived statements; archive it; write OUT/YYYY/.

    The record is sealed (`year_record`): its seal covers every field but the
    files that show it, `settlement.xlsx` and `manifest.json`, rendered after it.
    Rules validated unchanged by an earlier command are taken from OUT/.cache/.
    """
    kept = RulesCache(out_dir / RULES_CACHE)
    rules = load_rules(rules_dir, kept)
    archive = Archive(out_dir / ARCHIVE)
    with archive.lock():
        records = _closes_of(archive, year)
        opening = opening_reserve(archive, rules, year)
        rules_bytes = _rules_as_read(rules_dir, rules)
        draft = figures(archive, rules, year, records, opening)
        rules_files = [stored(f.name, rules_bytes[f.sha256]) for f in rules.files]
        csv = stored(SETTLEMENT_CSV, draft.csv)
        record: dict[str, Any] = {
            "format": YEAR_FORMAT,
            "year": year,
            "settled_on": today.isoformat(),
            "fundcalc": __version__,
            "software": running_software().as_json(),
            "rules": [f.as_json() for f in rules_files],
            "closes": {str(c.period): c.seal for c in records},
            "statements": {str(c.period): c.output(STATEMENT).sha256 for c in records},
            "opening_reserve": opening.as_json(),
            "outputs": [csv.as_json()],
            "totals_cents": dict(zip(FUND_ITEMS, draft.settlement.fund_amounts(), strict=True)),
        }
        seal = seal_of(record)
        result = rendered(draft, rules, records, opening, folder=out_dir / str(year), seal=seal)
        shown = [stored(name, result.files[name]) for name in (MANIFEST, SETTLEMENT_XLSX)]
        record[RENDERED] = [f.as_json() for f in shown]
        files = {
            **rules_bytes,
            csv.sha256: draft.csv,
            **{f.sha256: result.files[f.name] for f in shown},
        }
        settled = archive.commit_year(record, files, year)
        write_folder(result.folder, result.files)
        before = [s for s in archive.settled_years(verify=False) if s.year == opening.year]
    kept.save()
    return replace(
        result,
        record=settled,
        notices=rules.membership_changes(),
        opened_from=before[0] if before else None,
    )


def _closes_of(archive: Archive, year: int) -> list[ClosedPeriod]:
    """The closes of the twelve months of `year`, after every refusal of §9."""
    settled = {s.year for s in archive.settled_years()}
    if year in settled:
        raise ArchiveError(
            f"{year} is already settled; a settled year is never settled again"
            f" (fundcalc replay --year {year} proves it)"
        )
    closed = {c.period: c for c in archive.closed()}
    unsettled = sorted({p.year for p in closed if p.year < year} - settled)
    if unsettled:
        first = unsettled[0]
        raise ArchiveError(
            f"{first} has closed months but is not settled: settle {first} first"
            f" (fundcalc settle --year {first})"
        )
    missing = [p for p in months_of(year) if p not in closed]
    if missing:
        names = ", ".join(map(str, missing))
        verb = "is" if len(missing) == 1 else "are"
        last = max(closed, default=None)
        if last is not None and missing[0] < last:
            raise ArchiveError(
                f"{year} cannot be settled: {names} {verb} not closed, and {missing[0]} can no"
                f" longer be (months close in order; {last} is closed): a year is settled in an"
                " archive that closed all its twelve months"
            )
        raise ArchiveError(
            f"{year} cannot be settled: {names} {verb} not closed; close every month of"
            f" {year} first (fundcalc close --period {missing[0]})"
        )
    return [closed[p] for p in months_of(year)]


def _rules_as_read(rules_dir: Path, rules: Rules) -> dict[str, bytes]:
    """The bytes of the rules files, by SHA-256; an error when one changed since it was read."""
    found: dict[str, bytes] = {}
    for file in rules.files:
        data = (rules_dir / file.name).read_bytes()
        if hashlib.sha256(data).hexdigest() != file.sha256:
            raise ArchiveError(f"{rules_dir / file.name} changed while settling; settle again")
        found[file.sha256] = data
    return found


@dataclass(frozen=True)
class Draft:
    """A year settled, before the files that show its seal: the figures, `settlement.csv`
    and what the workbook shows besides them."""

    settlement: YearSettlement
    csv: bytes
    sources: YearSources


def figures(
    archive: Archive,
    rules: Rules,
    year: int,
    records: Sequence[ClosedPeriod],
    opening: OpeningReserve,
) -> Draft:
    """The settlement of `year` and its `settlement.csv`, from archived files only."""
    statements = {c.period: parse_statement(archive.read(c.output(STATEMENT))) for c in records}
    settlement = settle_year(
        year,
        (row for rows in statements.values() for row in rows),
        key=rules.key_for(Period(year, 12)),
        terms=rules.settlement_for(year),
        opening_reserve=opening.cents,
    )
    csv = render_settlement_csv(settlement.rows())
    sources = YearSources(
        fund=rules.fund_name,
        year=year,
        budget=rules.budget_for(year) if year in rules.budgets else None,
        statements=statements,
        month_totals={c.period: c.totals for c in records},
        as_of={c.period: c.as_of for c in records},
        justice_lots=_justice_lots(archive, rules, records),
        names=rules.municipalities.names(),
        closes=tuple(
            (str(c.period), c.as_of, c.output(STATEMENT).sha256, c.record_sha256) for c in records
        ),
        rules_files=tuple((f.name, f.sha256) for f in rules.files),
        opening_from=opening_in_dutch(opening),
        output_hashes={SETTLEMENT_CSV: hashlib.sha256(csv).hexdigest()},
    )
    return Draft(settlement, csv, sources)


def rendered(
    draft: Draft,
    rules: Rules,
    records: Sequence[ClosedPeriod],
    opening: OpeningReserve,
    *,
    folder: Path,
    seal: str | None,
) -> SettleResult:
    """The settlement's outputs: `settlement.csv`, and the workbook and manifest that show
    its `seal` (None: a settlement of format 1, made before seals, rendered as it was)."""
    files = {SETTLEMENT_CSV: draft.csv}
    sources = replace(draft.sources, seal=seal)
    files[SETTLEMENT_XLSX] = render_settlement_book(sources, draft.settlement)
    manifest = _manifest(rules, draft.settlement, records, opening, files, seal=seal)
    files[MANIFEST] = render_json(manifest)
    return SettleResult(draft.settlement, files, manifest, folder, sources.names)


def _justice_lots(
    archive: Archive, rules: Rules, records: Sequence[ClosedPeriod]
) -> tuple[JusticeLot, ...]:
    """Per COSM lot: the year's days and day costs in the reflection period, from the
    archived ledgers of the twelve months, and its availability by the rules."""
    frames = [
        pl.read_parquet(
            io.BytesIO(archive.read(record.output(LEDGER))),
            columns=["lot_id", "stream", "days", "amount_cents"],
        )
        for record in records
        if LEDGER in {f.name for f in record.outputs}
    ]
    sums: dict[str, tuple[int, int]] = {}
    if frames:
        grouped = (
            pl.concat(frames)
            .lazy()
            .filter(pl.col("stream") == JUSTICE)
            .group_by("lot_id")
            .agg(pl.col("days").sum(), pl.col("amount_cents").sum())
            .collect()
        )
        sums = {
            row["lot_id"]: (int(row["days"]), int(row["amount_cents"]))
            for row in grouped.iter_rows(named=True)
        }
    lots = []
    for lot_id in sorted({*sums, *(lot.id for lot in rules.lots.values() if lot.is_cosm)}):
        lot = rules.lots.get(lot_id)
        available = (
            sum(availability(lot, r.period).amount_cents for r in records)
            if lot is not None and lot.is_cosm
            else 0
        )
        days, cents = sums.get(lot_id, (0, 0))
        provider = lot.provider if lot is not None else ""
        lots.append(JusticeLot(lot_id, provider, days, cents, available))
    return tuple(lots)


def _manifest(
    rules: Rules,
    settlement: YearSettlement,
    records: Sequence[ClosedPeriod],
    opening: OpeningReserve,
    files: Mapping[str, bytes],
    *,
    seal: str | None,
) -> dict[str, Any]:
    """manifest.json of a settlement: what it read, how it settled, the totals, the checks,
    and the seal of its record."""
    totals = dict(zip(FUND_ITEMS, settlement.fund_amounts(), strict=True))
    sealed = {} if seal is None else {"seal": seal}
    return {
        **sealed,
        "fundcalc": __version__,
        "year": settlement.year,
        "method": settlement.method,
        "reserve_cap_cents": settlement.reserve_cap,
        "key_valid_from": settlement.key.valid_from.isoformat(),
        "opening_reserve": opening.as_json(),
        "rules": [{"file": f.name, "sha256": f.sha256} for f in rules.files],
        "statements": [
            {
                "period": str(c.period),
                "as_of": c.as_of.isoformat(),
                "sha256": c.output(STATEMENT).sha256,
            }
            for c in records
        ],
        "members": len(settlement.members),
        "totals_cents": totals,
        "totals_euro": {name: format_cents(value) for name, value in totals.items()},
        "checks": [{"check": name, "holds": holds} for name, holds in settlement.check()],
        "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }


@dataclass(frozen=True)
class YearReplay:
    """What a replay of a settled year found: nothing (identical) or the differences."""

    record: SettledYear
    compared: tuple[str, ...]
    differences: tuple[str, ...]

    @property
    def identical(self) -> bool:
        return not self.differences

    def lines(self) -> list[str]:
        """The report as text, one line per fact: first the software then and now."""
        year = str(self.record.year)
        software = [
            f"{year} settled with {self.record.settled_with()}",
            f"{' ' * len(year)} replayed with {running_software().describe()}",
        ]
        sealed = f"seal {self.record.seal}" if self.record.seal else "no seal: format 1"
        head = f"{year} (settled on {self.record.settled_on}, {sealed})"
        note = [f"  note: {why}"] if (why := self.record.unsealed()) else []
        if self.identical:
            return [
                *software,
                f"{head}: identical",
                *(f"  {name}  identical" for name in self.compared),
                *note,
            ]
        lines = [*software, f"{head}: DIFFERENT", *(f"  {d}" for d in self.differences), *note]
        if self.record.software is not None and (
            changed := self.record.software.differences(running_software())
        ):
            lines.append(
                f"  note: the software differs ({', '.join(changed)}): a difference may come"
                " from the code, not from the archive"
            )
        elif self.record.software is None and self.record.fundcalc != __version__:
            lines.append(
                f"  note: settled with fundcalc {self.record.fundcalc}, replayed with {__version__}"
            )
        return lines


def replay_year(out_dir: Path, year: int, seal: str | None = None) -> YearReplay:
    """Rebuild the settlement of `year` from the archive alone and compare every output.

    What the settlement records and the closes say of each other (a record
    changed, a month reopened or changed after the year was settled) is said in
    words first. With `seal`, the record must be the one with that seal.
    """
    archive = Archive(out_dir / ARCHIVE)
    archive.get_year(year, verify=False)  # the error when it is not settled
    years = archive.settled_years(verify=False)
    record = next(s for s in years if s.year == year)
    if seal is not None and record.seal != seal.lower():
        now = f"its seal is now {record.seal}" if record.seal else "it has no seal (format 1)"
        raise ArchiveError(
            f"the settlement record of {year} is not the one sealed {seal.lower()}: {now},"
            " so it was changed (or made again) after that seal was given"
        )
    differences = archive.year_breaks(years)
    closed = {str(c.period): c for c in archive.closed(verify=False)}
    records = []
    for period in map(str, months_of(year)):
        close = closed.get(period)
        same = close is not None and close.output(STATEMENT).sha256 == record.statements.get(period)
        if close is None or not same:
            differences.append(f"{period}: its close is not the one the settlement read")
        else:
            records.append(close)
    if differences:  # the record, or a month it rests on, is not what was settled
        return YearReplay(record, (), tuple(dict.fromkeys(differences)))
    opening = _replayed_opening(archive, record)
    with tempfile.TemporaryDirectory(prefix="fundcalc-replay-") as scratch:
        folder = Path(scratch)
        for file in record.rules:
            (folder / file.name).write_bytes(archive.read(file))
        rules = load_rules(folder)
    draft = figures(archive, rules, year, records, opening)
    result = rendered(draft, rules, records, opening, folder=out_dir / str(year), seal=record.seal)
    totals = dict(zip(FUND_ITEMS, draft.settlement.fund_amounts(), strict=True))
    differences += total_differences(record.totals, totals)
    archived = {file.name: archive.read(file) for file in record.files}
    differences += file_differences(archived, result.files)
    return YearReplay(record, tuple(sorted(archived)), tuple(dict.fromkeys(differences)))


def _replayed_opening(archive: Archive, record: SettledYear) -> OpeningReserve:
    """The opening reserve as the record says it was taken, checked against the archive."""
    recorded = OpeningReserve.from_json(dict(record.opening))
    if recorded.year is None:
        return recorded
    before = archive.get_year(recorded.year, verify=False)
    if before.record_sha256 != recorded.record_sha256:
        raise ArchiveError(
            f"archive: the settlement of {before.year} is not the one {record.year} opened from"
        )
    return opening_of(archive, before)
