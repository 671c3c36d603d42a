"""Replaying a closed period from its archive alone, and proving it identical (§6).

The rules, log and verdict files the close read are taken from the archive (each
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

from fundcalc import __version__
from fundcalc.app.run import load_inputs, run_period
from fundcalc.archive.corrections import Settled, parse_statement
from fundcalc.archive.store import ARCHIVE, Archive, ClosedPeriod, Withdrawal
from fundcalc.base.period import Period
from fundcalc.core.settlement import OpeningReserve
from fundcalc.report.render import STATEMENT


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
        """The report as text, one line per fact."""
        head = (
            f"{self.record.period} (as of {self.record.as_of}, closed on"
            f" {self.record.closed_on} with fundcalc {self.record.fundcalc})"
        )
        if self.withdrawal is not None:
            head += f", withdrawn on {self.withdrawal.at}: {self.withdrawal.reason}"
        if self.identical:
            return [
                f"{head}: identical",
                *(f"  {name}  identical" for name in self.compared),
            ]
        lines = [f"{head}: DIFFERENT", *(f"  {d}" for d in self.differences)]
        if self.record.fundcalc != __version__:
            lines.append(
                f"  note: closed with fundcalc {self.record.fundcalc}, replayed with {__version__}"
            )
        return lines


def replay(out_dir: Path, period: Period) -> ReplayReport:
    """Rebuild `period` from the archive under `out_dir` and compare every output."""
    archive = Archive(out_dir / ARCHIVE)
    record = archive.get(period)
    earlier = tuple(c for c in archive.closed() if c.period < period)
    return _replay(archive, record, earlier)


def replay_all(out_dir: Path, period: Period) -> tuple[ReplayReport, ...]:
    """Every close of `period`: its withdrawn closes, oldest first, then the close in force."""
    archive = Archive(out_dir / ARCHIVE)
    withdrawals = [w for w in archive.withdrawals() if w.period == period]
    closed = {c.period for c in archive.closed()}
    if not withdrawals and period not in closed:
        archive.get(period)  # the error: not closed
    reports = []
    for withdrawal in withdrawals:
        record = archive.withdrawn_record(withdrawal)
        report = _replay(archive, record, _basis_records(archive, record))
        reports.append(replace_withdrawal(report, withdrawal))
    if period in closed:
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
    differences: list[str] = []
    basis = {str(c.period): c.output(STATEMENT).sha256 for c in earlier}
    if basis != dict(record.basis):
        differences.append(
            "the periods closed before it are not those it was closed against"
            f" (then {sorted(record.basis)}, now {sorted(basis)})"
        )
    statements = {c.period: parse_statement(archive.read(c.output(STATEMENT))) for c in earlier}
    with tempfile.TemporaryDirectory(prefix="fundcalc-replay-") as scratch:
        root = Path(scratch)
        placements = root / "inputs" / "placements"
        folders = [(root / "rules", record.rules), (placements, record.inputs)]
        if record.eligibility is not None:  # the verdicts of the eligibility check (§11)
            folders.append((root / "inputs" / "eligibility", record.eligibility))
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
        )
    archived = {file.name: archive.read(file) for file in record.outputs}
    for name in sorted(set(archived) | set(result.files)):
        if name not in result.files:
            differences.append(f"{name}: archived but not produced by the replay")
        elif name not in archived:
            differences.append(f"{name}: produced by the replay but not archived")
        elif archived[name] != result.files[name]:
            differences.append(f"{name}: differs")
            if name == STATEMENT:
                differences += _statement_differences(archived[name], result.files[name])
    return ReplayReport(record, tuple(sorted(archived)), tuple(differences))


def _statement_differences(archived: bytes, replayed: bytes) -> list[str]:
    then = set(parse_statement(archived))
    now = set(parse_statement(replayed))
    return [
        *(f"    archived only: {','.join(map(str, row))}" for row in sorted(then - now)),
        *(f"    replay only:   {','.join(map(str, row))}" for row in sorted(now - then)),
    ]
