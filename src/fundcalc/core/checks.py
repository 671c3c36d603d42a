"""Warnings: what changes no money but a finance officer must see.

Every check has one signature, `check(subject: CheckSubject) -> findings`, and
is listed in one registry, `CHECKS`; `run_checks` is the one place that calls
them (as beancount's `ops/validation.py` does). A check works on the usable
placements in force whose stay may touch the period (and, for capacity, on the
lots' figures of the period), on intervals, never on one row per day, and
returns findings of kind `warning`:

- reflection dates (*bedenktijd*) on a fund lot, which are ignored;
- on a COSM lot, a reflection period longer than the rules allow, ending
  before it starts, or ending without a start;
- one client in two placements on the same day (possible double billing),
  found by a sweep over each client's stays sorted by start;
- a stay longer than a year;
- a lot with more women placed than its contracted places (the capacity sweep
  of `occupancy`, shared with the workbook).

The checks of a stay's days need a period; `validate` without one runs only
the others (`CheckSubject.period` is None).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import polars as pl

from fundcalc.base.findings import WARNING, Finding, finding_frame, findings_of
from fundcalc.base.period import Period
from fundcalc.base.reasons import (
    DOUBLE_PLACEMENT,
    FUND_LOT_REFLECTION,
    LONG_STAY,
    OVER_CAPACITY,
    REFLECTION_BEFORE_START,
    REFLECTION_TOO_LONG,
    REFLECTION_TOO_LONG_A_MONTH,
    REFLECTION_WITHOUT_START,
)
from fundcalc.core.segments import stay_end
from fundcalc.inputs.rules import Rules


class LotCapacity(Protocol):
    """What the capacity check needs of a lot's figures (`occupancy.LotFigures`)."""

    @property
    def lot_id(self) -> str: ...
    @property
    def places(self) -> int: ...
    @property
    def peak(self) -> int: ...
    @property
    def over_capacity_days(self) -> int: ...


@dataclass(frozen=True)
class CheckSubject:
    """What every check is given.

    `usable`: the usable placements in force (no `reject_reason`) whose stay
    may touch `period`; `period`: the month, or None when the log is checked
    as a whole; `lots`: the lots' figures in `period` (none without one).
    """

    usable: pl.DataFrame
    rules: Rules
    period: Period | None = None
    lots: Sequence[LotCapacity] = ()


Check = Callable[[CheckSubject], pl.DataFrame]


def _warning(frame: pl.DataFrame, reason: pl.Expr, days: pl.Expr | None = None) -> pl.DataFrame:
    """Warnings of the rows of `frame`: `reason` is their reason (`PARTS`)."""
    return finding_frame(
        frame.select(
            pl.lit(WARNING).alias("kind"),
            "source",
            "line",
            "placement_id",
            reason.alias("parts"),
            (days if days is not None else pl.lit(None, dtype=pl.Int64)).alias("days"),
        )
    )


def run_checks(
    placements: pl.DataFrame,
    rules: Rules,
    period: Period | None = None,
    lots: Sequence[LotCapacity] = (),
) -> pl.DataFrame:
    """Every check of `CHECKS` on the usable ones of `placements` (in force, their
    stay touching `period`), in the registry's order; without a period, only the
    checks that need none."""
    usable = placements.filter(
        pl.col("reject_reason").is_null() & pl.col("start_date").is_not_null()
    )
    subject = CheckSubject(usable, rules, period, lots)
    return pl.concat(
        [check(subject) for check in CHECKS if period is not None or check in WITHOUT_PERIOD]
    )


def _lots(rules: Rules, *, cosm: bool) -> pl.Expr:
    return pl.col("lot_id").is_in([lot.id for lot in rules.lots.values() if lot.is_cosm == cosm])


def fund_lot_reflection(subject: CheckSubject) -> pl.DataFrame:
    """Reflection dates on a fund lot: they are ignored (§4.4 is COSM's)."""
    start, end = pl.col("reflection_start"), pl.col("reflection_end")
    fund = _lots(subject.rules, cosm=False)
    return _warning(
        subject.usable.filter(fund & (start.is_not_null() | end.is_not_null())),
        FUND_LOT_REFLECTION.parts(),
    )


