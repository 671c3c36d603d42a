"""The committee's figures: what the workbook shows, computed from one calculation.

The committee of three aldermen (*commissie van drie wethouders*) checks
quality, price and capacity of the framework agreement and the balance of the
fund. Everything here is derived from the settlements and the ledger that
`calculation.calculate` already made for the period and the earlier months of
its year (year to date, *jaar tot en met*); nothing is calculated twice and no
euro-cent of the statement is decided here. Capacity and occupancy per lot
are in `core.occupancy`, the groups' and COSM figures in `groups`.

No figure carries a client identifier; counts of placements are plain
integers here and are suppressed (`<5`) where the workbook shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import polars as pl

from fundcalc.base.money import budget_part, round_half_even
from fundcalc.base.period import Period
from fundcalc.core.allocation import (
    CONTRIBUTION,
    ITEMS,
    KEY,
    MUNICIPAL_ITEM,
    ORIGIN,
    Settlement,
    StatementRow,
)
from fundcalc.core.calculation import Calculation
from fundcalc.core.segments import FUND, JUSTICE, MUNICIPAL, REJECTED, STREAMS
from fundcalc.core.settlement import OpeningReserve, closing_reserve
from fundcalc.inputs.rules import Rules

#: A statement row: period, payer, item, for_period, amount in cents.

CHARGED = (FUND, JUSTICE, MUNICIPAL)


def year_to_date(calculation: Calculation, period: Period) -> tuple[Period, ...]:
    """The calculated months of `period`'s year up to and including it."""
    return tuple(p for p in calculation.periods if p.year == period.year and p <= period)


# --- the months (Verloop) and the summary ---


@dataclass(frozen=True)
class MonthFigures:
    """One month of the fund, the Justice stream and the direct charges.

    `fund_days` are the days charged to the fund; `fund_occupied_days` every
    day someone was placed on a fund lot within its terms, rejected days
    included (she was there), as the lots sheet counts them.
    """

    period: Period
    budget_part: int
    contributions: int
    fund_days: int
    fund_occupied_days: int
    fund_day_costs: int
    fund_availability: int
    fund_place_days: int
    origin: int
    key: int
    justice_days: int
    justice_day_costs: int
    cosm_availability: int
    municipal_days: int
    municipal: int
    rejected_days: int

    @property
    def fund_costs(self) -> int:
        """Day costs plus availability of the fund lots: what the fund pays out."""
        return self.fund_day_costs + self.fund_availability

    @property
    def balance(self) -> int:
        """Contributions minus the fund's costs (*saldo*): negative is a shortfall."""
        return self.contributions - self.fund_costs

    @property
    def justice(self) -> int:
        return self.justice_day_costs + self.cosm_availability

    @property
    def occupancy(self) -> Fraction | None:
        """Occupied fund-lot days per contracted fund place-day (*bezettingsgraad*)."""
        if not self.fund_place_days:
            return None
        return Fraction(self.fund_occupied_days, self.fund_place_days)


def month_figures(calculation: Calculation, periods: Sequence[Period]) -> list[MonthFigures]:
    """The figures of each of `periods`, from its settlement and its ledger rows."""
    occupied = (
        pl.col("lot_id").is_in(calculation.fund_lots) & pl.col("day_tariff_cents").is_not_null()
    )
    # Grouped by stream and occupancy rather than summed through filters per row:
    # one pass of the streaming engine over the whole ledger.
    sums = (
        calculation.segments_of(periods)
        .group_by("period", "stream", occupied.alias("occupied"))
        .agg(pl.col("days").sum())
        .collect()
    )
    none = dict.fromkeys((*STREAMS, "occupied"), 0)
    by_period: dict[str, dict[str, int]] = {}
    for period, stream, is_occupied, days in sums.iter_rows():
        d = by_period.setdefault(str(period), dict(none))
        d[str(stream)] += int(days)
        if is_occupied:
            d["occupied"] += int(days)
    months = []
    for period in periods:
        s = calculation.settlements[period]
        d = by_period.get(str(period), none)
        months.append(
            MonthFigures(
                period=period,
                budget_part=s.budget_part,
                contributions=sum(s.contribution.values()),
                fund_days=d[FUND],
                fund_occupied_days=d["occupied"],
                fund_day_costs=sum(s.fund_day_costs.values()),
                fund_availability=s.fund_availability,
                fund_place_days=sum(a.place_days for a in s.lots if not a.is_cosm),
                origin=sum(s.origin.values()),
                key=sum(s.key.values()),
                justice_days=d[JUSTICE],
                justice_day_costs=s.justice_day_costs,
                cosm_availability=s.cosm_availability,
                municipal_days=d[MUNICIPAL],
                municipal=sum(s.municipal.values()),
                rejected_days=d[REJECTED],
            )
        )
    return months


def add_months(months: Sequence[MonthFigures]) -> MonthFigures:
    """The sum of several months, labelled with the last one (year to date)."""
    last = months[-1]

    def total(name: str) -> int:
        return sum(getattr(m, name) for m in months)

    return MonthFigures(
        period=last.period,
        **{name: total(name) for name in MonthFigures.__dataclass_fields__ if name != "period"},
    )


@dataclass(frozen=True)
class Forecast:
    """The fund at year end if the months still to come cost what the months so far did."""

    year: int
    months_known: int
    contributions: int
    fund_costs: int

    @property
    def balance(self) -> int:
        return self.contributions - self.fund_costs


