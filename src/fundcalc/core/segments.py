"""Stays cut into day segments, each with its stream, payer and tariff (§4.2–§4.6).

A stay is never expanded to one row per day. It is clipped to the periods
asked for and cut at every boundary that can change what a day costs or who
pays it: month ends, the lot's terms, the municipality's centrumgemeente
(mergers included) and the reflection window (*bedenktijd*). Each resulting
segment is consecutive days with one stream:

* `FUND`: a day on a fund lot, paid from the fund;
* `JUSTICE`: a COSM day inside the reflection window, paid by the Ministry;
* `MUNICIPAL`: a COSM day outside the window, paid by the centrumgemeente;
  and, by the amendment of §11, a day on a fund lot of a placement judged
  not eligible (*geen doelgroep*) by the eligibility check: regular shelter,
  the responsible centrumgemeente's own task, member of the fund or not
  (`reason` says so: `NOT_ELIGIBLE`, or `NOT_ELIGIBLE_NOT_A_MEMBER` where the
  day would have been rejected rather than paid by the fund);
* `REJECTED`: a day that cannot be charged, with its reason.

A segment's `reason` is a reason's parts (`base.reasons`): its English is made
for the ledger rows (`Calculation.ledger_rows_for`), its Dutch for the workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import polars as pl

from fundcalc.base.period import BEGINNING, END_OF_TIME, Period
from fundcalc.base.reasons import (
    NO_CENTRUMGEMEENTE,
    NO_TERMS,
    NOT_A_MEMBER,
    NOT_ELIGIBLE,
    NOT_ELIGIBLE_NOT_A_MEMBER,
    PARTS,
    UNKNOWN_LOT,
)
from fundcalc.inputs.rules import Rules

FUND = "FUND"
JUSTICE = "JUSTICE"
MUNICIPAL = "MUNICIPAL"
REJECTED = "REJECTED"
STREAMS = (FUND, JUSTICE, MUNICIPAL, REJECTED)

#: The column of `placements` that marks a verdict in force "not eligible".
NOT_ELIGIBLE_COLUMN = "not_eligible"

#: A day segment names its placement by number only: the placement's row in
#: the placements it was cut from (`placement_no`). Its id, client and log row
#: (`IDENTITY`) are taken from there where they are shown; carried through the
#: cutting, they would be most of what is copied.
SEGMENT_SCHEMA: dict[str, pl.DataType] = {
    "period": pl.String(),
    "placement_no": pl.UInt32(),
    "lot_id": pl.String(),
    "stream": pl.String(),
    "centrumgemeente": pl.String(),
    "first_day": pl.Date(),
    "last_day": pl.Date(),
    "days": pl.Int64(),
    "day_tariff_cents": pl.Int64(),
    "amount_cents": pl.Int64(),
    "reason": PARTS,
}
#: The columns of a placement that segments name by `placement_no`.
IDENTITY = ("placement_id", "client_id", "source", "line")


def lot_term_intervals(rules: Rules) -> pl.DataFrame:
    """Every lot's terms as intervals covering all time; null terms where it has none.

    Columns `lot_id, term_from, term_to, is_cosm, places, day_tariff_cents,
    availability_tariff_cents`.
    """
    rows: list[dict[str, object]] = []
    for lot in rules.lots.values():
        cursor = BEGINNING
        for terms in lot.terms:
            if cursor < terms.valid_from:
                rows.append(_gap(lot.id, lot.is_cosm, cursor, terms.valid_from))
            end = terms.valid_to or END_OF_TIME
            rows.append(
                {
                    "lot_id": lot.id,
                    "term_from": terms.valid_from,
                    "term_to": end,
                    "is_cosm": lot.is_cosm,
                    "places": terms.places,
                    "day_tariff_cents": terms.day_tariff_cents,
                    "availability_tariff_cents": terms.availability_tariff_cents,
                }
            )
            cursor = end
        if cursor < END_OF_TIME:
            rows.append(_gap(lot.id, lot.is_cosm, cursor, END_OF_TIME))
    return pl.DataFrame(
        rows,
        schema={
            "lot_id": pl.String,
            "term_from": pl.Date,
            "term_to": pl.Date,
            "is_cosm": pl.Boolean,
            "places": pl.Int64,
            "day_tariff_cents": pl.Int64,
            "availability_tariff_cents": pl.Int64,
        },
    )


def _gap(lot_id: str, is_cosm: bool, start: object, end: object) -> dict[str, object]:
    return {
        "lot_id": lot_id,
        "term_from": start,
        "term_to": end,
        "is_cosm": is_cosm,
        "places": None,
        "day_tariff_cents": None,
        "availability_tariff_cents": None,
    }


def _month_table(periods: Sequence[Period]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "month_index": [p.index for p in periods],
            "period": [str(p) for p in periods],
            "month_from": [p.first_day for p in periods],
            "month_to": [p.end for p in periods],
        },
        schema={
            "month_index": pl.Int64,
            "period": pl.String,
            "month_from": pl.Date,
            "month_to": pl.Date,
        },
    )


def _membership(rules: Rules, periods: Sequence[Period]) -> pl.DataFrame:
    pairs = [(str(p), code) for p in periods for code in rules.key_for(p).members]
    return pl.DataFrame(
        {"period": [p for p, _ in pairs], "member": [c for _, c in pairs]},
        schema={"period": pl.String, "member": pl.String},
    ).with_columns(pl.lit(True).alias("is_member"))


def _month_index(day: pl.Expr) -> pl.Expr:
    return day.dt.year().cast(pl.Int64) * 12 + day.dt.month().cast(pl.Int64) - 1


def _intersect(start: str, end: str) -> list[pl.Expr]:
    """Narrow [seg_from, seg_to) to its overlap with [start, end) where those are known."""
    return [
        pl.max_horizontal("seg_from", pl.col(start))
        .fill_null(pl.col("seg_from"))
        .alias("seg_from"),
        pl.min_horizontal("seg_to", pl.col(end)).fill_null(pl.col("seg_to")).alias("seg_to"),
    ]


def day_segments(
    placements: pl.LazyFrame,
    rules: Rules,
    periods: Sequence[Period],
    *,
    municipality_intervals: pl.DataFrame | None = None,
    term_intervals: pl.DataFrame | None = None,
) -> pl.LazyFrame:
    """Cut the stays of usable placements into segments within `periods`.

    `placements` are versions in force that are not rejected as a whole,
    numbered by their row (`placement_no`), with `not_eligible` true where
    the verdict in force says so (§11; without the column, none is). The result has the
    columns of SEGMENT_SCHEMA; charged and rejected days
    together are every day of every stay within the periods, each once.
    """
    periods = sorted(set(periods))
    window_from, window_to = periods[0].first_day, periods[-1].end
    months = _month_table(periods)
    terms = term_intervals if term_intervals is not None else lot_term_intervals(rules)
    mapping = (
        municipality_intervals
        if municipality_intervals is not None
        else rules.municipalities.intervals()
    )
    # Only the intervals that can meet the window matter.
    terms = terms.filter((pl.col("term_to") > window_from) & (pl.col("term_from") < window_to))
    mapping = mapping.filter((pl.col("mun_to") > window_from) & (pl.col("mun_from") < window_to))

    if NOT_ELIGIBLE_COLUMN not in placements.collect_schema().names():
        placements = placements.with_columns(pl.lit(False).alias(NOT_ELIGIBLE_COLUMN))
    stays = (
        _clipped(placements, window_from, window_to)
        .select(
            "placement_no",
            NOT_ELIGIBLE_COLUMN,
            "lot_id",
            pl.coalesce("brp_municipality", "found_municipality").alias("municipality_code"),
            "reflection_start",
            "reflection_end",
            "seg_from",
            "seg_to",
        )
        # Lot terms: unknown lots find nothing and keep their whole span.
        .join(terms.lazy(), on="lot_id", how="left")
        .filter(
            pl.col("term_from").is_null()
            | ((pl.col("term_from") < pl.col("seg_to")) & (pl.col("term_to") > pl.col("seg_from")))
        )
        .with_columns(
            *_intersect("term_from", "term_to"),
            pl.col("term_from").is_not_null().alias("lot_known"),
        )
        .pipe(_by_month, months)
        # Centrumgemeente: unknown codes find nothing and keep their whole span.
        .join(mapping.lazy(), on="municipality_code", how="left")
        .filter(
            pl.col("mun_from").is_null()
            | ((pl.col("mun_from") < pl.col("seg_to")) & (pl.col("mun_to") > pl.col("seg_from")))
        )
        .with_columns(*_intersect("mun_from", "mun_to"))
    )
    return _streams(_reflection_cut(stays, rules.reflection_months), _membership(rules, periods))


def stay_end() -> pl.Expr:
    """The day after a stay's last day (§4.2): the one rule for where a stay ends.

    A stay covers start_date ≤ d < end_date (the day of departure is not
    charged); with no end_date every day from the start on (`END_OF_TIME`);
    when end_date equals start_date, that one day.
    """
    end = pl.col("end_date")
    start = pl.col("start_date")
    return (
        pl.when(end.is_null())
        .then(pl.lit(END_OF_TIME))
        .when(end == start)
        .then(start + timedelta(days=1))
        .otherwise(end)
    )


def _clipped(placements: pl.LazyFrame, window_from: date, window_to: date) -> pl.LazyFrame:
    """Each stay as [seg_from, seg_to) within the window; stays outside it dropped."""
    return placements.with_columns(
        pl.max_horizontal(pl.col("start_date"), pl.lit(window_from)).alias("seg_from"),
        pl.min_horizontal(stay_end(), pl.lit(window_to)).alias("seg_to"),
    ).filter(pl.col("seg_from") < pl.col("seg_to"))


def _by_month(segments: pl.LazyFrame, months: pl.DataFrame) -> pl.LazyFrame:
    """A segment spanning several periods becomes one per period (with `period`)."""
    return (
        segments.with_columns(
            pl.int_ranges(
                _month_index(pl.col("seg_from")),
                _month_index(pl.col("seg_to") - timedelta(days=1)) + 1,
            ).alias("month_index")
        )
        .explode("month_index")
        .join(months.lazy(), on="month_index", how="inner")
        .with_columns(*_intersect("month_from", "month_to"))
    )


def rejected_segments(placements: pl.LazyFrame, periods: Sequence[Period]) -> pl.LazyFrame:
    """The days within `periods` of placements rejected as a whole, as REJECTED segments.

    Only placements whose stay can be told (`stay_known`: one version with a
    readable start and end) have days to show; the others are exceptions
    without days.
    """
    periods = sorted(set(periods))
    readable = placements.filter(pl.col("stay_known"))
    days = (pl.col("seg_to") - pl.col("seg_from")).dt.total_days().cast(pl.Int64)
    return (
        _clipped(readable, periods[0].first_day, periods[-1].end)
        .pipe(_by_month, _month_table(periods))
        .select(
            "period",
            "placement_no",
            "lot_id",
            pl.lit(REJECTED).alias("stream"),
            pl.lit(None, dtype=pl.String).alias("centrumgemeente"),
            pl.col("seg_from").alias("first_day"),
            (pl.col("seg_to") - timedelta(days=1)).alias("last_day"),
            days.alias("days"),
            pl.lit(None, dtype=pl.Int64).alias("day_tariff_cents"),
            pl.lit(0, dtype=pl.Int64).alias("amount_cents"),
            pl.col("reject_reason").alias("reason"),
        )
    )


def _reflection_cut(stays: pl.LazyFrame, reflection_months: int) -> pl.LazyFrame:
    """Cut COSM segments into before, inside and after the reflection window.

    The window is `reflection_start` ≤ d < min(`reflection_end`,
    `reflection_start` + `reflection_months` months); fund lots have none.
    """
    window_start = pl.col("reflection_start")
    window_end = pl.min_horizontal(
        pl.col("reflection_end").fill_null(pl.lit(END_OF_TIME)),
        window_start.dt.offset_by(f"{reflection_months}mo"),
    )
    has_window = pl.col("is_cosm").fill_null(False) & window_start.is_not_null()
    seg_from, seg_to = pl.col("seg_from"), pl.col("seg_to")
    ws, we = window_start, pl.max_horizontal(window_end, window_start)
    # Only segments with a window are cut (few: COSM); the others pass as they are.
    plain = stays.filter(~has_window).with_columns(pl.lit(False).alias("in_window"))
    windowed = stays.filter(has_window)
    pieces = (  # before, inside and after the window; empty pieces are dropped
        (seg_from, pl.min_horizontal(seg_to, ws), False),
        (pl.max_horizontal(seg_from, ws), pl.min_horizontal(seg_to, we), True),
        (pl.max_horizontal(seg_from, we), seg_to, False),
    )
    cut = pl.concat(
        windowed.with_columns(
            piece_from.alias("seg_from"),
            piece_to.alias("seg_to"),
            pl.lit(inside).alias("in_window"),
        )
        for piece_from, piece_to, inside in pieces
    ).filter(pl.col("seg_from") < pl.col("seg_to"))
    return pl.concat([plain, cut])


def _streams(segments: pl.LazyFrame, membership: pl.DataFrame) -> pl.LazyFrame:
    """Decide each segment's stream, payer and reason, and price it."""
    centrumgemeente = pl.col("centrumgemeente")
    cosm = pl.col("is_cosm")
    tariff = pl.col("day_tariff_cents")
    stream = (
        pl.when(~pl.col("lot_known") | tariff.is_null())
        .then(pl.lit(REJECTED))
        .when(cosm & pl.col("in_window"))
        .then(pl.lit(JUSTICE))
        .when(centrumgemeente.is_null())
        .then(pl.lit(REJECTED))
        .when(cosm | pl.col(NOT_ELIGIBLE_COLUMN))
        .then(pl.lit(MUNICIPAL))
        .when(pl.col("is_member").is_null())
        .then(pl.lit(REJECTED))
        .otherwise(pl.lit(FUND))
    )
    reason = (
        pl.when(~pl.col("lot_known"))
        .then(UNKNOWN_LOT.parts("lot_id"))
        .when(tariff.is_null())
        .then(NO_TERMS.parts("lot_id"))
        .when(cosm & pl.col("in_window"))
        .then(pl.lit(None, dtype=PARTS))
        .when(centrumgemeente.is_null())
        .then(NO_CENTRUMGEMEENTE.parts("municipality_code"))
        .when(cosm)
        .then(pl.lit(None, dtype=PARTS))
        .when(pl.col(NOT_ELIGIBLE_COLUMN) & pl.col("is_member").is_null())
        .then(NOT_ELIGIBLE_NOT_A_MEMBER.parts())
        .when(pl.col(NOT_ELIGIBLE_COLUMN))
        .then(NOT_ELIGIBLE.parts())
        .when(pl.col("is_member").is_null())
        .then(NOT_A_MEMBER.parts(centrumgemeente))
    )
    days = (pl.col("seg_to") - pl.col("seg_from")).dt.total_days().cast(pl.Int64)
    return (
        segments.join(
            membership.lazy(),
            left_on=["period", "centrumgemeente"],
            right_on=["period", "member"],
            how="left",
        )
        .with_columns(stream.alias("stream"), reason.alias("reason"), days.alias("days"))
        .select(
            "period",
            "placement_no",
            "lot_id",
            "stream",
            pl.when(pl.col("stream") == JUSTICE)
            .then(None)
            .otherwise(centrumgemeente)
            .alias("centrumgemeente"),
            pl.col("seg_from").alias("first_day"),
            (pl.col("seg_to") - timedelta(days=1)).alias("last_day"),
            "days",
            tariff,
            pl.when(pl.col("stream") == REJECTED)
            .then(pl.lit(0, dtype=pl.Int64))
            .otherwise(pl.col("days") * tariff)
            .alias("amount_cents"),
            "reason",
        )
    )


