"""Who pays what for a period: the fund's split and the direct charges (§4.7–§4.10).

Day costs arrive priced per segment; here they become the statement:

* `contribution`: each member's part of the month's budget, by the key;
* `origin`: the origin share of the FUND day costs of the member's own clients
  (*herkomstdeel*, rounded half to even);
* `key`: the rest of the fund's costs (the pool) by the key (*verdeelsleutel*);
* `municipal`: COSM days outside the reflection window, paid directly;
* `justice`: COSM days inside the window plus the COSM lots' availability.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import polars as pl

from fundcalc.base.money import budget_part, share_of, split_largest_remainder
from fundcalc.base.period import Period
from fundcalc.core.segments import FUND, JUSTICE, MUNICIPAL
from fundcalc.inputs.rules import Lot, Rules

CONTRIBUTION = "contribution"
ORIGIN = "origin"
KEY = "key"
MUNICIPAL_ITEM = "municipal"
JUSTICE_ITEM = "justice"
ITEMS = (CONTRIBUTION, ORIGIN, KEY, MUNICIPAL_ITEM, JUSTICE_ITEM)
JUSTICE_PAYER = "JUSTICE"


class StatementRow(NamedTuple):
    """One row of statement.csv (§5): what `payer` owes or is owed for `item`.

    `period` is the month whose statement holds the row; `for_period` the
    month it is for (the same month, or an earlier closed one for a
    correction). Read it by name, never by position.
    """

    period: str
    payer: str
    item: str
    for_period: str
    amount_cents: int


STATEMENT_SCHEMA: dict[str, pl.DataType] = {
    "period": pl.String(),
    "payer": pl.String(),
    "item": pl.String(),
    "for_period": pl.String(),
    "amount_cents": pl.Int64(),
}


@dataclass(frozen=True)
class Availability:
    """What a lot costs for being there in a period: contracted places × tariff × days."""

    lot_id: str
    provider: str
    group: str
    is_cosm: bool
    days: int
    place_days: int
    amount_cents: int


def availability(lot: Lot, period: Period) -> Availability:
    """Σ over the days of `period` on which `lot` has terms: places × availability tariff."""
    days = place_days = amount = 0
    for terms in lot.terms:
        start = max(terms.valid_from, period.first_day)
        end = min(terms.valid_to or date.max, period.end)
        if start < end:
            n = (end - start).days
            days += n
            place_days += n * terms.places
            amount += n * terms.places * terms.availability_tariff_cents
    return Availability(lot.id, lot.provider, lot.group, lot.is_cosm, days, place_days, amount)


@dataclass(frozen=True)
class Settlement:
    """The settlement (*afrekening*) of one period, every figure in cents."""

    period: Period
    members: tuple[str, ...]
    budget_part: int
    contribution: Mapping[str, int]
    fund_day_costs: Mapping[str, int]
    origin: Mapping[str, int]
    fund_availability: int
    pool: int
    key: Mapping[str, int]
    municipal: Mapping[str, int]
    justice_day_costs: int
    cosm_availability: int
    lots: tuple[Availability, ...] = field(default=())

    @property
    def justice(self) -> int:
        return self.justice_day_costs + self.cosm_availability

    @property
    def fund_costs(self) -> int:
        """Day costs plus availability of the fund lots: what the fund pays out."""
        return sum(self.fund_day_costs.values()) + self.fund_availability

    def rows(self) -> list[StatementRow]:
        """Statement rows: every member's four items, other municipal payers, then Justice."""
        p = str(self.period)
        rows = []
        for code in self.members:
            rows.append(StatementRow(p, code, CONTRIBUTION, p, self.contribution[code]))
            rows.append(StatementRow(p, code, ORIGIN, p, self.origin.get(code, 0)))
            rows.append(StatementRow(p, code, KEY, p, self.key[code]))
            rows.append(StatementRow(p, code, MUNICIPAL_ITEM, p, self.municipal.get(code, 0)))
        for code in sorted(set(self.municipal) - set(self.members)):
            rows.append(StatementRow(p, code, MUNICIPAL_ITEM, p, self.municipal[code]))
        rows.append(StatementRow(p, JUSTICE_PAYER, JUSTICE_ITEM, p, self.justice))
        return rows

    def check(self) -> list[tuple[str, bool]]:
        """The invariants of §4, each with whether it holds: the fund's costs split whole,
        the contributions the budget's part, and the statement's Justice row its reflection
        days plus the COSM lots' availability (§4.10)."""
        justice_row = sum(r.amount_cents for r in self.rows() if r.payer == JUSTICE_PAYER)
        cosm_lots = sum(a.amount_cents for a in self.lots if a.is_cosm)
        return [
            (
                "origin + key = fund day costs + fund availability",
                sum(self.origin.values()) + sum(self.key.values()) == self.fund_costs,
            ),
            (
                "contributions = the month's budget part",
                sum(self.contribution.values()) == self.budget_part,
            ),
            (
                "justice = reflection days + COSM availability",
                justice_row == self.justice_day_costs + cosm_lots,
            ),
        ]


