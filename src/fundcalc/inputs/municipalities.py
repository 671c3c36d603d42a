"""Municipalities and their *centrumgemeente* (`rules/municipalities.csv`).

Each row says which centrumgemeente a municipality belongs to from
`valid_from` up to `valid_to` (exclusive). Where a merger ended a code, the
row names its `successor_code`; a day after the end is resolved through the
chain of successors until a code valid on that day is found.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import polars as pl

from fundcalc.base.period import BEGINNING, END_OF_TIME
from fundcalc.errors import RulesError

COLUMNS = (
    "municipality_code",
    "municipality_name",
    "centrumgemeente_code",
    "valid_from",
    "valid_to",
    "successor_code",
)


@dataclass(frozen=True)
class MunicipalityRow:
    """One row of municipalities.csv: a code's centrumgemeente over a time span."""

    code: str
    name: str
    centrumgemeente: str
    valid_from: date
    valid_to: date | None
    successor: str | None
    line: int


@dataclass(frozen=True)
class Municipalities:
    """All rows of municipalities.csv, by code, sorted by `valid_from`."""

    rows: Mapping[str, tuple[MunicipalityRow, ...]]

    def names(self) -> dict[str, str]:
        """The latest name of every code (for reports)."""
        return {code: rows[-1].name for code, rows in self.rows.items()}

    def centrumgemeente_on(self, code: str, day: date) -> str | None:
        """The centrumgemeente of `code` on `day`, following successors; None if there is none."""
        _, row = self.path_on(code, day)
        return None if row is None else row.centrumgemeente

    def path_on(
        self, code: str, day: date
    ) -> tuple[tuple[MunicipalityRow, ...], MunicipalityRow | None]:
        """How `code` leads to a centrumgemeente on `day` (for `fundcalc explain`).

        Returns the ended rows whose successors were followed (a merger each),
        then the row valid on `day` (None when the chain ends without one).
        """
        followed: list[MunicipalityRow] = []
        seen: set[str] = set()
        while code not in seen:
            seen.add(code)
            rows = self.rows.get(code, ())
            for row in rows:
                if row.valid_from <= day and (row.valid_to is None or day < row.valid_to):
                    return tuple(followed), row
            ended = [r for r in rows if r.valid_to is not None and r.valid_to <= day]
            if not ended or ended[-1].successor is None:
                break
            followed.append(ended[-1])
            code = ended[-1].successor
        return tuple(followed), None

    def intervals(self) -> pl.DataFrame:
        """Every known code's centrumgemeente as intervals covering all time.

        Columns `municipality_code, mun_from, mun_to, centrumgemeente`: for each
        code the intervals partition [BEGINNING, END_OF_TIME); `centrumgemeente`
        is null where the code has none. Adjacent equal intervals are merged.
        """
        cuts = {BEGINNING, END_OF_TIME}
        for rows in self.rows.values():
            for row in rows:
                cuts.add(row.valid_from)
                if row.valid_to is not None:
                    cuts.add(row.valid_to)
        bounds = sorted(cuts)
        codes: list[str] = []
        starts: list[date] = []
        ends: list[date] = []
        centrumgemeenten: list[str | None] = []
        for code in sorted(self.rows):
            for start, end in pairwise(bounds):
                centrumgemeente = self.centrumgemeente_on(code, start)
                if codes and codes[-1] == code and centrumgemeenten[-1] == centrumgemeente:
                    ends[-1] = end
                    continue
                codes.append(code)
                starts.append(start)
                ends.append(end)
                centrumgemeenten.append(centrumgemeente)
        return pl.DataFrame(
            {
                "municipality_code": codes,
                "mun_from": starts,
                "mun_to": ends,
                "centrumgemeente": centrumgemeenten,
            },
            schema={
                "municipality_code": pl.String,
                "mun_from": pl.Date,
                "mun_to": pl.Date,
                "centrumgemeente": pl.String,
            },
        )


def load_municipalities(data: bytes, file: str) -> Municipalities:
    """Parse and validate municipalities.csv; every problem is a RulesError."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RulesError(file, "", "is not UTF-8 text") from None
    sample = text.split("\n", 1)[0]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    if tuple(header) != COLUMNS:
        raise RulesError(file, "line 1", f"header must be {','.join(COLUMNS)}")
    by_code: dict[str, list[MunicipalityRow]] = {}
    for line, fields in enumerate(reader, 2):
        if not any(f.strip() for f in fields):
            continue
        row = _row(fields, line, file)
        by_code.setdefault(row.code, []).append(row)
    if not by_code:
        raise RulesError(file, "", "has no municipalities")
    for code, rows in by_code.items():
        rows.sort(key=lambda r: r.valid_from)
        for before, after in pairwise(rows):
            if before.valid_to is None or before.valid_to > after.valid_from:
                raise RulesError(
                    file, f"line {after.line}", f"{code} overlaps its row on line {before.line}"
                )
        for row in rows:
            if row.successor is not None and row.successor not in by_code:
                raise RulesError(
                    file, f"line {row.line}", f"successor_code {row.successor} is not in the file"
                )
    municipalities = Municipalities({code: tuple(rows) for code, rows in sorted(by_code.items())})
    _refuse_cycles(municipalities, file)
    return municipalities


def _row(fields: list[str], line: int, file: str) -> MunicipalityRow:
    if len(fields) != len(COLUMNS):
        raise RulesError(file, f"line {line}", f"has {len(fields)} fields, expected {len(COLUMNS)}")
    code, name, centrumgemeente, start, end, successor = (f.strip() for f in fields)
    if not code or not centrumgemeente:
        raise RulesError(
            file, f"line {line}", "municipality_code and centrumgemeente_code required"
        )
    valid_from = _date(start, "valid_from", line, file)
    if valid_from is None:
        raise RulesError(file, f"line {line}", "valid_from is required")
    valid_to = _date(end, "valid_to", line, file)
    if valid_to is not None and valid_to <= valid_from:
        raise RulesError(file, f"line {line}", "valid_to must be after valid_from")
    if successor and valid_to is None:
        raise RulesError(file, f"line {line}", "a successor_code needs a valid_to (the merger)")
    return MunicipalityRow(
        code, name, centrumgemeente, valid_from, valid_to, successor or None, line
    )


def _date(text: str, column: str, line: int, file: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RulesError(file, f"line {line}", f"{column} {text!r} is not a date") from None


def _refuse_cycles(municipalities: Municipalities, file: str) -> None:
    for code, rows in municipalities.rows.items():
        seen = [code]
        successor = rows[-1].successor
        while successor is not None:
            if successor in seen:
                chain = " → ".join([*seen, successor])
                raise RulesError(file, f"line {rows[-1].line}", f"successors form a cycle: {chain}")
            seen.append(successor)
            successor = municipalities.rows[successor][-1].successor