def ledger_rows(segments: pl.DataFrame) -> pl.DataFrame:
    """Merge adjacent segments of a placement with the same stream, payer, tariff and reason.

    A ledger row is one placement's consecutive days with one stream, tariff
    and centrumgemeente (§5). Most often no segment continues another, since a
    month's segments are cut where something changes: then the segments, in
    order, are the ledger rows, and no grouping is done.
    """
    same = ["period", "placement_no", "stream", "centrumgemeente", "day_tariff_cents", "reason"]
    # Sorted by placement and day, a segment continues the ledger row of the one before it
    # when it is the same placement, starts the next day and matches in `same`.
    continues = (pl.col("first_day") == pl.col("last_day").shift(1) + timedelta(days=1)).fill_null(
        False
    ) & pl.all_horizontal(pl.col(c).eq_missing(pl.col(c).shift(1)) for c in same)
    # Ordered work on a frame in memory: the in-memory engine is faster at it
    # than the streaming one (polars' default).
    ordered = (
        segments.lazy()
        .sort("placement_no", "first_day")
        .with_columns(continues.alias("_continues"))
        .collect(engine="in-memory")
    )
    columns = list(segments.columns)
    if not ordered["_continues"].any():
        return ordered.select(columns)
    return (
        ordered.lazy()
        .with_columns((~pl.col("_continues")).cum_sum().alias("_row"))
        .group_by("_row", maintain_order=True)
        .agg(
            *(pl.col(c).first() for c in ("period", "placement_no", "lot_id")),
            pl.col("stream").first(),
            pl.col("centrumgemeente").first(),
            pl.col("first_day").min(),
            pl.col("last_day").max(),
            pl.col("days").sum(),
            pl.col("day_tariff_cents").first(),
            pl.col("amount_cents").sum(),
            pl.col("reason").first(),
        )
        .select(columns)
        .collect(engine="in-memory")
    )
