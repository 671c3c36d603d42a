"""Which verdict of the eligibility check (*toetsing*) is in force as of a date (§11).

For each placement the verdict in force is the readable row with the
greatest `decided_on` ≤ the as-of date. Rows of the same placement and day
that disagree on `eligible` conflict: they are exceptions and change
nothing, so the latest earlier day without a conflict decides (and no
verdict is in force when there is none). Rows that agree on `eligible` and
differ only in `reference` are one verdict. A row that cannot be read
(`inputs.verdicts`) is an exception and changes nothing. A verdict decided
after the as-of date is not known yet: it changes nothing and is no finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from fundcalc.base.findings import EXCEPTION, finding_frame
from fundcalc.base.reasons import CONFLICTING_VERDICTS, VERDICT_UNREADABLE

#: The columns of a verdict in force.
IN_FORCE_SCHEMA: dict[str, pl.DataType] = {
    "placement_id": pl.String(),
    "eligible": pl.Boolean(),
    "decided_on": pl.Date(),
    "reference": pl.String(),
    "source": pl.String(),
    "line": pl.Int64(),
}


@dataclass(frozen=True)
class Verdicts:
    """The verdicts as of a date: one row per placement with a verdict in force
    (`IN_FORCE_SCHEMA`), and the exceptions (unreadable rows, conflicts)."""

    in_force: pl.DataFrame
    exceptions: pl.DataFrame

    @property
    def not_eligible(self) -> list[str]:
        """The placements whose verdict in force is: not eligible (*geen doelgroep*)."""
        return sorted(self.in_force.filter(~pl.col("eligible"))["placement_id"].to_list())


def no_verdicts() -> Verdicts:
    """No verdict at all (no `inputs/eligibility/`)."""
    return Verdicts(pl.DataFrame(schema=IN_FORCE_SCHEMA), finding_frame())


def verdicts_as_of(rows: pl.DataFrame, as_of: date) -> Verdicts:
    """Decide the verdict in force per placement among `rows` (`inputs.verdicts.SCHEMA`)."""
    if rows.is_empty():  # none delivered: a dozen queries over nothing spared
        return no_verdicts()
    unreadable = rows.filter(pl.col("problem").is_not_null())
    known = rows.filter(pl.col("problem").is_null() & (pl.col("decided_on") <= as_of))
    # Per placement and day: one verdict, or a conflict.
    days = known.group_by("placement_id", "decided_on").agg(
        (pl.col("eligible").n_unique() > 1).alias("conflict")
    )
    chosen = (
        days.filter(~pl.col("conflict")).group_by("placement_id").agg(pl.col("decided_on").max())
    )
    in_force = (
        known.join(chosen, on=["placement_id", "decided_on"], how="semi")
        .sort("placement_id", "source", "line")
        .unique("placement_id", keep="first", maintain_order=True)
        .select(*IN_FORCE_SCHEMA)
    )
    # Conflicts matter where they are later than the verdict in force (or there is none).
    conflicts = (
        days.filter(pl.col("conflict"))
        .join(chosen.rename({"decided_on": "in_force_on"}), on="placement_id", how="left")
        .filter(pl.col("in_force_on").is_null() | (pl.col("decided_on") > pl.col("in_force_on")))
        .select("placement_id", "decided_on")
    )
    conflicting = known.join(conflicts, on=["placement_id", "decided_on"], how="semi")
    exceptions = pl.concat(
        [
            finding_frame(
                unreadable.select(
                    pl.lit(EXCEPTION).alias("kind"),
                    "source",
                    "line",
                    "placement_id",
                    pl.concat_list(VERDICT_UNREADABLE.part(), pl.col("problem")).alias("parts"),
                )
            ),
            finding_frame(
                conflicting.select(
                    pl.lit(EXCEPTION).alias("kind"),
                    "source",
                    "line",
                    "placement_id",
                    CONFLICTING_VERDICTS.parts(pl.col("decided_on").dt.to_string("%Y-%m-%d")).alias(
                        "parts"
                    ),
                )
            ),
        ]
    )
    return Verdicts(in_force, exceptions)
