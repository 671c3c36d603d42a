"""Replaying a closed period from its archive alone, and proving it identical (§6).

The rules, log, verdict and invoice files the close read are taken from the archive (each
checked against its SHA-256), as are the statements of the periods closed
before it that fed its corrections. The period is calculated again as of its
as-of date and every output is compared, byte for byte, with the archived one.
A close withdrawn by `reopen` is replayed too, against the closes its record
names as its basis (found among the closes and the withdrawn closes).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from fundcalc.app.load import load_inputs
from fundcalc.app.run import run_period
from fundcalc.archive.corrections import Settled, parse_statement
from fundcalc.archive.record import file_differences, running_software, total_differences
from fundcalc.archive.store import ARCHIVE, Archive, ClosedPeriod, Withdrawal
from fundcalc.base.period import Period
from fundcalc.core.settlement import OpeningReserve
from fundcalc.errors import ArchiveError
from fundcalc.inputs.invoices import FOLDER as INVOICES_FOLDER
from fundcalc.inputs.rules import ARRANGEMENT_FILE, MUNICIPALITIES_FILE
from fundcalc.report.render import STATEMENT

#: The rules files a close archives and a replay cannot do without.
RULES_FILES = (ARRANGEMENT_FILE, MUNICIPALITIES_FILE)


@dataclass(frozen=True)
class ReplayReport:
    """What a replay found: nothing (identical) or the differences."""

    record: ClosedPeriod
    compared: tuple[str, ...]
    differences: tuple[str, ...]
    withdrawal: Withdrawal | None = None

    @property
    def identical(self) -> bool:
        return not self.differences

    def lines(self) -> list[str]:
        """The report as text, one line per fact: first the software then and now."""
        software = [
            f"{self.record.period} closed with {self.record.closed_with()}",
            f"{' ' * len(str(self.record.period))} replayed with {running_software().describe()}",
        ]
        head = (
            f"{self.record.period} (as of {self.record.as_of}, closed on"
            f" {self.record.closed_on}, seal {self.record.seal})"
        )
        if self.withdrawal is not None:
            head += f", withdrawn on {self.withdrawal.at}: {self.withdrawal.reason}"
        if self.identical:
            return [
                *software,
                f"{head}: identical",
                *(f"  {name}  identical" for name in self.compared),
            ]
        lines = [*software, f"{head}: DIFFERENT", *(f"  {d}" for d in self.differences)]
        if changed := self.software_changes():
            lines.append(
                f"  note: the software differs ({', '.join(changed)}): a difference may come"
                " from the code, not from the archive"
            )
        return lines

    def software_changes(self) -> list[str]:
        """What differs between the software that closed it and the one replaying it."""
        now = running_software()
        if self.record.software is None:
            then = self.record.fundcalc
            return [] if then == now.fundcalc else [f"fundcalc {then} -> {now.fundcalc}"]
        return self.record.software.differences(now)


def replay(out_dir: Path, period: Period, seal: str | None = None) -> ReplayReport:
    """Rebuild `period` from the archive under `out_dir` and compare every output.

    With `seal`, the record must be the one with that seal (the SHA-256 an
    auditor was given); its `seals_before` then prove every earlier record.
    """
    archive = Archive(out_dir / ARCHIVE)
    record = archive.get(period)
    if seal is not None and record.seal != seal.lower():
        raise ArchiveError(
            f"the record of {period} is not the one sealed {seal.lower()}: its seal is now"
            f" {record.seal}, so it was changed (or closed again) after that seal was given"
        )
    earlier = tuple(c for c in archive.closed() if c.period < period)
    return _replay(archive, record, earlier)


def replay_all(out_dir: Path, period: Period, seal: str | None = None) -> tuple[ReplayReport, ...]:
    """Every close of `period`: its withdrawn closes, oldest first, then the close in force.

    With `seal`, only the close with that seal (in force or withdrawn); an
    ArchiveError when there is none: its record was changed after the seal was given.
    """
    archive = Archive(out_dir / ARCHIVE)
    withdrawals = [w for w in archive.withdrawals() if w.period == period]
    closed = {c.period for c in archive.closed()}
    if not withdrawals and period not in closed:
        archive.get(period)  # the error: not closed
    if seal is not None:
        seal = seal.lower()
        withdrawals = [w for w in withdrawals if w.record_sha256 == seal]
        if not withdrawals:
            return (replay(out_dir, period, seal),)
    reports = []
    for withdrawal in withdrawals:
        record = archive.withdrawn_record(withdrawal)
        report = _replay(archive, record, _basis_records(archive, record))
        reports.append(replace_withdrawal(report, withdrawal))
    if period in closed and seal is None:
        reports.append(replay(out_dir, period))
    return tuple(reports)


def replace_withdrawal(report: ReplayReport, withdrawal: Withdrawal) -> ReplayReport:
    return ReplayReport(report.record, report.compared, report.differences, withdrawal)


def _basis_records(archive: Archive, record: ClosedPeriod) -> tuple[ClosedPeriod, ...]:
    """The closes a (withdrawn) record was closed against, in force or withdrawn since."""
    candidates = [*archive.closed(), *map(archive.withdrawn_record, archive.withdrawals())]
    found = {
        str(c.period): c
        for c in candidates
        if record.basis.get(str(c.period)) == c.output(STATEMENT).sha256
    }
    return tuple(found[p] for p in sorted(found))


def _replay(
    archive: Archive, record: ClosedPeriod, earlier: tuple[ClosedPeriod, ...]
) -> ReplayReport:
    period = record.period
    missing = [n for n in RULES_FILES if n not in {f.name for f in record.rules}]
    if missing:
        raise ArchiveError(
            f"the record of {period} names no {' and no '.join(missing)} among the rules it"
            " archived: the record has been changed"
        )
    differences: list[str] = []
    basis = {str(c.period): c.output(STATEMENT).sha256 for c in earlier}
    differences += _basis_differences(dict(record.basis), basis)
    statements = {c.period: parse_statement(archive.read(c.output(STATEMENT))) for c in earlier}
    with tempfile.TemporaryDirectory(prefix="fundcalc-replay-") as scratch:
        root = Path(scratch)
        placements = root / "inputs" / "placements"
        folders = [(root / "rules", record.rules), (placements, record.inputs)]
        if record.eligibility is not None:  # the verdicts of the eligibility check (§11)
            folders.append((root / "inputs" / "eligibility", record.eligibility))
        if record.invoices is not None:  # the close read inputs/invoices/, maybe empty
            folders.append((root / "inputs" / INVOICES_FOLDER, record.invoices))
        for folder, files in folders:
            folder.mkdir(parents=True, exist_ok=True)
            for file in files:
                # A name is a plain file name (checked as the record was read), and
                # never written twice: the scratch folder is replay's own.
                with open(folder / file.name, "xb") as stream:
                    stream.write(archive.read(file))
        inputs = load_inputs(root / "rules", root / "inputs")
        result = run_period(
            inputs,
            root / "out",
            period,
            record.as_of,
            write=False,
            settled=Settled(earlier, statements),
            closing=record.closed_on,
            opening_reserve=None
            if record.opening_reserve is None
            else OpeningReserve.from_json(dict(record.opening_reserve)),
            software=record.software,
            legacy=record.software is None,
        )
    totals = {
        **result.manifest["totals_cents"],
        "corrections": result.manifest["corrections"]["total_cents"],
    }
    differences += total_differences(record.totals, totals)
    archived = {file.name: archive.read(file) for file in record.outputs}
    differences += file_differences(archived, result.files, _explained)
    return ReplayReport(record, tuple(sorted(archived)), tuple(differences))


def _explained(name: str, then: bytes, now: bytes) -> list[str]:
    """What a statement that differs differs in; other files only differ."""
    return _statement_differences(then, now) if name == STATEMENT else []


def _basis_differences(then: dict[str, str], now: dict[str, str]) -> list[str]:
    """The statements closed before a month, then and now, compared in words."""
    differences = []
    for month in sorted(set(now) | set(then)):
        if month not in now:
            differences.append(f"{month} was closed before it, but is not closed now")
        elif month not in then:
            differences.append(f"{month} is closed now, but was not when it was closed")
        elif now[month] != then[month]:
            differences.append(f"{month}'s statement is not the one it was closed against")
    return differences


def _statement_differences(archived: bytes, replayed: bytes) -> list[str]:
    then = set(parse_statement(archived))
    now = set(parse_statement(replayed))
    return [
        *(f"    archived only: {','.join(map(str, row))}" for row in sorted(then - now)),
        *(f"    replay only:   {','.join(map(str, row))}" for row in sorted(now - then)),
    ]