def reflection_too_long(subject: CheckSubject) -> pl.DataFrame:
    """A COSM reflection period longer than the rules allow: the window ends earlier."""
    start, end = pl.col("reflection_start"), pl.col("reflection_end")
    months = subject.rules.reflection_months
    allowed = start.dt.offset_by(f"{months}mo")
    return _warning(
        subject.usable.filter(_lots(subject.rules, cosm=True) & (end > allowed)),
        (
            REFLECTION_TOO_LONG_A_MONTH.parts(allowed.dt.to_string("%Y-%m-%d"))
            if months == 1
            else REFLECTION_TOO_LONG.parts(pl.lit(months), allowed.dt.to_string("%Y-%m-%d"))
        ),
    )


def reflection_before_start(subject: CheckSubject) -> pl.DataFrame:
    """A COSM reflection period that ends before it starts: no window at all."""
    start, end = pl.col("reflection_start"), pl.col("reflection_end")
    cosm = _lots(subject.rules, cosm=True)
    return _warning(subject.usable.filter(cosm & (end < start)), REFLECTION_BEFORE_START.parts())


def reflection_without_start(subject: CheckSubject) -> pl.DataFrame:
    """A COSM reflection end without a start: no window at all."""
    start, end = pl.col("reflection_start"), pl.col("reflection_end")
    cosm = _lots(subject.rules, cosm=True)
    return _warning(
        subject.usable.filter(cosm & start.is_null() & end.is_not_null()),
        REFLECTION_WITHOUT_START.parts(),
    )


def double_placements(subject: CheckSubject) -> pl.DataFrame:
    """One client in two placements on the same day: a sweep per client.

    Sorted by start, a stay overlaps an earlier one of the same client when
    it starts before the latest end so far; the warning names the placement
    holding that end and counts the shared days within the period.
    """
    period = _period(subject)
    client = "client_id"
    stays = (
        # Only clients with more than one placement can be placed twice. They are
        # found by the hash of their id, cheaper to compare than the id itself: a
        # client whose hash only is shared is swept alone, and overlaps nothing.
        subject.usable.filter(pl.col(client).is_not_null() & pl.col(client).hash().is_duplicated())
        .select("source", "line", "placement_id", client, "start_date", stay_end().alias("to"))
        .sort(client, "start_date", "placement_id")
        .with_columns(pl.col("to").cum_max().over(client).alias("latest"))
        .with_columns(
            pl.when(pl.col("to") == pl.col("latest"))
            .then(pl.col("placement_id"))
            .forward_fill()
            .over(client)
            .alias("holder")
        )
        .with_columns(
            pl.col("latest").shift(1).over(client).alias("before"),
            pl.col("holder").shift(1).over(client).alias("other"),
        )
    )
    first = pl.max_horizontal("start_date", pl.lit(period.first_day))
    last = pl.min_horizontal("to", "before", pl.lit(period.end))
    shared = (last - first).dt.total_days().cast(pl.Int64)
    overlapping = stays.filter(pl.col("start_date") < pl.col("before")).filter(shared > 0)
    return _warning(
        overlapping,
        DOUBLE_PLACEMENT.parts("other"),
        shared,
    )


def long_stays(subject: CheckSubject) -> pl.DataFrame:
    """Stays that have lasted more than a year by a day of the period."""
    period = _period(subject)
    anniversary = pl.col("start_date").dt.offset_by("1y")
    return _warning(
        subject.usable.filter(
            (stay_end() > anniversary)
            & (anniversary < period.end)
            & (stay_end() > period.first_day)
        ),
        LONG_STAY.parts(pl.col("start_date").dt.to_string("%Y-%m-%d")),
    )


def over_capacity(subject: CheckSubject) -> pl.DataFrame:
    """Lots with more women placed than their contracted places on some days."""
    return findings_of(
        [
            Finding(
                WARNING,
                (OVER_CAPACITY(lot.lot_id, lot.places, lot.peak),),
                days=lot.over_capacity_days,
            )
            for lot in subject.lots
            if lot.over_capacity_days > 0
        ]
    )


def _period(subject: CheckSubject) -> Period:
    if subject.period is None:
        raise ValueError("this check needs a period (run_checks leaves it out without one)")
    return subject.period


#: Every check, in the order its findings are listed before they are sorted.
CHECKS: tuple[Check, ...] = (
    fund_lot_reflection,
    reflection_too_long,
    reflection_before_start,
    reflection_without_start,
    double_placements,
    long_stays,
    over_capacity,
)
#: The checks that need no period: `validate` without --period runs these.
WITHOUT_PERIOD: frozenset[Check] = frozenset(
    (fund_lot_reflection, reflection_too_long, reflection_before_start, reflection_without_start)
)
