"""A calendar year as of a date: its twelve months settled at once, and its lots (§12).

A scenario computes a year twice (the rules, and the rules with the scenario)
from the same log as of D, with no archive and no corrections: each month is
the calculation of §4 as of D, so the months after D hold the placements open
at D (a stay without `end_date` goes on) and nothing recorded later.

The year is cut as `calculation.calculate` cuts a run's months
(`segments.day_segments` over all twelve periods in one pass, then
`allocation.settle_periods`), but its segments are summed as they are made,
per month, lot, stream and centrumgemeente, instead of being kept: a year's
ledger is twelve months of rows (1.3 M at a million placements) and the
comparison needs only the sums. The versions in force are chosen once
(`versions.versions_as_of`) and shared by every rule set, as are the verdicts
of the eligibility check in force (§11): the year's months are the months a
run shows, so a placement judged not eligible is charged to its
centrumgemeente in both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import polars as pl

from fundcalc.base.period import Period
from fundcalc.core.allocation import (
    ITEMS,
    KEY,
    MUNICIPAL_ITEM,
    ORIGIN,
    Settlement,
    settle_periods,
)
from fundcalc.core.calculation import numbered_placements
from fundcalc.core.segments import REJECTED, day_segments
from fundcalc.core.settlement import YearSettlement, settle_year
from fundcalc.core.verdicts import Verdicts, no_verdicts
from fundcalc.core.versions import Versions
from fundcalc.errors import RulesError
from fundcalc.inputs.rules import ARRANGEMENT_FILE, Rules

#: The header of comparison.csv (§12).
COMPARISON_COLUMNS = ("payer", "item", "base_cents", "scenario_cents", "difference_cents")


def months_of(year: int) -> tuple[Period, ...]:
    """The twelve months of `year`."""
    return tuple(Period(year, month) for month in range(1, 13))


@dataclass(frozen=True)
class LotYear:
    """A lot (*perceel*) over the year: its contract, its use and its cost.

    `days` are the days of the year on which it has terms; `occupied_days`
    every day someone was placed on it within its terms (rejected days
    included: she was there, as on the workbook's lots sheet); `day_cost` what
    its charged days cost; `availability` places × tariff × days.
    """

    lot_id: str
    provider: str
    group: str
    is_cosm: bool
    days: int
    place_days: int
    occupied_days: int
    day_cost: int
    availability: int

    @property
    def cost(self) -> int:
        return self.day_cost + self.availability

    @property
    def places(self) -> Fraction | None:
        """The contracted places on an average day with terms (whole when they do not change)."""
        return Fraction(self.place_days, self.days) if self.days else None

    @property
    def occupancy(self) -> Fraction | None:
        return Fraction(self.occupied_days, self.place_days) if self.place_days else None


@dataclass(frozen=True)
class YearOutcome:
    """The twelve months of a year under one set of rules, as of one date."""

    year: int
    as_of: date
    rules: Rules
    settlements: Mapping[Period, Settlement]
    lots: tuple[LotYear, ...]

    def totals(self) -> dict[tuple[str, str], int]:
        """Σ over the months of the statement rows (§5), per (payer, item).

        A member of any month's key has all four member items (zero or not);
        `JUSTICE` always has its row.
        """
        totals: dict[tuple[str, str], int] = {}
        for settlement in self.settlements.values():
            for _, payer, item, _, amount in settlement.rows():
                totals[(payer, item)] = totals.get((payer, item), 0) + amount
        return totals

    def members(self) -> tuple[str, ...]:
        """Every member of a key in force in one of the months, by code."""
        return tuple(sorted({c for s in self.settlements.values() for c in s.members}))

    def item(self, item: str) -> dict[str, int]:
        """One item's year total per payer."""
        return {payer: amount for (payer, name), amount in self.totals().items() if name == item}

    @property
    def budget(self) -> int:
        return sum(s.budget_part for s in self.settlements.values())

    @property
    def contributions(self) -> int:
        return sum(sum(s.contribution.values()) for s in self.settlements.values())

    @property
    def fund_day_costs(self) -> int:
        return sum(sum(s.fund_day_costs.values()) for s in self.settlements.values())

    @property
    def fund_availability(self) -> int:
        return sum(s.fund_availability for s in self.settlements.values())

    @property
    def fund_costs(self) -> int:
        return self.fund_day_costs + self.fund_availability

    @property
    def balance(self) -> int:
        """Contributions − the fund's costs: negative when the contributions fall short."""
        return self.contributions - self.fund_costs

    @property
    def justice(self) -> int:
        return sum(s.justice for s in self.settlements.values())

    @property
    def municipal(self) -> int:
        return sum(sum(s.municipal.values()) for s in self.settlements.values())


def year_outcome(
    rules: Rules, versions: Versions, year: int, as_of: date, verdicts: Verdicts | None = None
) -> YearOutcome:
    """The twelve months of `year` under `rules` from the versions in force as of `as_of`,
    and the verdicts of the eligibility check in force then (§11), as a run has them.

    Raises RulesError (naming arrangement.toml) when the rules lack a key, a
    split or a budget for a month of the year; a caller laying a scenario
    over the rules checks that first to name the scenario file.
    """
    periods = months_of(year)
    for period in periods:
        if not rules.covers(period):
            raise RulesError(
                ARRANGEMENT_FILE,
                f"fund.budget.{year}" if year not in rules.budgets else "key, split",
                f"no version for {period} (a scenario computes every month of {year})",
            )
    placements = numbered_placements(versions, no_verdicts() if verdicts is None else verdicts)
    usable = placements.filter(pl.col("reject_reason").is_null())
    # Placements rejected as a whole cost nothing and are on no lot: only the usable ones.
    sums = (
        day_segments(usable, rules, periods)
        .group_by(
            "period",
            "lot_id",
            "stream",
            "centrumgemeente",
            pl.col("day_tariff_cents").is_not_null().alias("priced"),
        )
        .agg(pl.col("days").sum(), pl.col("amount_cents").sum())
        .collect()
    )
    settlements = settle_periods(sums, rules, periods)
    return YearOutcome(year, as_of, rules, settlements, _lots(rules, sums, settlements))


def _lots(
    rules: Rules, sums: pl.DataFrame, settlements: Mapping[Period, Settlement]
) -> tuple[LotYear, ...]:
    """Every lot of the rules with terms in the year, by provider and lot."""
    used = (
        sums.filter(pl.col("priced"))
        .group_by("lot_id")
        .agg(
            pl.col("days").sum().alias("occupied"),
            pl.col("amount_cents").filter(pl.col("stream") != REJECTED).sum().alias("cost"),
        )
    )
    by_lot = {str(lot): (int(days), int(cost)) for lot, days, cost in used.iter_rows()}
    lots = []
    for lot in rules.lots.values():
        parts = [a for s in settlements.values() for a in s.lots if a.lot_id == lot.id]
        days = sum(a.days for a in parts)
        if not days:
            continue
        occupied, cost = by_lot.get(lot.id, (0, 0))
        lots.append(
            LotYear(
                lot.id,
                lot.provider,
                lot.group,
                lot.is_cosm,
                days,
                sum(a.place_days for a in parts),
                occupied,
                cost,
                sum(a.amount_cents for a in parts),
            )
        )
    return tuple(sorted(lots, key=lambda lot: (lot.provider, lot.lot_id)))


def comparison_rows(base: YearOutcome, other: YearOutcome) -> list[tuple[str, str, int, int, int]]:
    """The rows of comparison.csv: (payer, item, base, scenario, scenario − base).

    Every (payer, item) of either side, a pair missing on one side counting 0
    there; sorted by payer, then item in the order of §5.
    """
    before, after = base.totals(), other.totals()
    pairs = sorted(set(before) | set(after), key=lambda p: (p[0], ITEMS.index(p[1])))
    return [
        (payer, item, before.get((payer, item), 0), after.get((payer, item), 0),
         after.get((payer, item), 0) - before.get((payer, item), 0))
        for payer, item in pairs
    ]  # fmt: skip


def charged(outcome: YearOutcome) -> dict[str, int]:
    """Per payer, what the fund's costs put on it over the year: origin + key (*ten laste*)."""
    out: dict[str, int] = {}
    for item in (ORIGIN, KEY):
        for payer, amount in outcome.item(item).items():
            out[payer] = out.get(payer, 0) + amount
    return out


def year_end(outcome: YearOutcome) -> YearSettlement | None:
    """The year-end settlement (*jaarafrekening*, §9) the year would give, or None when
    the rules have no `[[settlement]]` version in force on 1 January of it.

    Settled as `fundcalc settle` settles (`settlement.settle_year`), from the twelve
    months' statement rows, by the key in force on 1 December. The reserve it opens
    with is the rules' `[fund] opening_reserve`: a scenario reads no archive, so the
    closing reserve of an earlier settled year is not known to it. The result, and
    what changes between two rule sets, do not depend on it; the reserve's movement
    can (the cap and zero bound it).
    """
    rules = outcome.rules
    if not any(v.valid_from <= date(outcome.year, 1, 1) for v in rules.settlements):
        return None
    rows = [row for settlement in outcome.settlements.values() for row in settlement.rows()]
    return settle_year(
        outcome.year,
        rows,
        key=rules.key_for(Period(outcome.year, 12)),
        terms=rules.settlement_for(outcome.year),
        opening_reserve=rules.opening_reserve_cents,
    )


def payments(outcome: YearOutcome) -> dict[str, int]:
    """Per payer, what it pays for the year in the end (*te betalen*), direct charges included.

    With a year-end settlement (§9): its contributions less what the settlement pays
    back (or plus what it pays in), plus its direct `municipal` charges; so a higher
    budget that fills the reserve costs the members what the reserve keeps. Without
    one: what the fund's costs put on it (origin + key) plus its direct charges.
    """
    direct = outcome.item(MUNICIPAL_ITEM)
    end = year_end(outcome)
    if end is None:
        paid = charged(outcome)
    else:
        paid = {m.code: m.contributions - m.settlement for m in end.members}
    return {c: paid.get(c, 0) + direct.get(c, 0) for c in sorted({*paid, *direct})}
