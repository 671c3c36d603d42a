"""Use per group (*doelgroep*) and the COSM stream, for the committee.

Placements, days and costs per specific group, and the Justice stream
(*bedenktijd* of COSM) per lot and per placement id; no client identifier is
read. Capacity and occupancy per lot are core figures (`core.occupancy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

import polars as pl

from fundcalc.base.period import Period
from fundcalc.core.calculation import Calculation
from fundcalc.core.segments import JUSTICE, MUNICIPAL, stay_end
from fundcalc.inputs.rules import GROUPS, Rules
from fundcalc.report.figures import CHARGED, year_to_date

# --- per group (doelgroep) ---


@dataclass(frozen=True)
class GroupFigures:
    """A specific group (*doelgroep*): its placements, days and costs.

    `placements` counts placements with charged days in the month (or the year
    to date); `completed` the stays that ended in the year to date, whose
    average length is `average_stay`.
    """

    group: str
    placements: int
    days: int
    day_cost: int
    availability: int
    ytd_placements: int
    ytd_days: int
    ytd_day_cost: int
    ytd_availability: int
    completed: int
    completed_days: int

    @property
    def total(self) -> int:
        return self.day_cost + self.availability

    @property
    def ytd_total(self) -> int:
        return self.ytd_day_cost + self.ytd_availability

    @property
    def average_stay(self) -> Fraction | None:
        """Average length in days of the stays that ended this year."""
        return Fraction(self.completed_days, self.completed) if self.completed else None


def _lot_groups(rules: Rules) -> pl.DataFrame:
    return pl.DataFrame(
        {"lot_id": list(rules.lots), "group": [lot.group for lot in rules.lots.values()]},
        schema={"lot_id": pl.String, "group": pl.String},
    )


def group_figures(calculation: Calculation, rules: Rules, period: Period) -> list[GroupFigures]:
    """Every group of the arrangement (those without lots too), in the spec's order."""
    months = year_to_date(calculation, period)
    lots = _lot_groups(rules)
    in_month = pl.col("period") == str(period)
    placement, length, amount = pl.col("placement_no"), pl.col("days"), pl.col("amount_cents")
    rows = calculation.segments_of(months).filter(pl.col("stream").is_in(CHARGED))
    # In memory: the in-memory engine is faster at a few groups of a frame in memory.
    # Summed per lot and month first, then the month and the year told apart among
    # those few rows: filters within the groups of all the segments cost more.
    sums = (
        rows.group_by("lot_id", "period")
        .agg(length.sum(), amount.sum())
        .group_by("lot_id")
        .agg(
            length.filter(in_month).sum().alias("days"),
            amount.filter(in_month).sum().alias("cost"),
            length.sum().alias("ytd_days"),
            amount.sum().alias("ytd_cost"),
        )
        .collect(engine="in-memory")
    )
    counted = rows.select(placement, in_month.alias("in_month")).collect(engine="in-memory")
    by_lot = sums.join(
        _placements_by_lot(calculation, counted.filter("in_month")["placement_no"]),
        on="lot_id",
        how="left",
    ).join(
        _placements_by_lot(calculation, counted["placement_no"]).rename({"placements": "ytd"}),
        on="lot_id",
        how="left",
    )
    by_group = (
        by_lot.join(lots, on="lot_id")
        .group_by("group")
        .agg(pl.col("placements", "days", "cost", "ytd", "ytd_days", "ytd_cost").sum())
    )
    month, ytd = {}, {}
    for g, n, d, a, yn, yd, ya in by_group.iter_rows():
        month[str(g)], ytd[str(g)] = (int(n), int(d), int(a)), (int(yn), int(yd), int(ya))
    availability: dict[tuple[str, bool], int] = {}
    for p in months:
        for lot in calculation.settlements[p].lots:
            key = (lot.group, p == period)
            availability[key] = availability.get(key, 0) + lot.amount_cents
    completed = _completed_stays(calculation, lots, months[0].first_day, period.end)
    figures = []
    for group in GROUPS:
        n, days, cost = month.get(group, (0, 0, 0))
        yn, ydays, ycost = ytd.get(group, (0, 0, 0))
        this_month = availability.get((group, True), 0)
        stays, stay_days = completed.get(group, (0, 0))
        figures.append(
            GroupFigures(
                group=group,
                placements=n,
                days=days,
                day_cost=cost,
                availability=this_month,
                ytd_placements=yn,
                ytd_days=ydays,
                ytd_day_cost=ycost,
                ytd_availability=this_month + availability.get((group, False), 0),
                completed=stays,
                completed_days=stay_days,
            )
        )
    return figures


