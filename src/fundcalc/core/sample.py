"""The eligibility check's sample (*steekproef*, §11): its population and its ranking.

The population of year Y as of D: the placements in force as of D with at
least one `FUND` day in Y, every month of Y computed as a run of that month
as of D would (a stay open at D counts on). It is drawn on §4 as it stands,
without verdicts: the verdicts are the outcome of checking the sample, and
if a verdict "not eligible" took its placement out of the population,
redrawing the year with the same seed would pull in a placement nobody
checked. A placement's rank is the lowercase hex SHA-256 of the UTF-8 text
`seed:placement_id`; the sample is the N smallest ranks, in rank order, so
anyone can redraw it with `sha256sum`.
"""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl

from fundcalc.base.period import Period
from fundcalc.core.segments import FUND, day_segments
from fundcalc.core.versions import versions_as_of
from fundcalc.inputs.rules import Rules

#: The columns of sample.csv (§11), in order.
SAMPLE_COLUMNS = (
    "rank",
    "placement_id",
    "client_id",
    "lot_id",
    "group",
    "centrumgemeente",
    "first_day",
    "last_day",
    "fund_days",
    "fund_cents",
)
_SCHEMA: dict[str, pl.DataType] = {
    "rank": pl.String(),
    "placement_id": pl.String(),
    "client_id": pl.String(),
    "lot_id": pl.String(),
    "group": pl.String(),
    "centrumgemeente": pl.String(),
    "first_day": pl.Date(),
    "last_day": pl.Date(),
    "fund_days": pl.Int64(),
    "fund_cents": pl.Int64(),
}


def rank(seed: str, placement_id: str) -> str:
    """§11: the lowercase hex SHA-256 of the UTF-8 text `seed:placement_id`."""
    return hashlib.sha256(f"{seed}:{placement_id}".encode()).hexdigest()


def sample_id(year: int, seed: str) -> str:
    """The name of a sample: its year and the first 8 characters of its seed."""
    return f"{year}-{seed[:8]}"


def months_with_a_key(rules: Rules, year: int) -> list[Period]:
    """The months of `year` on whose first day a key is in force: only they can
    have FUND days (a day is FUND for a member of the key in force)."""
    months = [Period(year, m) for m in range(1, 13)]
    return [p for p in months if any(k.valid_from <= p.first_day for k in rules.keys)]


def population(rules: Rules, log_rows: pl.DataFrame, year: int, as_of: date) -> pl.DataFrame:
    """The placements in force as of `as_of` with a FUND day in `year`, verdicts not applied.

    One row per placement with the columns of sample.csv (`rank` empty): its
    FUND days in the year, the first and last of them, their cost, the
    centrumgemeente of the first, and the group of its lot. Sorted by id.
    """
    months = months_with_a_key(rules, year)
    if not months:
        return pl.DataFrame(schema=_SCHEMA)
    placements = versions_as_of(log_rows, as_of).placements.with_row_index("placement_no")
    usable = placements.filter(pl.col("reject_reason").is_null())
    fund = (
        day_segments(usable.lazy(), rules, months)
        .filter(pl.col("stream") == FUND)
        .select("placement_no", "centrumgemeente", "first_day", "last_day", "days", "amount_cents")
        .collect()
    )
    groups = {lot.id: lot.group for lot in rules.lots.values()}
    per_placement = (
        fund.sort("placement_no", "first_day")
        .group_by("placement_no")
        .agg(
            pl.col("centrumgemeente").first(),
            pl.col("first_day").min(),
            pl.col("last_day").max(),
            pl.col("days").sum().alias("fund_days"),
            pl.col("amount_cents").sum().alias("fund_cents"),
        )
    )
    return (
        per_placement.join(
            placements.select("placement_no", "placement_id", "client_id", "lot_id"),
            on="placement_no",
        )
        .with_columns(
            pl.lit(None, dtype=pl.String).alias("rank"),
            pl.col("lot_id").replace_strict(groups, default=None).alias("group"),
        )
        .select(*_SCHEMA)
        .sort("placement_id")
    )


def ranked(members: pl.DataFrame, seed: str) -> pl.DataFrame:
    """The population with every placement's rank, in rank order."""
    ranks = [rank(seed, pid) for pid in members["placement_id"]]
    return members.with_columns(pl.Series("rank", ranks, dtype=pl.String)).sort("rank")


def draw(members: pl.DataFrame, seed: str, size: int) -> pl.DataFrame:
    """The sample: the `size` placements of the population with the smallest rank
    (all of them when `size` exceeds it), in rank order."""
    if size < 0:
        raise ValueError("the sample size cannot be negative")
    return ranked(members, seed).head(size)
