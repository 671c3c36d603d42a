"""The year as of a date (core/year): twelve months settled at once, the lots, the comparison."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

from fundcalc.base.period import Period
from fundcalc.core.calculation import calculate
from fundcalc.core.versions import versions_as_of
from fundcalc.core.year import comparison_rows, months_of, year_end, year_outcome
from fundcalc.inputs.rules import SettlementVersion
from tests.synthetic import Sample

AS_OF = date(2026, 11, 23)


def test_the_year_settles_each_month_as_calculate_does(sample: Sample) -> None:
    rules, rows = sample.rules, sample.inputs.log.rows
    outcome = year_outcome(rules, versions_as_of(rows, AS_OF), 2026, AS_OF)
    months = calculate(rules, rows, months_of(2026), AS_OF)
    assert outcome.settlements == {p: months.settlements[p] for p in months_of(2026)}
    assert outcome.contributions == rules.budgets[2026]
    assert outcome.fund_costs == sum(s.fund_costs for s in months.settlements.values())
    assert outcome.balance == outcome.contributions - outcome.fund_costs


def test_a_lot_over_the_year_counts_its_days_places_and_cost(sample: Sample) -> None:
    rules, rows = sample.rules, sample.inputs.log.rows
    outcome = year_outcome(rules, versions_as_of(rows, AS_OF), 2026, AS_OF)
    months = calculate(rules, rows, months_of(2026), AS_OF)
    (lot,) = [lot for lot in outcome.lots if lot.lot_id == "LOV-NOORD"]
    # 12 places to 14 July, 14 from 15 July: 195 × 12 + 170 × 14 place-days.
    assert (lot.days, lot.place_days) == (365, 195 * 12 + 170 * 14)
    assert lot.places == Fraction(195 * 12 + 170 * 14, 365)
    parts = [f for p in months_of(2026) for f in months.lots_for(p) if f.lot_id == "LOV-NOORD"]
    assert lot.occupied_days == sum(f.occupied_days for f in parts)
    assert lot.cost == sum(f.total for f in parts)
    assert lot.occupancy == Fraction(lot.occupied_days, lot.place_days)


def test_comparison_rows_are_every_pair_of_either_side_by_payer_then_item(sample: Sample) -> None:
    rules, rows = sample.rules, sample.inputs.log.rows
    versions = versions_as_of(rows, AS_OF)
    outcome = year_outcome(rules, versions, 2026, AS_OF)
    same = comparison_rows(outcome, outcome)
    assert all(row[2] == row[3] and row[4] == 0 for row in same)
    assert [row[:2] for row in same[:5]] == [
        ("GM0014", "contribution"),
        ("GM0014", "origin"),
        ("GM0014", "key"),
        ("GM0014", "municipal"),
        ("GM0080", "municipal"),
    ]
    assert same[-1][:2] == ("JUSTICE", "justice")
    assert {(p, i) for p, i, *_ in same} == set(outcome.totals())


def test_the_year_end_is_settled_as_settle_would_from_the_rules_opening_reserve(
    sample: Sample,
) -> None:
    rules = replace(
        sample.rules,
        settlements=(SettlementVersion(date(2025, 1, 1), "balance", 5_000_000),),
        opening_reserve_cents=1_000_000,
    )
    outcome = year_outcome(rules, versions_as_of(sample.inputs.log.rows, AS_OF), 2026, AS_OF)
    end = year_end(outcome)
    assert end is not None
    assert end.result == outcome.balance  # contributions − (origin + key) = − fund costs
    assert end.opening_reserve == 1_000_000
    assert end.closing_reserve == min(max(1_000_000 + outcome.balance, 0), 5_000_000)
    assert sum(m.settlement for m in end.members) == end.result - end.to_reserve
    assert {m.code for m in end.members} >= set(rules.key_for(Period(2026, 12)).weights)


def test_no_year_end_without_a_settlement_version_for_the_year(sample: Sample) -> None:
    later = replace(sample.rules, settlements=(SettlementVersion(date(2027, 1, 1), "key", 0),))
    outcome = year_outcome(later, versions_as_of(sample.inputs.log.rows, AS_OF), 2026, AS_OF)
    assert year_end(outcome) is None
