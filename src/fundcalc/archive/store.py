"""The archive of closed periods (`OUT/archive/`): what each close used and produced.

    archive/
      LOCK                       held by the one close that may write
      objects/ab/abcdef…         every file, named by its SHA-256 (stored once)
      periods/2026-10.json       the record of the close of 2026-10
      withdrawn/2026-10.1.json   a close of 2026-10 withdrawn by `reopen` (why, who, when)
      years/2025.json            the record of the settlement of 2025 (*jaarafrekening*)

A record names every rules file, log file and output of the close by name and
SHA-256, with the as-of date, the day it was closed and the fundcalc version.
Objects are written first; the record is written to a temporary file and
renamed into place last, so a close that is killed leaves the archive as it
was (at most with objects nothing refers to) or fully closed. Every object is
checked against its SHA-256 whenever it is read: a tampered file is an error,
never used.

A settlement record (`years/YYYY.json`, `year_record.SettledYear`) is written
the same way: the rules it read, the seals of the twelve closes it settled and
their statements, where its opening reserve came from, its outputs, the day and
the software; it is sealed like a close record. A settled year is never settled
again, and its months are never reopened.

A close is never deleted. `withdraw` (the command `reopen`) stores the
record's bytes as an object like any other file, writes a note naming it
(its SHA-256, the reason, who and when, as text) and only then removes the
record from `periods/`: the month is open again, and the withdrawn close can
still be read and replayed. A record a note names is no longer closed, even
if a withdrawal was interrupted before the record was removed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fundcalc.archive.record import (
    ClosedPeriod,
    StoredFile,
    chain_breaks,
    not_sha256,
    record_bytes,
    stored,
)
from fundcalc.archive.year_record import SettledYear, parse_year, year_breaks
from fundcalc.base.atomic import replace_file, sync_folder
from fundcalc.base.disk import cannot_write
from fundcalc.base.period import Period
from fundcalc.errors import ArchiveError

#: The manifest of a settlement: it shows the settlement's seal.
MANIFEST = "manifest.json"

__all__ = [
    "ARCHIVE",
    "Archive",
    "ClosedPeriod",
    "SettledYear",
    "StoredFile",
    "Withdrawal",
    "broken",
    "stored",
]

ARCHIVE = "archive"
WITHDRAWN = "withdrawn"
YEARS = "years"


@dataclass(frozen=True)
class Withdrawal:
    """A close withdrawn by `fundcalc reopen` (*heropend*): which record, why, by whom, when.

    `by` and `at` are recorded as text (the user name and the local time of
    the machine that withdrew it), for the auditor to read, not to compute on.
    """

    period: Period
    number: int
    record_sha256: str
    reason: str
    by: str
    at: str

    def as_json(self) -> dict[str, Any]:
        return {
            "period": str(self.period),
            "number": self.number,
            "record_sha256": self.record_sha256,
            "reason": self.reason,
            "withdrawn_by": self.by,
            "withdrawn_at": self.at,
        }


def broken(root: Path, breaks: Sequence[str]) -> str:
    """The message of an archive whose records disagree, with what to do."""
    return (
        f"the archive {root} has been tampered with: {'; '.join(breaks)}. Put the record back"
        " from a backup and check it with 'fundcalc replay --seal' against the seal you were"
        " given"
    )


class Archive:
    """The archive under `root` (normally `OUT/archive`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def _periods(self) -> Path:
        return self.root / "periods"

    def _object(self, sha256: str) -> Path:
        return self.root / "objects" / sha256[:2] / sha256

    def size_of(self, sha256: str) -> int | None:
        """The size of the object stored under `sha256`, None if there is none.

        A file an earlier close archived is not read again to be archived once
        more (`commit` stores each object once); a replay checks it.
        """
        try:
            return self._object(sha256).stat().st_size
        except OSError:
            return None

    def closed(self, *, verify: bool = True) -> list[ClosedPeriod]:
        """Every closed period, oldest first (withdrawn closes left out).

        The records are checked against each other (`chain_breaks`): a record
        changed, deleted or added after a later close is an ArchiveError that
        says which, unless `verify` is false (`history` lists them and says it).
        """
        if not self._periods.is_dir():
            return []
        records = sorted(p for p in self._periods.glob("*.json") if not p.name.startswith("."))
        gone = {w.record_sha256 for w in self.withdrawals()}
        closed = [r for r in map(self._record, records) if r.record_sha256 not in gone]
        if verify and (breaks := chain_breaks(closed)):
            raise ArchiveError(broken(self.root, breaks))
        return closed

    def get(self, period: Period) -> ClosedPeriod:
        """The record of a closed period (the chain of records checked); an error when
        it is not closed."""
        for record in self.closed():
            if record.period == period:
                return record
        raise ArchiveError(f"{period} is not closed (no {self._periods / f'{period}.json'})")

    def withdrawals(self) -> list[Withdrawal]:
        """Every withdrawn close, by period and then in the order they were withdrawn."""
        folder = self.root / WITHDRAWN
        if not folder.is_dir():
            return []
        notes = []
        for path in folder.glob("*.json"):
            if path.name.startswith("."):
                continue
            try:
                raw = json.loads(path.read_bytes())
                if not_sha256(raw["record_sha256"]):
                    raise ValueError("record_sha256 is not 64 hexadecimal digits")
                notes.append(
                    Withdrawal(
                        Period.parse(raw["period"]),
                        int(raw["number"]),
                        raw["record_sha256"],
                        raw["reason"],
                        raw["withdrawn_by"],
                        raw["withdrawn_at"],
                    )
                )
            except (ValueError, KeyError, TypeError) as error:
                raise ArchiveError(f"{path}: not a readable withdrawal ({error})") from None
        return sorted(notes, key=lambda w: (w.period, w.number))

    def withdrawn_record(self, withdrawal: Withdrawal) -> ClosedPeriod:
        """The record of a withdrawn close, read from its object (checked)."""
        name = f"{withdrawal.period}.json"
        data = self.read(StoredFile(name, withdrawal.record_sha256, -1))
        return self._parse(data, self._object(withdrawal.record_sha256))

    def withdraw(self, period: Period, *, reason: str, by: str, at: str) -> Withdrawal:
        """Withdraw the close of `period`: keep its record as an object, note why, reopen it.

        The caller holds the lock and has checked that `period` is the last close.
        """
        record = self.get(period)
        path = self._periods / f"{period}.json"
        self._put(record.record_sha256, path.read_bytes())
        folder = self.root / WITHDRAWN
        folder.mkdir(parents=True, exist_ok=True)
        number = 1 + sum(1 for w in self.withdrawals() if w.period == period)
        note = Withdrawal(period, number, record.record_sha256, reason, by, at)
        replace_file(folder / f"{period}.{number}.json", record_bytes(note.as_json()))
        sync_folder(folder)
        path.unlink()
        sync_folder(self._periods)
        return note

    @property
    def _years(self) -> Path:
        return self.root / YEARS

    def settled_years(self, *, verify: bool = True) -> list[SettledYear]:
        """Every settled year, oldest first.

        The settlement records are checked against the closes they rest on, the
        settlements and closes that opened from them and the seal their
        `manifest.json` shows (`year_breaks`): a record changed, or a month
        reopened or changed after its year was settled, is an ArchiveError
        saying which, unless `verify` is false (`history` and `replay` say it).
        """
        if not self._years.is_dir():
            return []
        paths = sorted(p for p in self._years.glob("*.json") if not p.name.startswith("."))
        years = [self._year_record(p) for p in paths]
        if verify and (breaks := self.year_breaks(years)):
            raise ArchiveError(broken(self.root, breaks))
        return years

    def year_breaks(self, years: Sequence[SettledYear]) -> list[str]:
        """What the settlement records `years`, the closes and the archived files that show
        a seal say of each other, in words (`year_record.year_breaks`)."""
        if not years:
            return []
        reopened = {w.record_sha256: str(w.period) for w in self.withdrawals()}
        return year_breaks(years, self.closed(verify=False), reopened, self._seal_shown)

    def _seal_shown(self, settled: SettledYear) -> str | None:
        """The seal the archived `manifest.json` of a settlement shows; None when it cannot
        be read as it was made."""
        try:
            shown = json.loads(self.read(settled.output(MANIFEST)))["seal"]
        except (ArchiveError, ValueError, KeyError, TypeError):
            return None
        return shown if isinstance(shown, str) else None

    def get_year(self, year: int, *, verify: bool = True) -> SettledYear:
        """The record of a settled year (checked as `settled_years` checks it); an error
        when it is not settled."""
        path = self._years / f"{year}.json"
        if not path.is_file():
            raise ArchiveError(
                f"{year} is not settled (no {path}); settle it with fundcalc settle --year {year}"
            )
        for settled in self.settled_years(verify=verify):
            if settled.year == year:
                return settled
        raise AssertionError(path)  # pragma: no cover - the file is there

    def commit_year(
        self, record: Mapping[str, Any], files: Mapping[str, bytes], year: int
    ) -> SettledYear:
        """Store `files` (by SHA-256) and then the settlement's record, by a rename."""
        for sha256, data in files.items():
            self._put(sha256, data)
        self._years.mkdir(parents=True, exist_ok=True)
        target = self._years / f"{year}.json"
        if target.exists():
            raise ArchiveError(f"{year} is already settled; a settled year is never settled again")
        replace_file(target, record_bytes(record))
        sync_folder(self._years)
        return self._year_record(target)

    def _year_record(self, path: Path) -> SettledYear:
        settled = parse_year(path.read_bytes(), str(path))
        if path.name != f"{settled.year}.json":
            raise ArchiveError(
                f"{path}: holds the settlement record of {settled.year}, not of {path.stem};"
                " the record has been changed"
            )
        return settled

    def _record(self, path: Path) -> ClosedPeriod:
        record = self._parse(path.read_bytes(), path)
        if path.name != f"{record.period}.json":
            raise ArchiveError(
                f"{path}: holds the record of {record.period}, not of {path.stem};"
                " the record has been changed"
            )
        return record

    def _parse(self, data: bytes, path: Path) -> ClosedPeriod:
        return ClosedPeriod.from_json(data, str(path))

    def read(self, file: StoredFile) -> bytes:
        """The bytes of an archived file, checked against its SHA-256."""
        path = self._object(file.sha256)
        try:
            data = path.read_bytes()
        except OSError:
            raise ArchiveError(f"archive: {file.name} ({path}) is missing") from None
        if hashlib.sha256(data).hexdigest() != file.sha256:
            raise ArchiveError(
                f"archive: {file.name} ({path}) has been changed: its SHA-256 no longer matches"
            )
        if file.size >= 0 and len(data) != file.size:
            raise ArchiveError(
                f"archive: the record says {file.name} has {file.size} bytes, its object has"
                f" {len(data)}: the record has been changed"
            )
        return data

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the archive's lock: one close at a time, a second one is refused.

        An archive that cannot be written (a read-only disk, no permission on
        the folder or on LOCK) is an ArchiveError saying so: nothing was written.
        """
        path = self.root / "LOCK"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            stream = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed below
        except OSError as error:
            raise ArchiveError(
                f"{path}: cannot take the archive's lock ({cannot_write(error)});"
                " nothing was written"
            ) from None
        with stream:
            if not _try_lock(stream.fileno()):
                stream.seek(0)
                holder = stream.read().strip() or "another process"
                raise ArchiveError(
                    f"another close is running ({holder}); wait for it to finish and try again"
                )
            stream.seek(0)
            stream.truncate()
            stream.write(f"pid {os.getpid()} since {datetime.now():%Y-%m-%d %H:%M:%S}")
            stream.flush()
            try:
                yield
            finally:
                stream.seek(0)
                stream.truncate()
                stream.flush()
                _unlock(stream.fileno())

    def commit(
        self, record: ClosedPeriod | Mapping[str, Any], files: Mapping[str, bytes], period: Period
    ) -> ClosedPeriod:
        """Store `files` and then the record: the close is done at the rename.

        `files` are by their SHA-256, which the caller computed from the bytes
        it read; they are not hashed a third time. A replay checks every stored
        file against its SHA-256 before using it.
        """
        target = self._periods / f"{period}.json"
        withdrawn = {w.record_sha256 for w in self.withdrawals()}
        if target.exists() and self._record(target).record_sha256 not in withdrawn:
            raise ArchiveError(f"{period} is already closed; a closed period is never closed again")
        data = record.to_json() if isinstance(record, ClosedPeriod) else record_bytes(record)
        try:
            for sha256, content in files.items():
                self._put(sha256, content)
            self._periods.mkdir(parents=True, exist_ok=True)
            replace_file(target, data)
            sync_folder(self._periods)
        except OSError as error:
            raise ArchiveError(
                f"{self.root}: cannot write the archive ({cannot_write(error)}); {period} is"
                " not closed and its outputs are unchanged"
            ) from None
        return self.get(period)

    def sweep(self) -> int:
        """Remove the temporary files of writes that were killed (the caller holds the
        lock, so no write is in progress): `objects/ab/.<sha>.…`, `periods/.2026-10.json.…`.
        Returns how many were removed."""
        removed = 0
        folders = [self._periods, self.root / WITHDRAWN, self._years]
        objects = self.root / "objects"
        if objects.is_dir():
            folders += [f for f in objects.iterdir() if f.is_dir() and not f.is_symlink()]
        for folder in folders:
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                if entry.name.startswith(".") and entry.is_file() and not entry.is_symlink():
                    entry.unlink(missing_ok=True)
                    removed += 1
        return removed

    def _put(self, sha256: str, data: bytes) -> None:
        path = self._object(sha256)
        if path.is_file():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, data)


def _try_lock(descriptor: int) -> bool:
    try:
        import fcntl  # noqa: PLC0415 - not on Windows
    except ImportError:  # pragma: no cover - Windows
        import msvcrt  # noqa: PLC0415

        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(descriptor: int) -> None:
    try:
        import fcntl  # noqa: PLC0415
    except ImportError:  # pragma: no cover - Windows
        import msvcrt  # noqa: PLC0415

        msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(descriptor, fcntl.LOCK_UN)
