"""Warnings: what changes no money but a finance officer must see.

Each check works on the placements in force whose stay may touch the period
(and, for capacity, on the lots' figures of the period), on intervals, never
on one row per day, and returns findings of kind `warning`:

- reflection dates (*bedenktijd*) on a fund lot, which are ignored;
- on a COSM lot, a reflection period longer than the rules allow, ending
  before it starts, or ending without a start;
- one client in two placements on the same day (possible double billing),
  found by a sweep over each client's stays sorted by start;
- a stay longer than a year;
- a lot with more women placed than its contracted places (the capacity sweep
  of `capacity`, shared with the workbook).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import polars as pl

from fundcalc.base.findings import WARNING, finding_frame, reason_text
from fundcalc.base.period import Period
from fundcalc.core.segments import stay_end
from fundcalc.inputs.rules import Rules

FUND_LOT_REFLECTION = "reflection dates on a fund lot are ignored"
REFLECTION_BEFORE_START = "reflection_end before reflection_start: no reflection window"
REFLECTION_WITHOUT_START = "reflection_end without reflection_start: no reflection window"


def _warning(frame: pl.DataFrame, reason: pl.Expr, days: pl.Expr | None = None) -> pl.DataFrame:
    return finding_frame(
        frame.select(
            pl.lit(WARNING).alias("kind"),
            "source",
            "line",
            "placement_id",
            reason.alias("reason"),
            (days if days is not None else pl.lit(None, dtype=pl.Int64)).alias("days"),
        )
    )


def placement_warnings(touching: pl.DataFrame, rules: Rules, period: Period) -> pl.DataFrame:
    """Every warning about the usable placements whose stay may touch `period`."""
    usable = touching.filter(pl.col("reject_reason").is_null() & pl.col("start_date").is_not_null())
    return pl.concat(
        [
            *reflection_warnings(usable, rules),
            double_placements(usable, period),
            long_stays(usable, period),
        ]
    )


def reflection_warnings(usable: pl.DataFrame, rules: Rules) -> list[pl.DataFrame]:
    """Reflection dates that are ignored, or that make a window other than written."""
    start, end = pl.col("reflection_start"), pl.col("reflection_end")
    cosm = pl.col("lot_id").is_in([lot.id for lot in rules.lots.values() if lot.is_cosm])
    fund = pl.col("lot_id").is_in([lot.id for lot in rules.lots.values() if not lot.is_cosm])
    months = rules.reflection_months
    allowed = start.dt.offset_by(f"{months}mo")
    too_long = usable.filter(cosm & (end > allowed))
    return [
        _warning(
            usable.filter(fund & (start.is_not_null() | end.is_not_null())),
            pl.lit(FUND_LOT_REFLECTION),
        ),
        _warning(
            too_long,
            reason_text(
                "reflection period longer than {} months: from {} the days are charged"
                " to the centrumgemeente",
                pl.lit(months),
                allowed.dt.to_string("%Y-%m-%d"),
            ),
        ),
        _warning(usable.filter(cosm & (end < start)), pl.lit(REFLECTION_BEFORE_START)),
        _warning(
            usable.filter(cosm & start.is_null() & end.is_not_null()),
            pl.lit(REFLECTION_WITHOUT_START),
        ),
    ]


def double_placements(usable: pl.DataFrame, period: Period) -> pl.DataFrame:
    """One client in two placements on the same day: a sweep per client.

    Sorted by start, a stay overlaps an earlier one of the same client when
    it starts before the latest end so far; the warning names the placement
    holding that end and counts the shared days within the period.
    """
    client = "client_id"
    stays = (
        # Only clients with more than one placement can be placed twice. They are
        # found by the hash of their id (10 M: 0.15 s, against 0.45 s by the id):
        # a client whose hash only is shared is swept alone, and overlaps nothing.
        usable.filter(pl.col(client).is_not_null() & pl.col(client).hash().is_duplicated())
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
        reason_text(
            "the same client is also in placement {} on these days (possible double billing)",
            "other",
        ),
        shared,
    )


def long_stays(usable: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Stays that have lasted more than a year by a day of the period."""
    anniversary = pl.col("start_date").dt.offset_by("1y")
    return _warning(
        usable.filter(
            (stay_end() > anniversary)
            & (anniversary < period.end)
            & (stay_end() > period.first_day)
        ),
        reason_text(
            "stay longer than a year (since {})", pl.col("start_date").dt.to_string("%Y-%m-%d")
        ),
    )


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


def over_capacity(lots: Iterable[LotCapacity]) -> pl.DataFrame:
    """Lots with more women placed than their contracted places on some days."""
    over = [lot for lot in lots if lot.over_capacity_days > 0]
    return finding_frame(
        pl.DataFrame(
            {
                "kind": [WARNING] * len(over),
                "reason": [
                    f"lot {lot.lot_id}: more placements than contracted places ({lot.places})"
                    f" on these days, at most {lot.peak} on a day"
                    for lot in over
                ],
                "days": [lot.over_capacity_days for lot in over],
            },
            schema={"kind": pl.String, "reason": pl.String, "days": pl.Int64},
        )
    )
