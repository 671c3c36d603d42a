"""Occupancy per lot (*perceel*): capacity and use of each lot within a period.

How many places a lot has under contract, how many days they were occupied and
on how many days more women were placed than contracted. Occupancy per day
comes from an interval sweep over the segments (+1 on a segment's first day,
−1 the day after its last, cumulative sums per lot) into spans of days with a
constant occupancy, never from one row per day per placement. The capacity
warning (`checks.over_capacity`) and the workbook's lots sheet both use these
figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

import polars as pl

from fundcalc.base.period import Period
from fundcalc.core.segments import REJECTED
from fundcalc.inputs.rules import Lot, LotTerms, Rules


@dataclass(frozen=True)
class LotFigures:
    """A lot (*perceel*) during one version of its terms within the period.

    A lot whose terms change within the month has one of these per version.
    `occupied_days` counts every day someone was placed on it (rejected days
    included: she was there); `day_cost` is what was charged for them.
    """

    provider: str
    lot_id: str
    group: str
    is_cosm: bool
    first_day: date
    last_day: date
    places: int
    day_tariff: int
    availability_tariff: int
    occupied_days: int
    rejected_days: int
    peak: int
    over_capacity_days: int
    day_cost: int

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def place_days(self) -> int:
        return self.places * self.days

    @property
    def availability_cost(self) -> int:
        return self.place_days * self.availability_tariff

    @property
    def total(self) -> int:
        return self.day_cost + self.availability_cost

    @property
    def occupancy(self) -> Fraction | None:
        return Fraction(self.occupied_days, self.place_days) if self.place_days else None


@dataclass(frozen=True)
class _TermPart:
    """A lot's terms clipped to the period: [start, end)."""

    lot: Lot
    terms: LotTerms
    start: date
    end: date


def _term_parts(rules: Rules, period: Period) -> list[_TermPart]:
    parts = []
    for lot in rules.lots.values():
        for terms in lot.terms:
            start = max(terms.valid_from, period.first_day)
            end = min(terms.valid_to or date.max, period.end)
            if start < end:
                parts.append(_TermPart(lot, terms, start, end))
    return parts


def _part_frame(parts: Sequence[_TermPart]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "lot_id": [p.lot.id for p in parts],
            "part_from": [p.start for p in parts],
            "part_to": [p.end for p in parts],
            "places": [p.terms.places for p in parts],
        },
        schema={"lot_id": pl.String, "part_from": pl.Date, "part_to": pl.Date, "places": pl.Int64},
    )


def occupancy_spans(placed: pl.DataFrame, parts: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Per lot, the spans of days with a constant number of placements (interval sweep).

    Every segment adds one placement from its `first_day` and removes it
    after its `last_day`; the starts of the terms' parts are cut points too,
    so each span lies within one part. Returns `lot_id, span_from, span_to,
    occupied` (spans with nobody placed included), never a row per day.
    """
    rows = placed.filter(pl.col("period") == str(period)).select("lot_id", "first_day", "last_day")
    events = pl.concat(
        [
            rows.select("lot_id", pl.col("first_day").alias("day"), pl.lit(1).alias("delta")),
            rows.select(
                "lot_id",
                (pl.col("last_day") + timedelta(days=1)).alias("day"),
                pl.lit(-1).alias("delta"),
            ),
            parts.select("lot_id", pl.col("part_from").alias("day"), pl.lit(0).alias("delta")),
            parts.select("lot_id", pl.col("part_to").alias("day"), pl.lit(0).alias("delta")),
        ]
    ).with_columns(pl.col("delta").cast(pl.Int64))
    return (
        events.group_by("lot_id", "day")
        .agg(pl.col("delta").sum())
        .sort("lot_id", "day")
        .with_columns(
            pl.col("delta").cum_sum().over("lot_id").alias("occupied"),
            pl.col("day").shift(-1).over("lot_id").alias("span_to"),
        )
        .filter(pl.col("span_to").is_not_null())
        .select("lot_id", pl.col("day").alias("span_from"), "span_to", "occupied")
    )


def lot_figures(placed: pl.DataFrame, rules: Rules, period: Period) -> list[LotFigures]:
    """Every lot with terms in the period, by provider and lot, one row per terms part.

    `placed` holds the period's segments on a lot within its terms (charged, or
    rejected with the lot's tariff known): `lot_id, stream, first_day, last_day,
    day_tariff_cents`.
    """
    parts = _term_parts(rules, period)
    frame = _part_frame(parts)
    sweep = (
        occupancy_spans(placed, frame, period)
        .join(frame, on="lot_id")
        .filter(
            (pl.col("span_from") >= pl.col("part_from")) & (pl.col("span_to") <= pl.col("part_to"))
        )
        .with_columns((pl.col("span_to") - pl.col("span_from")).dt.total_days().alias("length"))
        .group_by("lot_id", "part_from")
        .agg(
            (pl.col("occupied") * pl.col("length")).sum().alias("occupied_days"),
            pl.col("occupied").max().alias("peak"),
            pl.col("length").filter(pl.col("occupied") > pl.col("places")).sum().alias("over"),
        )
    )
    by_part = {
        (str(lot), start): (int(days), int(peak), int(over))
        for lot, start, days, peak, over in sweep.select(
            "lot_id", "part_from", "occupied_days", "peak", "over"
        ).iter_rows()
    }
    money = _part_sums(placed, frame)
    figures = []
    for part in parts:
        key = (part.lot.id, part.start)
        occupied, peak, over = by_part.get(key, (0, 0, 0))
        day_cost, rejected = money.get(key, (0, 0))
        figures.append(
            LotFigures(
                provider=part.lot.provider,
                lot_id=part.lot.id,
                group=part.lot.group,
                is_cosm=part.lot.is_cosm,
                first_day=part.start,
                last_day=part.end - timedelta(days=1),
                places=part.terms.places,
                day_tariff=part.terms.day_tariff_cents,
                availability_tariff=part.terms.availability_tariff_cents,
                occupied_days=occupied,
                rejected_days=rejected,
                peak=peak,
                over_capacity_days=over,
                day_cost=day_cost,
            )
        )
    return sorted(figures, key=lambda f: (f.provider, f.lot_id, f.first_day))


def _part_sums(
    placed: pl.DataFrame, parts: pl.DataFrame
) -> dict[tuple[str, date], tuple[int, int]]:
    """Charged amount and rejected days per terms part.

    A segment can cross a change of terms that keeps the day tariff, so each
    is clipped to each part: its days there times its (single) tariff.
    """
    first = pl.max_horizontal("first_day", "part_from")
    end = pl.min_horizontal(pl.col("last_day") + timedelta(days=1), pl.col("part_to"))
    sums = (
        placed.join(parts.select("lot_id", "part_from", "part_to"), on="lot_id")
        .with_columns((end - first).dt.total_days().alias("overlap"))
        .filter(pl.col("overlap") > 0)
        .with_columns((pl.col("stream") == REJECTED).alias("rejected"))
        .group_by("lot_id", "part_from")
        .agg(
            (pl.col("overlap") * pl.col("day_tariff_cents"))
            .filter(~pl.col("rejected"))
            .sum()
            .alias("cost"),
            pl.col("overlap").filter(pl.col("rejected")).sum().alias("rejected_days"),
        )
    )
    return {
        (str(lot), start): (int(cost), int(rejected))
        for lot, start, cost, rejected in sums.iter_rows()
    }
