"""The calculation of one or more periods as of a date: the pure core of fundcalc.

rules + log → versions in force → stays → day segments → ledger rows → settlement.
Nothing here reads or writes a file, so the same inputs always give the same
figures, and tests and replays run it without a disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from fundcalc.base.findings import EXCEPTION, finding_frame, sort_findings
from fundcalc.base.period import Period
from fundcalc.base.reasons import english
from fundcalc.core.allocation import Settlement, settle_periods
from fundcalc.core.checks import run_checks
from fundcalc.core.occupancy import LotFigures, lot_figures
from fundcalc.core.segments import (
    IDENTITY,
    NOT_ELIGIBLE_COLUMN,
    REJECTED,
    SEGMENT_SCHEMA,
    day_segments,
    ledger_rows,
    rejected_segments,
    stay_end,
)
from fundcalc.core.verdicts import Verdicts, no_verdicts, verdicts_as_of
from fundcalc.core.versions import Versions, versions_as_of
from fundcalc.inputs.rules import Rules

LEDGER_COLUMNS = (
    "period",
    "placement_id",
    "client_id",
    "lot_id",
    "stream",
    "centrumgemeente",
    "first_day",
    "last_day",
    "days",
    "day_tariff_cents",
    "amount_cents",
    "reason",
)


@dataclass(frozen=True)
class Calculation:
    """Everything computed for some periods as of one date.

    `all_segments` holds every period's day segments as cut (at months, terms,
    mappings and the reflection window), in no particular order, each naming
    its placement by number (`placement_no`, its row in `versions.placements`);
    `segments` adds the placement's id, client and log row; `ledger_rows_for`
    merges a period's segments into the ledger rows that ledger.parquet shows
    (`ledger_for`: the spec's columns only), sorted.
    Sums are the same either way. `settlements` holds `periods` and the
    periods that were only settled (closed periods recomputed for
    corrections), which have no ledger rows.
    """

    as_of: date
    periods: tuple[Period, ...]
    versions: Versions
    all_segments: pl.DataFrame
    settlements: dict[Period, Settlement]
    fund_lots: tuple[str, ...]
    rules: Rules
    #: Warnings about the log's files as a whole (an unknown column, an encoding).
    log_findings: pl.DataFrame = field(default_factory=finding_frame)
    #: The verdicts of the eligibility check in force as of `as_of` (§11).
    verdicts: Verdicts = field(default_factory=no_verdicts)
    _findings: dict[Period, pl.DataFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _segments: dict[Period, pl.DataFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _ledger_rows: dict[Period, pl.DataFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _rejected: dict[Period, pl.DataFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _lots: dict[Period, list[LotFigures]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def segments(self, period: Period, *columns: str, where: pl.Expr | None = None) -> pl.DataFrame:
        """The period's segments as cut, with `period` and `columns` only (all,
        and the placements' `segments.IDENTITY`, when none); only those `where` holds
        for, if given (an expression of the segments' own columns).

        The rows are chosen before they are named: naming gathers the identity of
        each row's placement from `versions.placements`, which costs per row.
        """
        wanted = ("period", *(c for c in columns if c != "period"))
        rows = self._cut(period) if where is None else self._cut(period).filter(where)
        return self._named(rows, wanted if columns else (*SEGMENT_SCHEMA, *IDENTITY))

    def segments_of(self, periods: Sequence[Period]) -> pl.LazyFrame:
        """The segments of `periods`; no filter at all when there are no others, as
        for a run's month and the year before it (a filter of many segments by a
        text column costs a scan)."""
        rows = self.all_segments.lazy()
        if set(self.periods) - set(periods):
            rows = rows.filter(pl.col("period").is_in([str(p) for p in periods]))
        return rows

    def _cut(self, period: Period) -> pl.DataFrame:
        """The period's segments, taken from `all_segments` once: the ledger rows, the
        findings, the lots and the COSM sheet all need them."""
        if period not in self._segments:
            self._segments[period] = self.all_segments.filter(pl.col("period") == str(period))
        return self._segments[period]

    def _named(self, rows: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
        """`rows` (with `placement_no`) with `columns`, the placements' `IDENTITY` among
        them taken from `versions.placements` by number."""
        named = [c for c in columns if c in IDENTITY]
        if named:
            number = rows["placement_no"]
            found = self.versions.placements.select(pl.col(named).gather(number))
            rows = rows.with_columns(found)
        return rows.select(columns)

    def ledger_rows_for(self, period: Period) -> pl.DataFrame:
        """The period's segments merged into ledger rows (`segments.ledger_rows`),
        with the placements' `segments.IDENTITY`.

        The segments sum to the same days and amounts; the ledger rows are what
        ledger.parquet shows: `reason` in English, and its `parts` beside it.
        """
        if period not in self._ledger_rows:
            merged = ledger_rows(self._cut(period))
            named = self._named(merged, (*IDENTITY, *SEGMENT_SCHEMA))
            rows = named.sort("placement_id", "first_day")
            self._ledger_rows[period] = rows.with_columns(
                english(rows["reason"]).alias("reason"), rows["reason"].alias("parts")
            )
        return self._ledger_rows[period]

    def ledger_for(self, period: Period) -> pl.DataFrame:
        """The ledger rows of one period, with exactly the spec's columns."""
        return self.ledger_rows_for(period).select(LEDGER_COLUMNS)

    def lots_for(self, period: Period) -> list[LotFigures]:
        """The lots' capacity and use in `period` (`occupancy.lot_figures`), computed once:
        the capacity check and the workbook's lots sheet both need them."""
        if period not in self._lots:
            # Days on a lot within its terms: charged, or rejected with the lot's tariff known.
            placed = self.segments(
                period, "lot_id", "stream", "first_day", "last_day", "day_tariff_cents"
            ).filter(pl.col("day_tariff_cents").is_not_null())
            self._lots[period] = lot_figures(placed, self.rules, period)
        return self._lots[period]

    def rejected_days(self, period: Period) -> pl.DataFrame:
        """The period's rejected days per row of the log and reason, computed once:
        `reason` in English and its `parts`.

        `days` is their number; `amount_cents` what they would have cost
        (days × day tariff) where the tariff is known, null where it is not.
        Nothing of it is charged.
        """
        if period not in self._rejected:
            tariff = pl.col("day_tariff_cents")
            # Grouped by number, then named: the names are taken for the few groups only.
            rejected = (
                self._cut(period)
                .filter(pl.col("stream") == REJECTED)
                .group_by("placement_no", "reason")
                .agg(
                    pl.col("days").sum(),
                    pl.when(tariff.is_null().all())
                    .then(None)
                    .otherwise((pl.col("days") * tariff).sum())
                    .alias("amount_cents"),
                )
            )
            named = self._named(
                rejected, ("source", "line", "placement_id", "reason", "days", "amount_cents")
            )
            self._rejected[period] = named.with_columns(
                english(named["reason"]).alias("reason"), named["reason"].alias("parts")
            )
        return self._rejected[period]

    def findings_for(self, period: Period) -> pl.DataFrame:
        """Exceptions and warnings a finance officer must see for `period`.

        Rows that are no version at all, placements rejected as a whole whose
        stay may touch the period or cannot be told at all (§7: never dropped
        silently), rejected day ranges within it, warnings
        about the log's files, its placements (`checks`) and the lots' capacity;
        in the order of `sort_findings`. Computed once per period.
        """
        if period not in self._findings:
            self._findings[period] = self._find(period)
        return self._findings[period]

    def _find(self, period: Period) -> pl.DataFrame:
        placements = self.versions.placements
        # One pass over every placement: the streaming engine wins here.
        touching = placements.lazy().filter(_touches(period)).collect(engine="streaming")
        days = self.rejected_days(period).select(
            pl.lit(EXCEPTION).alias("kind"),
            "source",
            "line",
            "placement_id",
            "reason",
            "days",
            "parts",
        )
        # Rejected placements without days here: those whose stay may touch the period, and
        # those whose stay cannot be told at all (a conflict, an unreadable date, an end before
        # the start), which no period's days would show: listed in every period until corrected.
        # The few rejected placements first: whether a stay touches the period is
        # then worked out for those alone, not for every placement.
        rejected = (
            placements.select(
                "source",
                "line",
                "placement_id",
                "start_date",
                "end_date",
                "stay_known",
                "reject_reason",
            )
            .filter(pl.col("reject_reason").is_not_null())
            .filter(_touches(period) | ~pl.col("stay_known"))
            .join(days, on=["placement_id", "source", "line"], how="anti")
            .select(
                pl.lit(EXCEPTION).alias("kind"),
                "source",
                "line",
                "placement_id",
                pl.col("reject_reason").alias("parts"),
            )
        )
        return sort_findings(
            pl.concat(
                [
                    finding_frame(self.versions.exceptions),
                    self.verdicts.exceptions,
                    finding_frame(rejected),
                    finding_frame(days),
                    finding_frame(self.log_findings),
                    run_checks(touching, self.rules, period, self.lots_for(period)),
                ]
            )
        )


def _sums(segments: pl.LazyFrame) -> pl.DataFrame:
    """Amounts per period, stream and centrumgemeente: all that `settle` needs."""
    return (
        segments.group_by("period", "stream", "centrumgemeente")
        .agg(pl.col("amount_cents").sum())
        .collect()
    )


def _touches(period: Period) -> pl.Expr:
    """The stay may have days in `period` (unknown dates may: they are shown).

    A stay that ends before it starts touches the days between its two dates.
    """
    start = pl.col("start_date")
    first = pl.min_horizontal(start, pl.col("end_date"))
    end = pl.max_horizontal(stay_end(), start + timedelta(days=1))
    overlaps = (first < period.end) & (end > period.first_day)
    return start.is_null() | overlaps.fill_null(True)


def numbered_placements(versions: Versions, verdicts: Verdicts) -> pl.LazyFrame:
    """The placements in force, numbered by their row (`placement_no`), with
    `NOT_ELIGIBLE_COLUMN` true where the verdict in force says not eligible (§11):
    what `segments.day_segments` cuts (the usable ones) and `rejected_segments` names."""
    not_eligible = verdicts.not_eligible
    return (
        versions.placements.with_row_index("placement_no")
        .lazy()
        .with_columns(
            pl.col("placement_id").is_in(not_eligible).alias(NOT_ELIGIBLE_COLUMN)
            if not_eligible
            else pl.lit(False).alias(NOT_ELIGIBLE_COLUMN)
        )
    )


def calculate(
    rules: Rules,
    log_rows: pl.DataFrame,
    periods: Sequence[Period],
    as_of: date,
    *,
    settle_only: Sequence[Period] = (),
    log_findings: pl.DataFrame | None = None,
    verdict_rows: pl.DataFrame | None = None,
) -> Calculation:
    """Compute `periods` from the rules and the log's rows as of `as_of`.

    `settle_only` periods are settled too, from the sums of their segments,
    without keeping the segments: closed periods recomputed for corrections
    need no ledger rows, and over two years of a large log it would be most of the
    work. `log_findings` are the warnings about the log's files
    (`log.Log.findings`); they are part of every period's findings.
    `verdict_rows` are the verdicts of the eligibility check as read
    (`inputs.verdicts`): the verdict in force as of `as_of` moves a placement
    judged not eligible from the fund to its centrumgemeente (§11).

    Raises RulesError when the rules lack a version a period needs (a key, a
    split, a budget) before anything else is done.
    """
    periods = tuple(sorted(set(periods)))
    settled_only = tuple(sorted(set(settle_only) - set(periods)))
    for period in (*periods, *settled_only):  # fail early on rules the periods need
        rules.key_for(period)
        rules.split_for(period)
        rules.budget_for(period.year)
    versions = versions_as_of(log_rows, as_of)
    verdicts = no_verdicts() if verdict_rows is None else verdicts_as_of(verdict_rows, as_of)
    placements = numbered_placements(versions, verdicts)
    usable = placements.filter(pl.col("reject_reason").is_null())
    rejected = placements.filter(pl.col("reject_reason").is_not_null())
    segments = pl.concat(
        [day_segments(usable, rules, periods), rejected_segments(rejected, periods)]
    )
    # Made whole once: the streaming engine leaves the segments in hundreds of
    # pieces of unequal cuts, and every later filter of them pays for each piece.
    all_segments = segments.select(*SEGMENT_SCHEMA).collect().rechunk()
    sums = _sums(all_segments.lazy())
    if settled_only:  # rejected days cost nothing: only the charged ones are summed
        sums = pl.concat([sums, _sums(day_segments(usable, rules, settled_only))])
    settlements = settle_periods(sums, rules, (*periods, *settled_only))
    fund_lots = tuple(lot.id for lot in rules.lots.values() if not lot.is_cosm)
    return Calculation(
        as_of,
        periods,
        versions,
        all_segments,
        settlements,
        fund_lots,
        rules,
        finding_frame() if log_findings is None else finding_frame(log_findings),
        verdicts,
    )
