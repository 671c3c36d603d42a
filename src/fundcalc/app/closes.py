"""Undoing a close and putting a closed month's outputs back (`reopen`, `show`).

A wrong close will happen. `reopen` withdraws the **last** close only (an
earlier one fed the corrections of the closes after it): its record stays in
the archive, marked withdrawn with the reason, who and when, and the month
can be closed again. `show` writes a closed month's outputs from the archive
back into OUT/YYYY-MM/ (after someone ran over them with an old fundcalc, or
deleted them), each checked against its SHA-256.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fundcalc.app.files import write_folder
from fundcalc.archive.store import ARCHIVE, Archive, ClosedPeriod, Withdrawal
from fundcalc.base.disk import sha256_of
from fundcalc.base.period import Period
from fundcalc.errors import ArchiveError, UsageError


def reopen(out_dir: Path, period: Period, reason: str) -> Withdrawal:
    """Withdraw the close of `period`, the last one closed; refuse any other."""
    if not reason.strip():
        raise UsageError("give the reason for reopening with --reason")
    archive = Archive(out_dir / ARCHIVE)
    with archive.lock():
        closed = archive.closed()
        if not closed:
            raise ArchiveError(f"no month is closed in {archive.root}: nothing to reopen")
        last = closed[-1].period
        if period.year in {s.year for s in archive.settled_years()}:
            raise ArchiveError(
                f"{period} belongs to {period.year}, which is settled (jaarafrekening): the"
                f" months of a settled year are never reopened; a late record for {period} is"
                " booked as a correction in a later month"
            )
        if period != last:
            if any(c.period == period for c in closed):
                raise ArchiveError(
                    f"only the last closed month can be reopened: {last} was closed after"
                    f" {period} (reopen {last} first)"
                )
            raise ArchiveError(f"{period} is not closed; the last closed month is {last}")
        return archive.withdraw(period, reason=reason.strip(), by=_who(), at=_now())


@dataclass(frozen=True)
class Shown:
    """The outputs `show` put back, and the close they came from."""

    record: ClosedPeriod
    folder: Path
    files: tuple[str, ...]


def show(out_dir: Path, period: Period) -> Shown:
    """Write the closed outputs of `period` from the archive into OUT/YYYY-MM/."""
    archive = Archive(out_dir / ARCHIVE)
    record = archive.get(period)
    files = {file.name: archive.read(file) for file in record.outputs}
    folder = out_dir / str(period)
    write_folder(folder, files)
    return Shown(record, folder, tuple(sorted(files)))


def outputs_disagree(out_dir: Path, record: ClosedPeriod) -> str | None:
    """What is wrong with OUT/YYYY-MM/ of a closed month, with the repair; None when it
    holds exactly what the close wrote.

    A close killed after its record was committed and before its outputs took
    their place (or a folder changed by hand since) leaves the month closed in
    the archive with other files in its folder.
    """
    folder = out_dir / str(record.period)
    problems = []
    present = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    for file in record.outputs:
        path = folder / file.name
        if file.name not in present:
            problems.append(f"{file.name} is missing")
            continue
        try:
            same = path.stat().st_size == file.size and _sha256(path) == file.sha256
        except OSError:
            same = False
        if not same:
            problems.append(f"{file.name} differs")
    if not problems:
        return None
    return (
        f"{folder} does not hold what the close of {record.period} wrote"
        f" ({', '.join(problems)}): put it back with 'fundcalc show --period {record.period}'"
    )


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return sha256_of(stream)


def _who() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name on this machine (a container)
        return "unknown user"


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
