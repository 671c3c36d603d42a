"""Capacity per lot (interval sweep), per group and the COSM stream, to the day and cent."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import polars as pl
import pytest

from fundcalc.app.run import months_earlier_in_year
from fundcalc.core.calculation import Calculation, calculate
from fundcalc.core.occupancy import occupancy_spans
from tests.synthetic import AS_OF, PERIOD, Sample, raw_log, stay, tiny_rules


@pytest.fixture(scope="module")
def tiny() -> Calculation:
    """Four stays on the one-place lot KLEIN (one of a non-member), two COSM stays, one more."""
    rows = [
        stay("A", "KLEIN", "2026-10-01", "2026-10-11"),
        stay("B", "KLEIN", "2026-10-05", "2026-10-21", brp_municipality="GM0002"),
        stay("C", "KLEIN", "2026-10-08", "2026-10-08", brp_municipality="GM0003"),
        stay("D", "KLEIN", "2026-10-14"),
        stay("E", "COSM-X", "2026-09-20", reflection_start="2026-09-20",
             reflection_end="2026-10-10", brp_municipality="GM0002"),
        stay("F", "COSM-X", "2026-10-20", "2026-10-25", reflection_start="2026-10-20"),
        stay("G", "GROOT", "2026-10-01", "2026-10-03"),
    ]  # fmt: skip
    rules = tiny_rules()
    return calculate(rules, raw_log(rows), [PERIOD, *months_earlier_in_year(rules, PERIOD)], AS_OF)


def test_occupancy_spans_count_placements_between_events() -> None:
    ledger = pl.DataFrame(
        {
            "period": ["2026-10"] * 3,
            "lot_id": ["L"] * 3,
            "first_day": [date(2026, 10, 1), date(2026, 10, 5), date(2026, 10, 8)],
            "last_day": [date(2026, 10, 10), date(2026, 10, 20), date(2026, 10, 8)],
        }
    )
    parts = pl.DataFrame(
        {"lot_id": ["L"], "part_from": [date(2026, 10, 1)], "part_to": [date(2026, 11, 1)]}
    )
    spans = occupancy_spans(ledger, parts, PERIOD)
    assert [(r[1].day, r[2].day if r[2].month == 10 else 32, r[3]) for r in spans.iter_rows()] == [
        (1, 5, 1),
        (5, 8, 2),
        (8, 9, 3),
        (9, 11, 2),
        (11, 21, 1),
        (21, 32, 0),
    ]


def test_a_lot_whose_terms_change_in_the_month_has_a_row_per_version(tiny: Calculation) -> None:
    klein = [f for f in tiny.lots_for(PERIOD) if f.lot_id == "KLEIN"]
    assert [(f.first_day.day, f.last_day.day, f.places) for f in klein] == [(1, 15, 1), (16, 31, 2)]


def test_occupied_and_over_capacity_days_per_terms_version(tiny: Calculation) -> None:
    first, second = (f for f in tiny.lots_for(PERIOD) if f.lot_id == "KLEIN")
    # 1–4 Oct one placed, 5–7 two, 8 three, 9–10 two, 11–13 one, 14–15 two (one place).
    assert (first.occupied_days, first.over_capacity_days, first.peak) == (24, 8, 3)
    assert first.occupancy == Fraction(24, 15)
    # 16–20 Oct two placed, 21–31 one (two places): never above capacity.
    assert (second.occupied_days, second.over_capacity_days, second.peak) == (21, 0, 2)


def test_day_cost_is_split_over_terms_versions_and_excludes_rejected_days(
    tiny: Calculation,
) -> None:
    first, second = (f for f in tiny.lots_for(PERIOD) if f.lot_id == "KLEIN")
    assert (first.rejected_days, first.day_cost) == (1, 23 * 10000)
    assert (second.rejected_days, second.day_cost) == (0, 21 * 10000)
    charged = tiny.all_segments.filter(
        (pl.col("period") == "2026-10") & (pl.col("lot_id") == "KLEIN")
    )["amount_cents"].sum()
    assert first.day_cost + second.day_cost == charged


def test_availability_per_terms_version_adds_up_to_the_settlement(tiny: Calculation) -> None:
    figures = tiny.lots_for(PERIOD)
    first, second = (f for f in figures if f.lot_id == "KLEIN")
    assert (first.availability_cost, second.availability_cost) == (15 * 1000, 16 * 2 * 1200)
    settlement = tiny.settlements[PERIOD]
    assert sum(f.availability_cost for f in figures) == (
        settlement.fund_availability + settlement.cosm_availability
    )


def test_lot_figures_match_a_day_by_day_count_of_the_sample(sample: Sample) -> None:
    """An independent check: count every day of the month directly."""
    ledger = sample.run.calculation.all_segments.filter(
        (pl.col("period") == str(PERIOD)) & pl.col("day_tariff_cents").is_not_null()
    )
    figures = sample.run.calculation.lots_for(PERIOD)
    assert sum(f.over_capacity_days for f in figures) > 0  # the sample does run over
    for lot in figures:
        rows = ledger.filter(pl.col("lot_id") == lot.lot_id).select("first_day", "last_day")
        spans = list(rows.iter_rows())
        occupied = over = 0
        day = lot.first_day
        while day <= lot.last_day:
            placed = sum(1 for first, last in spans if first <= day <= last)
            occupied += placed
            over += placed > lot.places
            day += timedelta(days=1)
        assert (lot.occupied_days, lot.over_capacity_days) == (occupied, over), lot.lot_id
