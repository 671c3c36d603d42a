"""Capacity per lot (interval sweep), per group and the COSM stream, to the day and cent."""

from __future__ import annotations

from fractions import Fraction

import polars as pl
import pytest

from fundcalc.app.run import months_earlier_in_year
from fundcalc.core.calculation import Calculation, calculate
from fundcalc.core.segments import JUSTICE, MUNICIPAL, REJECTED
from fundcalc.report.groups import cosm_figures, group_figures
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


def test_groups_count_placements_days_cost_and_completed_stays(tiny: Calculation) -> None:
    groups = {g.group: g for g in group_figures(tiny, tiny_rules(), PERIOD)}
    stalking = groups["STALKING"]
    assert (stalking.placements, stalking.days, stalking.day_cost) == (3, 44, 44 * 10000)
    assert stalking.availability == 15 * 1000 + 16 * 2 * 1200
    # A (10 days), B (16) and C (one day, rejected for its municipality) ended this year.
    assert (stalking.completed, stalking.average_stay) == (3, Fraction(27, 3))
    assert (groups["LOVERBOY"].placements, groups["LOVERBOY"].days) == (1, 2)
    assert (groups["COSM"].completed, groups["COSM"].completed_days) == (1, 5)
    assert groups["DREIGING"].placements == 0 and groups["DREIGING"].average_stay is None
    assert list(groups) == ["EGG_JONG", "EGG_ACUUT", "LOVERBOY", "DREIGING", "STALKING", "COSM"]


def test_cosm_stream_per_lot_and_per_placement(tiny: Calculation) -> None:
    cosm = cosm_figures(tiny, tiny_rules(), PERIOD)
    (lot,) = cosm.lots
    placements = cosm.placements
    # E: 1–9 Oct in the window, 10–31 after it; F: 20–24 Oct in the window.
    assert (lot.justice_days, lot.justice_day_cost) == (14, 14 * 5000)
    assert (lot.municipal_days, lot.municipal_cost) == (22, 22 * 5000)
    assert lot.justice == tiny.settlements[PERIOD].justice == 14 * 5000 + 31 * 3 * 500
    assert [(p.placement_id, p.justice_days, p.municipal_days) for p in placements] == [
        ("E", 9, 22),
        ("F", 5, 0),
    ]


def test_group_and_cosm_figures_add_up_to_the_ledger(sample: Sample) -> None:
    calculation = sample.run.calculation
    month = calculation.segments(PERIOD)
    groups = group_figures(calculation, sample.rules, PERIOD)
    charged = month.filter(pl.col("stream") != REJECTED)
    assert sum(g.days for g in groups) == charged["days"].sum()
    assert sum(g.day_cost for g in groups) == charged["amount_cents"].sum()
    assert sum(g.placements for g in groups) == charged["placement_id"].n_unique()
    cosm = cosm_figures(calculation, sample.rules, PERIOD)
    lots, placements = cosm.lots, cosm.placements
    assert cosm.placement_count == len(placements) > 1
    justice = month.filter(pl.col("stream") == JUSTICE)
    municipal = month.filter(pl.col("stream") == MUNICIPAL)
    assert sum(p.justice_days for p in placements) == justice["days"].sum()
    assert sum(p.municipal_cost for p in placements) == municipal["amount_cents"].sum()
    assert sum(lot.justice for lot in lots) == sample.run.settlement.justice
    assert sum(lot.justice_days for lot in lots) == justice["days"].sum()
    assert sum(lot.municipal_cost for lot in lots) == municipal["amount_cents"].sum()
    listed = cosm_figures(calculation, sample.rules, PERIOD, listed=1)
    assert listed.placements == placements[:1] and listed.placement_count == len(placements)