def _placements_by_lot(calculation: Calculation, numbers: pl.Series) -> pl.DataFrame:
    """How many distinct placements `numbers` (`placement_no`) name, per lot.

    Each placement is marked once and counted by its lot: far cheaper than
    counting distinct numbers in every group of a large ledger. Counted on the
    streaming engine: the placements come in the pieces the log cache was
    decoded in, and an eager filter pays for each piece.
    """
    placements = calculation.versions.placements
    marked = pl.zeros(placements.height, dtype=pl.Boolean, eager=True).scatter(numbers, True)
    return (
        placements.lazy()
        .select("lot_id", pl.lit(marked).alias("marked"))
        .filter("marked")
        .group_by("lot_id")
        .agg(pl.len().alias("placements"))
        .collect(engine="streaming")
    )


def _completed_stays(
    calculation: Calculation, lots: pl.DataFrame, start: date, end: date
) -> dict[str, tuple[int, int]]:
    """Per group: the number and total length of usable stays whose last day is in [start, end).

    A stay's days run from `start_date` to the day before `segments.stay_end`
    (one day when end_date equals start_date); stays without an end have not
    completed.
    """
    end_date = pl.col("end_date")
    last_day = stay_end() - timedelta(days=1)
    length = (stay_end() - pl.col("start_date")).dt.total_days().cast(pl.Int64)
    by_lot = (
        calculation.versions.placements.lazy()
        .filter(
            pl.col("reject_reason").is_null()
            & end_date.is_not_null()
            & (last_day >= start)
            & (last_day < end)
        )
        .group_by("lot_id")
        .agg(pl.len(), length.sum().alias("length"))
        .collect()  # one pass over every placement: the streaming engine wins
    )
    agg = by_lot.join(lots, on="lot_id").group_by("group").agg(pl.col("len", "length").sum())
    return {str(g): (int(n), int(d)) for g, n, d in agg.iter_rows()}


# --- the Justice stream (COSM) ---


@dataclass(frozen=True)
class CosmLotFigures:
    """A COSM lot: days and amounts inside the reflection window (Justice) and after it."""

    provider: str
    lot_id: str
    justice_days: int
    justice_day_cost: int
    municipal_days: int
    municipal_cost: int
    availability: int

    @property
    def justice(self) -> int:
        """What Justice pays for this lot: days in the window plus availability."""
        return self.justice_day_cost + self.availability


@dataclass(frozen=True)
class CosmPlacement:
    """One COSM placement's days in the period: by placement id only, never the client."""

    placement_id: str
    lot_id: str
    justice_days: int
    justice_cost: int
    municipal_days: int
    municipal_cost: int


def _stream_sums(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    return frame.group_by(by).agg(
        pl.col("days").filter(pl.col("stream") == JUSTICE).sum().alias("jd"),
        pl.col("amount_cents").filter(pl.col("stream") == JUSTICE).sum().alias("ja"),
        pl.col("days").filter(pl.col("stream") == MUNICIPAL).sum().alias("md"),
        pl.col("amount_cents").filter(pl.col("stream") == MUNICIPAL).sum().alias("ma"),
    )


@dataclass(frozen=True)
class CosmFigures:
    """The Justice stream of a period: per COSM lot, and per placement the first
    `listed` by placement id (the workbook lists no more), of `placement_count`."""

    lots: list[CosmLotFigures]
    placements: list[CosmPlacement]
    placement_count: int


def cosm_figures(
    calculation: Calculation, rules: Rules, period: Period, *, listed: int | None = None
) -> CosmFigures:
    """The Justice stream of the period per COSM lot and per placement.

    Only the first `listed` placements (all when None) become objects: a large
    log has hundreds of thousands, and their totals are the lots' totals.
    """
    cosm = [lot.id for lot in rules.lots.values() if lot.is_cosm]
    rows = calculation.segments(
        period,
        "placement_id",
        "lot_id",
        "stream",
        "days",
        "amount_cents",
        where=pl.col("lot_id").is_in(cosm) & pl.col("stream").is_in((JUSTICE, MUNICIPAL)),
    )
    per_lot = {
        str(lot): (int(jd), int(ja), int(md), int(ma))
        for lot, jd, ja, md, ma in _stream_sums(rows, ["lot_id"]).iter_rows()
    }
    available = {a.lot_id: a.amount_cents for a in calculation.settlements[period].lots}
    lots = []
    for lot_id in cosm:
        lot = rules.lots[lot_id]
        jd, ja, md, ma = per_lot.get(lot_id, (0, 0, 0, 0))
        lots.append(CosmLotFigures(lot.provider, lot_id, jd, ja, md, ma, available.get(lot_id, 0)))
    per_placement = _stream_sums(rows, ["placement_id", "lot_id"])
    first = per_placement.sort("placement_id", "lot_id")
    placements = [
        CosmPlacement(str(pid), str(lot), int(jd), int(ja), int(md), int(ma))
        for pid, lot, jd, ja, md, ma in (
            first if listed is None else first.head(listed)
        ).iter_rows()
    ]
    return CosmFigures(
        sorted(lots, key=lambda f: (f.provider, f.lot_id)), placements, per_placement.height
    )
