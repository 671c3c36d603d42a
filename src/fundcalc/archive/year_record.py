"""The settlement record (`years/YYYY.json`, *jaarafrekening*) in typed form, and its seal.

A settlement record names the rules it read, the seals of the twelve closes
it rests on and their statements, where its opening reserve came from, its
totals, the day it was made and the software that made it. Its **seal**
(*zegel*) is the SHA-256 of the record as fundcalc writes it, without the
list `rendered`: `settle` prints it, and the files that show it,
`settlement.xlsx` (*Verantwoording*) and `manifest.json`, cannot be named
under it (a file cannot hold its own hash), so they are named in `rendered`.

How each field is proved:

* `year`: the record's file name says it too; they must agree.
* `closes`: the seals of the closes of the twelve months; every command that
  reads the archive compares them with the records there, so a month
  reopened, closed again or changed after the year was settled is said in
  words. `statements`: their statements, read and settled by replay.
* `rules`, `opening_reserve`, `outputs` (`settlement.csv`), `totals_cents`:
  replay settles the year again from them and the archive, and compares.
* `rendered`: replay makes both files again (with the seal) and compares
  them byte for byte; the archived `manifest.json` holds the seal, so a
  sealed field changed afterwards is seen by every command that reads it.
* `settled_on`, `software`, `fundcalc`, `format`: no calculation gives them
  again; the seal covers them, held by the rendered files, by the next
  year's settlement (its opening reserve), by the closes made after it (the
  reserve their forecast opened with) and by whoever was given it.

Records of format 1 (before seals) are read as they are and replay as they
did; they have no seal and no `closes`: their statements tie them to their
months, and their SHA-256 is what the next year's opening reserve names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from fundcalc import __version__
from fundcalc.archive.record import (
    STATEMENT,
    ClosedPeriod,
    Software,
    StoredFile,
    not_plain,
    not_sha256,
    record_bytes,
    text_field,
    whole_number,
)
from fundcalc.errors import ArchiveError

#: The format written now; YEAR_FORMATS are those read; records from SEALED on have a seal.
YEAR_FORMAT = 2
YEAR_FORMATS = (1, 2)
SEALED = 2
_FORMAT_1_KEYS = frozenset(
    {
        "format",
        "year",
        "settled_on",
        "fundcalc",
        "rules",
        "statements",
        "opening_reserve",
        "outputs",
        "totals_cents",
    }
)
_FORMAT_2_KEYS = _FORMAT_1_KEYS | {"software", "closes", "rendered"}
#: The key of the files that show the seal, left out of what the seal covers.
RENDERED = "rendered"


@dataclass(frozen=True)
class SettledYear:
    """The record of one year's settlement (`years/YYYY.json`).

    `statements` are the SHA-256 of the statement of each month settled, by
    period, and `closes` (format 2) the seals of their close records; `opening`
    says where the opening reserve came from: the settlement of an earlier year
    (its `year` and `record_sha256`) or the rules (empty). `record_sha256` is
    what a later year's opening names: the seal (format 2), or the SHA-256 of
    the record's bytes (format 1, which has no seal).
    """

    year: int
    settled_on: date
    fundcalc: str
    rules: tuple[StoredFile, ...]
    statements: Mapping[str, str]
    opening: Mapping[str, Any]
    outputs: tuple[StoredFile, ...]
    totals: Mapping[str, int]
    record_sha256: str
    format: int = YEAR_FORMAT
    software: Software | None = None
    closes: Mapping[str, str] | None = None
    rendered: tuple[StoredFile, ...] = ()

    @property
    def seal(self) -> str | None:
        """The seal an auditor is given; None for a record of format 1 (made before seals)."""
        return self.record_sha256 if self.format >= SEALED else None

    @property
    def files(self) -> tuple[StoredFile, ...]:
        """Every output of the settlement: those under the seal and those showing it."""
        return (*self.outputs, *self.rendered)

    def output(self, name: str) -> StoredFile:
        for stored_file in self.files:
            if stored_file.name == name:
                return stored_file
        raise ArchiveError(f"archive: the settlement of {self.year} has no {name}")

    def settled_with(self) -> str:
        """The software that settled it, in words."""
        if self.software is None:
            return f"fundcalc {self.fundcalc} (a record of format 1 names no other versions)"
        return self.software.describe()

    def unsealed(self) -> str | None:
        """What a record of format 1 lacks, said once by whatever reads it; None otherwise."""
        if self.seal is not None:
            return None
        return (
            f"the settlement record of {self.year} was made before settlements were sealed"
            " (format 1): it has no seal; the statements it names tie it to its months"
        )


def sealed_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """What the seal of a settlement record covers: every field but `rendered`."""
    return {key: value for key, value in document.items() if key != RENDERED}


def seal_of(document: Mapping[str, Any]) -> str:
    """The seal of a settlement record given as its JSON document."""
    return hashlib.sha256(record_bytes(sealed_document(document))).hexdigest()


def parse_year(data: bytes, where: str) -> SettledYear:
    """The settlement record in `data` (read from `where`), checked field by field.

    An unknown format or field, a field of the wrong shape, a name that is no
    plain file name or a SHA-256 that is no digest is an ArchiveError naming
    `where`: such a record was not written by `settle`.
    """
    try:
        raw = json.loads(data)
        if not isinstance(raw, dict):
            raise TypeError("not a JSON object")
        return _parse(raw, where, data)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ArchiveError(f"{where}: not a readable settlement record ({error})") from None


def _parse(raw: dict[str, Any], where: str, data: bytes) -> SettledYear:
    form = raw.get("format", 1)
    if form not in YEAR_FORMATS or isinstance(form, bool):
        raise ArchiveError(
            f"{where}: a settlement record of format {form!r}, which this fundcalc"
            f" ({__version__}) does not know (it reads formats"
            f" {', '.join(map(str, YEAR_FORMATS))}); use the fundcalc that settled it"
        )
    allowed = _FORMAT_1_KEYS if form == 1 else _FORMAT_2_KEYS
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ArchiveError(
            f"{where}: a settlement record of format {form} has no field {', '.join(unknown)};"
            " the record has been changed"
        )
    kinds = ("rules", "outputs", *((RENDERED,) if form >= SEALED else ()))
    files = {kind: tuple(_file(f, kind, where) for f in raw[kind]) for kind in kinds}
    names = [f.name for kind in ("outputs", RENDERED) for f in files.get(kind, ())]
    if len(set(names)) != len(names):
        raise ArchiveError(f"{where}: an output is named twice; the record has been changed")
    software = closes = None
    seal = hashlib.sha256(data).hexdigest()
    if form >= SEALED:
        software = Software(**{k: text_field(v, k) for k, v in raw["software"].items()})
        closes = _digests(raw["closes"], "close record", where)
        seal = seal_of(raw)
        if software.fundcalc != raw["fundcalc"]:
            raise ArchiveError(
                f"{where}: the record says fundcalc {raw['fundcalc']} but its software"
                f" fundcalc {software.fundcalc}: the record has been changed"
            )
    opening = raw["opening_reserve"]
    if not isinstance(opening, dict):
        raise TypeError("opening_reserve is not a table")
    return SettledYear(
        year=whole_number(raw["year"], "year"),
        settled_on=date.fromisoformat(raw["settled_on"]),
        fundcalc=text_field(raw["fundcalc"], "fundcalc"),
        rules=files["rules"],
        statements=_digests(raw["statements"], "statement", where),
        opening=dict(opening),
        outputs=files["outputs"],
        totals={text_field(k, "total"): whole_number(v, k) for k, v in raw["totals_cents"].items()},
        record_sha256=seal,
        format=form,
        software=software,
        closes=closes,
        rendered=files.get(RENDERED, ()),
    )


def _file(raw: Mapping[str, Any], kind: str, where: str) -> StoredFile:
    name = raw["name"]
    if (why := not_plain(name)) is not None:
        raise ArchiveError(
            f"{where}: {kind} names {name!r}, which {why}; the record has been changed"
        )
    if not_sha256(raw["sha256"]):
        raise ArchiveError(
            f"{where}: {kind} names {name!r}, which has no SHA-256 of 64 hexadecimal digits;"
            " the record has been changed"
        )
    return StoredFile(name, raw["sha256"], whole_number(raw["size"], f"the size of {name}"))


def _digests(raw: Mapping[str, object], what: str, where: str) -> dict[str, str]:
    found = {}
    for period, digest in raw.items():
        if not_sha256(digest):
            raise ArchiveError(
                f"{where}: the SHA-256 of the {what} of {period} is not 64 hexadecimal digits;"
                " the record has been changed"
            )
        found[str(period)] = str(digest)
    return found


def year_breaks(
    years: Sequence[SettledYear],
    closed: Sequence[ClosedPeriod],
    reopened: Mapping[str, str],
    seal_shown: Callable[[SettledYear], str | None],
) -> list[str]:
    """What the settlement records, the closes and the files showing a seal say of each
    other, in words.

    `years` and `closed` are oldest first; `reopened` maps the seal of each
    withdrawn close to its period; `seal_shown` gives the seal a settlement's
    archived `manifest.json` holds (None when it cannot be read as made).
    """
    breaks: list[str] = []
    now = {s.year: s for s in years}
    closes = {str(c.period): c for c in closed}
    for settled in years:
        if settled.seal is not None and seal_shown(settled) != settled.seal:
            breaks.append(
                f"{settled.year}'s settlement record was changed after {settled.year} was"
                f" settled (its seal is now {settled.seal}, not the one its manifest.json shows)"
            )
            continue  # what else it says cannot be taken at its word
        breaks += _months_changed(settled, closes, reopened)
        breaks += _opening_changed(settled, now, f"{settled.year} was settled")
    for close in closed:
        if close.opening_reserve is not None:
            breaks += _opening_changed(close, now, f"{close.period} was closed")
    return list(dict.fromkeys(breaks))


def _months_changed(
    settled: SettledYear, closes: Mapping[str, ClosedPeriod], reopened: Mapping[str, str]
) -> list[str]:
    """The months a settlement rests on that are not, now, the closes it settled."""
    breaks = []
    after = f"after {settled.year} was settled"
    if settled.closes is not None:
        for period, seal in sorted(settled.closes.items()):
            close = closes.get(period)
            if close is not None and close.seal == seal:
                continue
            if seal in reopened:
                again = "closed again" if close is not None else "is not closed now"
                breaks.append(f"{period} was reopened {after} and {again}")
            elif close is None:
                breaks.append(f"{period}'s close record was deleted {after}")
            else:
                breaks.append(f"{period}'s close record was changed {after}")
        return breaks
    for period, sha in sorted(settled.statements.items()):
        close = closes.get(period)
        if close is None:
            breaks.append(f"{period} is not closed now, but was when {settled.year} was settled")
        elif close.output(STATEMENT).sha256 != sha:
            breaks.append(f"{period}'s statement is not the one {settled.year} settled")
    return breaks


def _opening_changed(
    made: SettledYear | ClosedPeriod, now: Mapping[int, SettledYear], when: str
) -> list[str]:
    """Whether the settlement a year's (or a month's) opening reserve came from is still
    the one it names."""
    opening = made.opening if isinstance(made, SettledYear) else made.opening_reserve
    if not opening or opening.get("from") != "settlement":
        return []
    year = opening.get("year")
    before = now.get(year) if isinstance(year, int) else None
    if before is None:
        return [f"{year}'s settlement record was deleted after {when}"]
    if before.record_sha256 != opening.get("record_sha256"):
        return [f"{year}'s settlement record was changed after {when}"]
    return []
