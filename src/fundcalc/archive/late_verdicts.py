"""Verdicts of the eligibility check that come too late to correct a closed month (§6, §11).

A verdict decided after a month Q was closed is booked like any late record:
within `correction_lookback_months` as correction rows (`corrections`),
beyond it as an exception, "too late to correct". A verdict changes Q when
the placement's "not eligible" differs between Q's as-of date and now, and
its stay as known now has days in Q on a fund lot (the only days a verdict
moves).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, timedelta

import polars as pl

from fundcalc.archive.store import ClosedPeriod
from fundcalc.base.findings import EXCEPTION, finding_frame
from fundcalc.base.period import END_OF_TIME
from fundcalc.base.reasons import TOO_LATE_VERDICT
from fundcalc.core.verdicts import verdicts_as_of
from fundcalc.core.versions import versions_as_of


def too_late_verdicts(
    verdict_rows: pl.DataFrame,
    log_rows: pl.DataFrame,
    old: Sequence[ClosedPeriod],
    *,
    as_of: date,
    lookback_months: int,
    fund_lots: Collection[str],
) -> pl.DataFrame:
    """Exceptions for verdicts that change a closed month older than the lookback."""
    if not old or verdict_rows.height == 0:
        return finding_frame()
    now = verdicts_as_of(verdict_rows, as_of).in_force
    not_eligible_now = set(now.filter(~pl.col("eligible"))["placement_id"])
    placements = versions_as_of(log_rows, as_of).placements.filter(
        pl.col("reject_reason").is_null() & pl.col("lot_id").is_in(list(fund_lots))
    )
    found = [finding_frame()]
    for closed in old:
        then = verdicts_as_of(verdict_rows, closed.as_of).in_force
        not_eligible_then = set(then.filter(~pl.col("eligible"))["placement_id"])
        changed = sorted(not_eligible_then ^ not_eligible_now)
        if not changed:
            continue
        q = closed.period
        start, end = pl.col("start_date"), pl.col("end_date")
        stay_end = (
            pl.when(end.is_null())
            .then(pl.lit(END_OF_TIME))
            .when(end == start)
            .then(start + timedelta(days=1))
            .otherwise(end)
        )
        touching = placements.filter(
            pl.col("placement_id").is_in(changed) & (start < q.end) & (stay_end > q.first_day)
        )["placement_id"]
        if touching.is_empty():
            continue
        # The verdict that made the change: the one in force now, or (withdrawn, none
        # in force) the latest readable row decided up to now.
        latest = (
            verdict_rows.filter(
                pl.col("placement_id").is_in(touching.implode())
                & pl.col("problem").is_null()
                & (pl.col("decided_on") <= as_of)
            )
            .sort("decided_on", "source", "line")
            .unique("placement_id", keep="last", maintain_order=True)
        )
        found.append(
            finding_frame(
                latest.select(
                    pl.lit(EXCEPTION).alias("kind"),
                    "source",
                    "line",
                    "placement_id",
                    TOO_LATE_VERDICT.parts(
                        pl.col("decided_on").dt.to_string("%Y-%m-%d"),
                        pl.lit(str(q)),
                        pl.lit(closed.as_of.isoformat()),
                        pl.lit(lookback_months),
                    ).alias("parts"),
                )
            )
        )
    return pl.concat(found)
