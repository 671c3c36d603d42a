"""`fundcalc explain`: how one placement's cost in a period came about, range by range.

The question every provider dispute starts with. Nothing is calculated here:
the placement's rows of the log go through `calculation.calculate` like every
run's (a placement's days depend on its own rows and the rules only, so its
ledger rows are the run's), and this module tells what the result is made of:
the versions in the log and the one in force as of the date (file, line,
`recorded_on`), the lot and its terms, the municipality and the mergers
followed to its *centrumgemeente*, the reflection window (*bedenktijd*), and
per day range of the ledger its stream, tariff, days, amount and the reason a
range was rejected.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import polars as pl

from fundcalc.app.terminal import euro
from fundcalc.base.findings import printable
from fundcalc.base.period import Period, add_months
from fundcalc.base.plural import counted
from fundcalc.base.reasons import (
    NOT_ELIGIBLE,
    NOT_ELIGIBLE_NOT_A_MEMBER,
    Part,
    english_text,
    parts_of,
)
from fundcalc.core.calculation import calculate
from fundcalc.core.segments import FUND, JUSTICE, MUNICIPAL, REJECTED
from fundcalc.errors import UsageError
from fundcalc.inputs.fields import as_written
from fundcalc.inputs.municipalities import MunicipalityRow
from fundcalc.inputs.rules import ARRANGEMENT_FILE, MUNICIPALITIES_FILE, Lot, LotTerms, Rules

IN_FORCE = "in force"
SUPERSEDED = "superseded"
NOT_YET = "recorded after the as-of date"
NOT_YET_DECIDED = "decided after the as-of date"
SAME_DAY = "same day as the version in force"
NOT_A_VERSION = "not a version"
#: The fields of a version shown as written (the text of the file).
SHOWN = (
    "lot_id",
    "start_date",
    "end_date",
    "brp_municipality",
    "found_municipality",
    "reflection_start",
    "reflection_end",
    "void",
)
#: Ids offered as "did you mean" only in a log this size or smaller (difflib is quadratic).
SUGGEST_AMONG = 50_000


@dataclass(frozen=True)
class LogVersion:
    """A row of the log for the placement: where it is, when recorded, what became of it.

    `recorded_on` is the day in ISO form where it reads as a date, else the text
    as written; `fields` are the row's other values as written in the file.
    """

    source: str
    line: int
    recorded_on: str | None
    status: str
    fields: dict[str, str | None]


@dataclass(frozen=True)
class DayRange:
    """A ledger row of the placement: consecutive days with one stream, payer and tariff.

    `terms` are the lot's terms on these days; `followed` the municipalities
    whose successors led to `municipality`, the row that gives the
    centrumgemeente on the range's first day.
    """

    first_day: date
    last_day: date
    days: int
    stream: str
    centrumgemeente: str | None
    tariff_cents: int | None
    amount_cents: int
    reason: str | None
    parts: tuple[Part, ...]
    terms: tuple[LotTerms, ...]
    followed: tuple[MunicipalityRow, ...]
    municipality: MunicipalityRow | None


@dataclass(frozen=True)
class VerdictVersion:
    """A verdict row of the eligibility check for the placement, and what became of it."""

    source: str
    line: int
    eligible: str | None
    decided_on: str | None
    reference: str | None
    status: str


@dataclass(frozen=True)
class Explanation:
    """Everything `fundcalc explain` tells about one placement in one period."""

    placement_id: str
    period: Period
    as_of: date
    versions: tuple[LogVersion, ...]
    in_force: dict[str, Any] | None
    lot: Lot | None
    reflection_months: int
    ranges: tuple[DayRange, ...]
    origin_share: Fraction
    names: dict[str, str]
    #: The placement's rows in `inputs/eligibility/` (§11), oldest first.
    verdicts: tuple[VerdictVersion, ...] = ()
    #: The verdict in force as of the date, if any.
    verdict: dict[str, Any] | None = None

    @property
    def withdrawn(self) -> bool:
        """The version in force is void: the placement does not exist as of the date."""
        return self.in_force is None and any(v.status == IN_FORCE for v in self.versions)


def explain_placement(
    rules: Rules,
    log_rows: pl.DataFrame,
    placement_id: str,
    period: Period,
    as_of: date,
    *,
    verdict_rows: pl.DataFrame | None = None,
) -> Explanation:
    """Explain `placement_id` in `period` as of `as_of` from the rules and the log's rows,
    with the verdicts of the eligibility check (`inputs.verdicts`) where given.

    Raises UsageError when the log has no row with this placement id.
    """
    rows = log_rows.filter(pl.col("placement_id") == placement_id)
    if rows.height == 0:
        raise UsageError(_not_found(log_rows, placement_id))
    verdicts = (
        None
        if verdict_rows is None
        else verdict_rows.filter(pl.col("placement_id") == placement_id)
    )
    calculation = calculate(rules, rows, [period], as_of, verdict_rows=verdicts)
    in_force_verdict = (
        calculation.verdicts.in_force.row(0, named=True)
        if calculation.verdicts.in_force.height
        else None
    )
    placements = calculation.versions.placements
    in_force = placements.row(0, named=True) if placements.height else None
    lot = rules.lots.get(in_force["lot_id"]) if in_force and in_force["lot_id"] else None
    code = (
        None if in_force is None else in_force["brp_municipality"] or in_force["found_municipality"]
    )
    ledger = calculation.ledger_rows_for(period)
    ranges = tuple(_range(r, lot, code, rules) for r in ledger.iter_rows(named=True))
    return Explanation(
        placement_id=placement_id,
        period=period,
        as_of=as_of,
        versions=_versions(rows, calculation.versions.exceptions, in_force, as_of),
        in_force=in_force,
        lot=lot,
        reflection_months=rules.reflection_months,
        ranges=ranges,
        origin_share=rules.split_for(period).origin_share,
        names=rules.municipalities.names(),
        verdicts=()
        if verdicts is None
        else _verdict_versions(verdicts, calculation.verdicts.exceptions, in_force_verdict, as_of),
        verdict=in_force_verdict,
    )


def _verdict_versions(
    rows: pl.DataFrame,
    exceptions: pl.DataFrame,
    in_force: dict[str, Any] | None,
    as_of: date,
) -> tuple[VerdictVersion, ...]:
    """Every verdict row of the placement, oldest first, with what became of it."""
    conflicts = {(s, n) for s, n in exceptions.select("source", "line").iter_rows()}
    chosen = None if in_force is None else (in_force["source"], in_force["line"])
    found = []
    for row in rows.sort("decided_on", "source", "line", nulls_last=True).iter_rows(named=True):
        key = (row["source"], row["line"])
        if row["problem"] is not None:
            status = f"cannot be read: {english_text(parts_of(row['problem']))}"
        elif row["decided_on"] > as_of:
            status = NOT_YET_DECIDED
        elif key in conflicts:
            status = "conflicts with another verdict of the same day: changes nothing"
        elif key == chosen:
            status = IN_FORCE
        elif in_force is not None and row["decided_on"] == in_force["decided_on"]:
            status = "the same verdict, the same day"
        else:
            status = SUPERSEDED
        found.append(
            VerdictVersion(
                row["source"],
                row["line"],
                row["raw_eligible"],
                row["raw_decided_on"],
                row["reference"],
                status,
            )
        )
    return tuple(found)


def _not_found(log_rows: pl.DataFrame, placement_id: str) -> str:
    message = f"placement '{printable(placement_id)}' is not in the log (inputs/placements/)"
    ids = log_rows["placement_id"].drop_nulls().unique().sort()
    same = ids.filter(ids.str.to_lowercase() == placement_id.lower()).to_list()
    if ids.len() <= SUGGEST_AMONG or same:
        close = same or difflib.get_close_matches(placement_id, ids.to_list(), n=3)
        if close:
            return f"{message}; did you mean {' or '.join(printable(c) for c in close)}?"
    return f"{message}; placement ids are matched exactly, as in the log"


def _versions(
    rows: pl.DataFrame,
    no_versions: pl.DataFrame,
    in_force: dict[str, Any] | None,
    as_of: date,
) -> tuple[LogVersion, ...]:
    """Every row of the placement, oldest first, with what became of it as of `as_of`."""
    unusable = {
        (source, line): reason
        for source, line, reason in no_versions.select("source", "line", "reason").iter_rows()
    }
    known = rows["recorded_on"].filter(rows["recorded_on"] <= as_of)
    latest: date | None = known.max() if known.len() else None  # type: ignore[assignment]
    where = None if in_force is None else (in_force["source"], in_force["line"])
    found = []
    written = rows.with_columns(as_written(f).alias(f"_written_{f}") for f in SHOWN)
    ordered = written.sort("recorded_on", "source", "line", nulls_last=True)
    for row in ordered.iter_rows(named=True):
        key = (row["source"], row["line"])
        day = row["recorded_on"]
        if key in unusable:
            status = f"{NOT_A_VERSION}: {unusable[key]}"
        elif day > as_of:
            status = NOT_YET
        elif day != latest:
            status = SUPERSEDED
        elif where is None or key == where:
            status = IN_FORCE  # with no placement left in force, the latest version is void
        else:
            status = SAME_DAY
        found.append(
            LogVersion(
                row["source"],
                row["line"],
                row["raw_recorded_on"] if day is None else day.isoformat(),
                status,
                {f: row[f"_written_{f}"] for f in SHOWN},
            )
        )
    return tuple(found)


def _range(row: dict[str, Any], lot: Lot | None, code: str | None, rules: Rules) -> DayRange:
    first, last = row["first_day"], row["last_day"]
    terms = () if lot is None else tuple(t for t in lot.terms if _overlaps(t, first, last))
    followed: tuple[MunicipalityRow, ...] = ()
    municipality = None
    if code is not None and row["stream"] != JUSTICE:
        followed, municipality = rules.municipalities.path_on(code, first)
    return DayRange(
        first_day=first,
        last_day=last,
        days=row["days"],
        stream=row["stream"],
        centrumgemeente=row["centrumgemeente"],
        tariff_cents=row["day_tariff_cents"],
        amount_cents=row["amount_cents"],
        reason=row["reason"],
        parts=parts_of(row["parts"]),
        terms=terms,
        followed=followed,
        municipality=municipality,
    )


def _overlaps(terms: LotTerms, first: date, last: date) -> bool:
    return terms.valid_from <= last and (terms.valid_to is None or terms.valid_to > first)


# --- as text ---


def explanation_lines(e: Explanation) -> list[str]:
    """The explanation as terminal lines: versions, the version in force, the day ranges."""
    out = [f"{e.placement_id} in {e.period}, as of {e.as_of.isoformat()}", ""]
    out.append(f"The log has {counted(len(e.versions), 'row')} of this placement:")
    width = max(len(f"{v.source}:{v.line}") for v in e.versions)
    for v in e.versions:
        out.append(f"  {f'{v.source}:{v.line}':<{width}}  recorded {v.recorded_on or '(empty)'}"
                   f"  {v.status}")  # fmt: skip
        out.append(f"      {_fields(v.fields)}")
    out.append("")
    if e.withdrawn:
        out.append(
            "The version in force withdraws the placement (void): it does not exist"
            f" as of {e.as_of.isoformat()} and costs nothing."
        )
        return [printable(line) for line in out]
    if e.in_force is None:
        out.append(f"No row of it is a version in force as of {e.as_of.isoformat()}.")
        return [printable(line) for line in out]
    out += _in_force_lines(e, e.in_force)
    out.append("")
    verdict = _verdict_lines(e)
    if verdict:
        out += [*verdict, ""]
    out += _range_lines(e)
    return [printable(line) for line in out]


def _verdict_lines(e: Explanation) -> list[str]:
    """The eligibility check (§11): the verdict rows, the one in force, what it moved."""
    if not e.verdicts:
        return []
    out = [f"The eligibility check (toetsing) has {counted(len(e.verdicts), 'verdict')} of it:"]
    width = max(len(f"{v.source}:{v.line}") for v in e.verdicts)
    for v in e.verdicts:
        out.append(
            f"  {f'{v.source}:{v.line}':<{width}}  decided {v.decided_on or '(empty)'}"
            f"  eligible {v.eligible or '(empty)'}"
            + (f"  reference {v.reference}" if v.reference else "")
            + f"  {v.status}"
        )
    if e.verdict is None:
        out.append(f"No verdict is in force as of {e.as_of.isoformat()}: nothing moves.")
    elif e.verdict["eligible"]:
        out.append("In force: eligible (ja): its days stay as the arrangement charges them.")
    else:
        moved = [r for r in e.ranges if _moved(r)]
        days = sum(r.days for r in moved)
        cents = sum(r.amount_cents for r in moved)
        out.append(
            "In force: not eligible (nee): every day on a fund lot is charged directly to"
            " the centrumgemeente (MUNICIPAL), not to the fund"
        )
        out.append(
            f"  moved in {e.period}: {counted(days, 'day')}, € {euro(cents)}"
            + (
                f" to {', '.join(sorted({_name(e, r.centrumgemeente) for r in moved}))}"
                if moved
                else ""
            )
        )
    return out


def _fields(fields: dict[str, str | None]) -> str:
    return ", ".join(f"{name} {value}" for name, value in fields.items() if value is not None)


def _name(e: Explanation, code: str | None) -> str:
    if code is None:
        return "(none)"
    name = e.names.get(code)
    return f"{code} {name}" if name else code


def _in_force_lines(e: Explanation, v: dict[str, Any]) -> list[str]:
    out = [f"In force: {v['source']}:{v['line']}, recorded on {v['recorded_on'].isoformat()}"]
    if v["reject_reason"] is not None:
        out.append(f"  rejected as a whole: {english_text(parts_of(v['reject_reason']))}")
    lot = e.lot
    if lot is not None:
        kind = "a COSM lot" if lot.is_cosm else "a fund lot"
        out.append(f"  lot           {lot.id}, {lot.provider}, group {lot.group} ({kind})")
    else:
        out.append(f"  lot           {v['lot_id'] or '(empty)'}: not a lot of the rules")
    out.append(f"  stay          {_stay(v)}")
    if v["brp_municipality"]:
        out.append(f"  municipality  {_name(e, v['brp_municipality'])}, registered there (BRP)")
    elif v["found_municipality"]:
        out.append(
            f"  municipality  {_name(e, v['found_municipality'])}, where she was found"
            " (not registered in the BRP)"
        )
    window = _window(e, v)
    if window:
        out.append(f"  reflection    {window}")
    return out


def _stay(v: dict[str, Any]) -> str:
    start, end = v["start_date"], v["end_date"]
    if start is None:
        return "start date unknown"
    if end is None:
        return f"from {start.isoformat()}, no end date (every day from the start on)"
    if end == start:
        return f"{start.isoformat()} only (arrived and left on the same day: one day)"
    return (
        f"from {start.isoformat()} up to {end.isoformat()}"
        f" (the day of departure is not charged: last day {(end - timedelta(days=1)).isoformat()})"
    )


def _window(e: Explanation, v: dict[str, Any]) -> str | None:
    """The reflection window as §4.4 defines it, in words (the ledger holds the streams)."""
    start, end = v["reflection_start"], v["reflection_end"]
    if start is None and end is None:
        return None
    if e.lot is not None and not e.lot.is_cosm:
        return "dates ignored: reflection periods apply to COSM lots only"
    if start is None:
        return "no reflection_start: no window, every day is the centrumgemeente's"
    limit = add_months(start, e.reflection_months)
    until = limit if end is None else min(end, limit)
    if until <= start:
        return f"from {start.isoformat()}: an empty window (it ends before it starts)"
    why = (
        f"{counted(e.reflection_months, 'month')} after the start"
        if until == limit
        else f"reflection_end {end.isoformat()}"
    )
    return (
        f"window {start.isoformat()} up to and including"
        f" {(until - timedelta(days=1)).isoformat()} (ends at {why})"
    )


def _range_lines(e: Explanation) -> list[str]:
    if not e.ranges and e.in_force and e.in_force["reject_reason"] is not None:
        return [
            f"Its days cannot be told, so none is charged in {e.period}: the run lists it"
            " in the exceptions until a later version corrects it."
        ]
    if not e.ranges:
        return [f"No days in {e.period}: the stay does not reach into it."]
    out = [f"Day ranges in {e.period}:"]
    for r in e.ranges:
        cost = (
            f"{r.days} x {euro(r.tariff_cents)} = {euro(r.amount_cents)}"
            if r.tariff_cents is not None and r.stream != REJECTED
            else "costs nothing"
        )
        out.append(
            f"  {r.first_day.isoformat()} - {r.last_day.isoformat()}  {counted(r.days, 'day'):>7}"
            f"  {r.stream:<9}  {cost}"
        )
        if e.lot is not None:
            for terms in r.terms:
                number = e.lot.terms.index(terms) + 1
                out.append(
                    f"      tariff: {ARRANGEMENT_FILE} lot {e.lot.id}.terms[{number}], from"
                    f" {terms.valid_from.isoformat()}: day tariff {euro(terms.day_tariff_cents)},"
                    f" {counted(terms.places, 'place')}"
                )
        if r.municipality is not None or r.followed:
            out.append(f"      centrumgemeente {_path(e, r)}")
        out.append(f"      {_payer(e, r)}")
    streams: dict[str, int] = {}
    for r in e.ranges:
        streams[r.stream] = streams.get(r.stream, 0) + r.amount_cents
    by_stream = ", ".join(f"{s} {euro(a)}" for s, a in streams.items())
    days = sum(r.days for r in e.ranges)
    total = sum(streams.values())
    out.append(f"Total in {e.period}: {counted(days, 'day')}, € {euro(total)} ({by_stream})")
    return out


def _path(e: Explanation, r: DayRange) -> str:
    """How the municipality leads to its centrumgemeente, with the lines of municipalities.csv."""
    steps = [
        f"{_name(e, row.code)} ended on {row.valid_to.isoformat() if row.valid_to else '?'}"
        f" with successor {_name(e, row.successor)} ({MUNICIPALITIES_FILE}:{row.line})"
        for row in r.followed
    ]
    if r.municipality is None:
        return "none: " + ", ".join(steps or ["the municipality code is not in the rules"])
    row = r.municipality
    belongs = f"{_name(e, row.code)} belongs to it ({MUNICIPALITIES_FILE}:{row.line})"
    if row.code == row.centrumgemeente:
        belongs = f"its own centrumgemeente ({MUNICIPALITIES_FILE}:{row.line})"
    if steps:
        own = (
            "a centrumgemeente itself" if row.code == row.centrumgemeente else "which belongs to it"
        )
        belongs = f"{', '.join(steps)}, {own} ({MUNICIPALITIES_FILE}:{row.line})"
    return f"{_name(e, row.centrumgemeente)}: {belongs}"


def _payer(e: Explanation, r: DayRange) -> str:
    if r.stream == FUND:
        return (
            f"paid from the fund: {_percent(e.origin_share)} of the fund's day costs of"
            f" {_name(e, r.centrumgemeente)} is charged to it as origin share, the rest is"
            " shared by all members through the key"
        )
    if r.stream == JUSTICE:
        return "in the reflection window: billed to the Ministry of Justice and Security"
    if r.stream == MUNICIPAL and _moved(r):
        instead = "the fund" if r.parts == (NOT_ELIGIBLE(),) else "a rejection (not a member)"
        return (
            f"judged not eligible (toetsing): paid directly by {_name(e, r.centrumgemeente)},"
            f" outside the fund, instead of {instead}"
        )
    if r.stream == MUNICIPAL:
        return (
            f"COSM outside the reflection window: paid directly by {_name(e, r.centrumgemeente)},"
            " outside the fund"
        )
    return f"rejected: {r.reason}"


def _moved(r: DayRange) -> bool:
    """The days were moved from the fund by a verdict "not eligible" (§11)."""
    return r.parts in ((NOT_ELIGIBLE(),), (NOT_ELIGIBLE_NOT_A_MEMBER(),))


def _percent(share: Fraction) -> str:
    """0.25 → `25%`, 0.3333 → `33.33%` (a share has at most 4 decimals)."""
    hundredths = share * 10_000
    whole, rest = divmod(int(hundredths), 100)
    return f"{whole}.{rest:02d}".rstrip("0").rstrip(".") + "%"