def settle(ledger: pl.DataFrame, rules: Rules, period: Period) -> Settlement:
    """Settle `period` from its ledger rows (all streams; other periods are ignored)."""
    return settle_periods(ledger, rules, [period])[period]


def settle_periods(
    ledger: pl.DataFrame, rules: Rules, periods: Sequence[Period]
) -> dict[Period, Settlement]:
    """Settle each of `periods` from its ledger rows, summed for all of them at once."""
    sums = _by_period_stream_and_centrumgemeente(ledger, periods)
    return {p: _settled(sums.get(str(p), {}), rules, p) for p in periods}


def _settled(sums: dict[str, dict[str, int]], rules: Rules, period: Period) -> Settlement:
    """`period` settled from its amounts per stream and centrumgemeente."""
    key = rules.key_for(period)
    share = rules.split_for(period).origin_share
    fund_day = sums.get(FUND, {})
    municipal = sums.get(MUNICIPAL, {})
    justice_days = sum(sums.get(JUSTICE, {}).values())
    lots = tuple(availability(lot, period) for lot in rules.lots.values())
    fund_availability = sum(a.amount_cents for a in lots if not a.is_cosm)
    cosm_availability = sum(a.amount_cents for a in lots if a.is_cosm)
    origin = {code: share_of(cost, share) for code, cost in fund_day.items()}
    pool = sum(fund_day.values()) - sum(origin.values()) + fund_availability
    part = budget_part(rules.budget_for(period.year), period.month)
    return Settlement(
        period=period,
        members=key.members,
        budget_part=part,
        contribution=split_largest_remainder(part, key.weights),
        fund_day_costs=fund_day,
        origin=origin,
        fund_availability=fund_availability,
        pool=pool,
        key=split_largest_remainder(pool, key.weights),
        municipal=municipal,
        justice_day_costs=justice_days,
        cosm_availability=cosm_availability,
        lots=lots,
    )


def _by_period_stream_and_centrumgemeente(
    ledger: pl.DataFrame, periods: Sequence[Period]
) -> dict[str, dict[str, dict[str, int]]]:
    """The periods' amounts per period, stream and centrumgemeente (by code), in one query."""
    totals = (
        ledger.lazy()
        .filter(pl.col("period").is_in([str(p) for p in periods]))
        .group_by("period", "stream", "centrumgemeente")
        .agg(pl.col("amount_cents").sum())
        .sort("period", "stream", "centrumgemeente", nulls_last=True)
        .collect(engine="in-memory")  # a few hundred rows: no streaming start-up
    )
    sums: dict[str, dict[str, dict[str, int]]] = {}
    for period, stream, code, amount in totals.iter_rows():
        sums.setdefault(str(period), {}).setdefault(str(stream), {})[str(code)] = int(amount)
    return sums


def statement_frame(rows: Iterable[StatementRow]) -> pl.DataFrame:
    """Statement rows as a frame with the spec's columns."""
    return pl.DataFrame(list(rows), schema=STATEMENT_SCHEMA, orient="row")