def forecast(rules: Rules, months: Sequence[MonthFigures]) -> Forecast:
    """Year-end forecast at the current run rate (*prognose bij huidig tempo*).

    Costs: the months so far plus, for each month still to come, their average
    (rounded half to even to the cent). Contributions: the months so far plus
    the budget parts still to come, which are known exactly.
    """
    last = months[-1].period
    remaining = 12 - last.month
    known_costs = sum(m.fund_costs for m in months)
    rate = Fraction(known_costs, len(months))
    future_parts = sum(
        budget_part(rules.budget_for(last.year), m) for m in range(last.month + 1, 13)
    )
    return Forecast(
        year=last.year,
        months_known=len(months),
        contributions=sum(m.contributions for m in months) + future_parts,
        fund_costs=known_costs + round_half_even(rate * remaining),
    )


@dataclass(frozen=True)
class ReserveForecast:
    """What the year-end settlement (§9) would do with the forecast's result.

    The reserve absorbs the result as far as it stays between 0 and its cap;
    what it does not absorb is settled with the members.
    """

    opening: OpeningReserve
    cap: int
    method: str
    result: int

    @property
    def closing(self) -> int:
        return closing_reserve(self.opening.cents, self.result, self.cap)

    @property
    def to_reserve(self) -> int:
        """Positive: the reserve keeps it; negative: drawn from the reserve."""
        return self.closing - self.opening.cents

    @property
    def settled(self) -> int:
        """Positive: back to the members; negative: the members pay in."""
        return self.result - self.to_reserve


def reserve_forecast(
    rules: Rules, year_end: Forecast, opening: OpeningReserve
) -> ReserveForecast | None:
    """The forecast's year result through the reserve; None without a settlement version."""
    found = [v for v in rules.settlements if v.valid_from <= date(year_end.year, 1, 1)]
    if not found:
        return None
    return ReserveForecast(opening, found[-1].reserve_cap_cents, found[-1].method, year_end.balance)


# --- per centrumgemeente ---


@dataclass(frozen=True)
class CentrumgemeenteFigures:
    """One payer's statement items for the month and for the year to date."""

    code: str
    name: str
    member: bool
    month: dict[str, int]
    ytd: dict[str, int]

    @staticmethod
    def charged(items: dict[str, int]) -> int:
        """What the fund charged: origin share plus key share."""
        return items[ORIGIN] + items[KEY]

    @staticmethod
    def balance(items: dict[str, int]) -> int:
        """Contribution minus what was charged: positive means paid in more than used."""
        return items[CONTRIBUTION] - items[ORIGIN] - items[KEY]


def _items(settlement: Settlement, code: str) -> dict[str, int]:
    return {
        CONTRIBUTION: settlement.contribution.get(code, 0),
        ORIGIN: settlement.origin.get(code, 0),
        KEY: settlement.key.get(code, 0),
        MUNICIPAL_ITEM: settlement.municipal.get(code, 0),
    }


def centrumgemeente_figures(
    calculation: Calculation, rules: Rules, period: Period
) -> list[CentrumgemeenteFigures]:
    """Every member of the period's key, then other centrumgemeenten charged this year.

    Members come first by code; a non-member appears only where it has direct
    (municipal) charges or was a member earlier in the year.
    """
    months = year_to_date(calculation, period)
    settlement = calculation.settlements[period]
    names = rules.municipalities.names()
    others: set[str] = set()
    for p in months:
        s = calculation.settlements[p]
        others |= set(s.members) | set(s.municipal)
    others -= set(settlement.members)
    rows = []
    for code in [*settlement.members, *sorted(others)]:
        ytd = dict.fromkeys((CONTRIBUTION, ORIGIN, KEY, MUNICIPAL_ITEM), 0)
        for p in months:
            for item, amount in _items(calculation.settlements[p], code).items():
                ytd[item] += amount
        rows.append(
            CentrumgemeenteFigures(
                code=code,
                name=names.get(code, ""),
                member=code in settlement.members,
                month=_items(settlement, code),
                ytd=ytd,
            )
        )
    return rows


# --- corrections and exceptions ---


@dataclass(frozen=True)
class CorrectionFigures:
    """The corrections booked in this period for one earlier period and payer, by item."""

    for_period: str
    payer: str
    items: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.items.values())


def correction_figures(corrections: Sequence[StatementRow]) -> list[CorrectionFigures]:
    """Correction rows summed per `for_period` and payer, in that order."""
    sums: dict[tuple[str, str], dict[str, int]] = {}
    for row in corrections:
        items = sums.setdefault((row.for_period, row.payer), dict.fromkeys(ITEMS, 0))
        items[row.item] = items.get(row.item, 0) + row.amount_cents
    return [CorrectionFigures(fp, payer, items) for (fp, payer), items in sorted(sums.items())]


def exception_amounts(
    calculation: Calculation, period: Period, findings: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The period's findings with the amount their rejected days would have cost.

    `amount_cents` is days × day tariff where the tariff is known (a day
    rejected for its municipality), null where it is not (an unknown lot, a
    placement rejected as a whole, a warning): `Calculation.rejected_days`.
    Nothing of it is charged.
    """
    if findings is None:
        findings = calculation.findings_for(period)
    keys = ("source", "line", "placement_id", "reason")
    at_stake = calculation.rejected_days(period).select(*keys, "amount_cents")
    return findings.join(
        at_stake,
        on=list(keys),
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )
