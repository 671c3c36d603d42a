"""Corrections of closed periods (§6), and the statements they are measured against.

A closed period's figures are settled (closing is `app.run.close_period`,
the archive `archive.store`, a replay `app.replay`). When records arrive
late, a later run recomputes every closed period within
`correction_lookback_months` (in one calculation with the period itself) and
books, per payer and item, the new figure minus what was settled so far as a
*correction row* in the later period's statement. Settled so far for Q = Q's
own statement plus every correction for Q booked by periods closed after it.
A late record that would change a closed period older than the lookback is
an exception: too late to correct.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import polars as pl

from fundcalc.archive.store import ClosedPeriod
from fundcalc.base.findings import EXCEPTION, finding_frame
from fundcalc.base.period import Period
from fundcalc.base.reasons import TOO_LATE
from fundcalc.core.allocation import ITEMS, Settlement, StatementRow
from fundcalc.core.segments import stay_end
from fundcalc.core.versions import versions_as_of


@dataclass(frozen=True)
class Settled:
    """What the archive says was settled before a period: closes and their statements."""

    closed: tuple[ClosedPeriod, ...] = ()
    statements: Mapping[Period, tuple[StatementRow, ...]] = field(default_factory=dict)

    def to_correct(self, period: Period, lookback_months: int) -> list[Period]:
        """The closed periods before `period` within the lookback, to be recomputed."""
        return [
            c.period
            for c in self.closed
            if c.period < period and c.period.index >= period.index - lookback_months
        ]

    def too_old(self, period: Period, lookback_months: int) -> list[ClosedPeriod]:
        """The closed periods before `period` beyond the lookback: never corrected again."""
        return [c for c in self.closed if c.period.index < period.index - lookback_months]

    def so_far(self, target: Period) -> dict[tuple[str, str], int]:
        """Per payer and item, everything booked for `target` in the closed statements."""
        return dict(self._booked.get(str(target), {}))

    @cached_property
    def _booked(self) -> dict[str, dict[tuple[str, str], int]]:
        """Per `for_period`, then payer and item: the closed statements summed once."""
        totals: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
        for rows in self.statements.values():
            for row in rows:
                totals[row.for_period][(row.payer, row.item)] += row.amount_cents
        return {for_period: dict(booked) for for_period, booked in totals.items()}


def parse_statement(data: bytes) -> tuple[StatementRow, ...]:
    """The rows of a statement.csv."""
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    next(reader, None)
    return tuple(
        StatementRow(period, payer, item, for_period, int(amount))
        for period, payer, item, for_period, amount in reader
    )


def correction_rows(
    period: Period, recomputed: Mapping[Period, Settlement], settled: Settled
) -> tuple[StatementRow, ...]:
    """For each recomputed closed period: new − settled so far, per payer and item.

    Rows whose difference is zero are left out. Order: by corrected period,
    then payer and item as in a statement.
    """
    rows: list[StatementRow] = []
    for target in sorted(recomputed):
        new: dict[tuple[str, str], int] = defaultdict(int)
        order: list[tuple[str, str]] = []
        for row in recomputed[target].rows():
            if (row.payer, row.item) not in new:
                order.append((row.payer, row.item))
            new[(row.payer, row.item)] += row.amount_cents
        old = settled.so_far(target)
        rank = {key: i for i, key in enumerate(order)}
        for payer, item in sorted(
            set(new) | set(old),
            key=lambda k: (rank.get(k, len(rank)), k[0], ITEMS.index(k[1])),
        ):
            difference = new.get((payer, item), 0) - old.get((payer, item), 0)
            if difference:
                rows.append(StatementRow(str(period), payer, item, str(target), difference))
    return tuple(rows)


def corrections_by_period(rows: Iterable[StatementRow]) -> dict[str, int]:
    """The net amount of correction rows per corrected period (for the manifest)."""
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row.for_period] += row.amount_cents
    return dict(sorted(totals.items()))


def too_late_findings(
    log_rows: pl.DataFrame, old: Sequence[ClosedPeriod], as_of: date, lookback_months: int
) -> pl.DataFrame:
    """Records that would change a closed period older than the lookback.

    For each such period Q: a placement that has a row recorded after Q was
    closed (after Q's as-of date) and whose stay in Q, as known now, differs
    from what was known when Q was closed (days, lot, municipality, reflection
    dates, withdrawn or rejected).
    """
    found = [finding_frame()]
    if not old or log_rows.height == 0:
        return found[0]
    recorded = pl.col("recorded_on")
    for closed in old:
        q = closed.period
        late = log_rows.filter((recorded > closed.as_of) & (recorded <= as_of))
        if late.height == 0:
            continue
        subset = log_rows.join(late.select("placement_id").unique(), on="placement_id", how="semi")
        then = _stay_in(versions_as_of(subset, closed.as_of).placements, q)
        now = _stay_in(versions_as_of(subset, as_of).placements, q)
        changed = then.join(now, on="placement_id", how="full", coalesce=True, nulls_equal=True)
        columns = [c for c in then.columns if c != "placement_id"]
        differs = pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"{c}_right")) for c in columns)
        changes = changed.filter(differs).select("placement_id")
        if changes.height == 0:
            continue
        newest = (
            late.join(changes, on="placement_id", how="semi")
            .sort("recorded_on", "source", "line")
            .unique("placement_id", keep="last", maintain_order=True)
        )
        found.append(
            finding_frame(
                newest.select(
                    pl.lit(EXCEPTION).alias("kind"),
                    "source",
                    "line",
                    "placement_id",
                    TOO_LATE.parts(
                        pl.col("recorded_on").dt.to_string("%Y-%m-%d"),
                        pl.lit(str(q)),
                        pl.lit(closed.as_of.isoformat()),
                        pl.lit(lookback_months),
                    ).alias("parts"),
                )
            )
        )
    return pl.concat(found)


def _stay_in(placements: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Per placement, what it means for `period`: its days there and what they depend on."""
    first = pl.max_horizontal(pl.col("start_date"), pl.lit(period.first_day))
    last = pl.min_horizontal(stay_end(), pl.lit(period.end))
    return placements.filter(first < last).select(
        "placement_id",
        first.alias("first"),
        last.alias("last"),
        "lot_id",
        "brp_municipality",
        "found_municipality",
        "reflection_start",
        "reflection_end",
        pl.col("reject_reason").is_not_null().alias("rejected"),
    )
