"""The committee's figures: months, year to date, forecast, centrumgemeenten, corrections."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fundcalc.app.run import months_earlier_in_year
from fundcalc.base.period import Period
from fundcalc.core.allocation import CONTRIBUTION, KEY, MUNICIPAL_ITEM, ORIGIN, StatementRow
from fundcalc.core.calculation import Calculation, calculate
from fundcalc.report.figures import (
    MonthFigures,
    add_months,
    centrumgemeente_figures,
    correction_figures,
    exception_amounts,
    forecast,
    month_figures,
    year_to_date,
)
from tests.synthetic import AS_OF, PERIOD, Sample, raw_log, stay, tiny_rules


@pytest.fixture(scope="module")
def tiny() -> Calculation:
    rows = [
        stay("A", "KLEIN", "2026-09-25", "2026-10-11"),
        stay("C", "KLEIN", "2026-10-08", "2026-10-08", brp_municipality="GM0003"),
        stay("H", "ONBEKEND", "2026-10-01", "2026-10-03"),
        stay("G", "GROOT", "2026-10-01", "2026-10-03", brp_municipality="GM0002"),
    ]
    rules = tiny_rules()
    return calculate(rules, raw_log(rows), [PERIOD, *months_earlier_in_year(rules, PERIOD)], AS_OF)


def test_year_to_date_is_the_calculated_months_of_the_year_up_to_the_period(
    tiny: Calculation,
) -> None:
    assert year_to_date(tiny, PERIOD) == tuple(Period(2026, m) for m in range(1, 11))
    assert year_to_date(tiny, Period(2026, 3)) == tuple(Period(2026, m) for m in range(1, 4))


def test_month_figures_repeat_the_settlement_and_count_days_per_stream(tiny: Calculation) -> None:
    september, october = month_figures(tiny, [Period(2026, 9), PERIOD])
    settlement = tiny.settlements[PERIOD]
    assert october.budget_part == settlement.budget_part == 10000
    assert october.fund_costs == settlement.fund_costs
    assert october.origin + october.key == settlement.fund_costs
    # A: 1–10 Oct (10 days), G: 1–2 Oct; C's day is rejected (not a member), H's lot is unknown.
    assert (october.fund_days, october.rejected_days) == (12, 1 + 2)
    assert october.fund_occupied_days == 12 + 1  # C was there; H's lot has no places
    assert october.fund_day_costs == 10 * 10000 + 2 * 20000
    assert (september.fund_days, september.fund_day_costs) == (6, 6 * 10000)
    assert october.fund_place_days == 15 * 1 + 16 * 2 + 31 * 10


def test_the_year_to_date_is_the_sum_of_its_months(tiny: Calculation) -> None:
    months = month_figures(tiny, year_to_date(tiny, PERIOD))
    total = add_months(months)
    assert total.period == PERIOD
    assert total.contributions == 100000 == sum(m.contributions for m in months)
    assert total.fund_costs == sum(tiny.settlements[m.period].fund_costs for m in months)
    assert total.balance == total.contributions - total.fund_costs


def _month(period: Period, costs: int) -> MonthFigures:
    return MonthFigures(period, 100, 100, 0, 0, costs, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize(("known", "expected"), [(3, 3 + 2), (1, 1 + 0), (5, 5 + 2)])
def test_forecast_adds_the_run_rate_of_the_months_so_far_rounded_half_to_even(
    known: int, expected: int
) -> None:
    # Eight months known, four to come: 4 × known/8 is 1.5, 0.5 and 2.5 cents.
    months = [_month(Period(2026, m), known if m == 1 else 0) for m in range(1, 9)]
    result = forecast(tiny_rules(), months)
    assert result.fund_costs == expected
    assert result.contributions == 8 * 100 + 4 * 10000  # budget parts of September–December
    assert result.balance == result.contributions - result.fund_costs


def test_forecast_of_a_year_whose_rules_start_late_counts_only_the_months_calculated() -> None:
    months = [_month(Period(2026, 11), 300), _month(Period(2026, 12), 100)]
    result = forecast(tiny_rules(), months)
    assert (result.months_known, result.fund_costs, result.contributions) == (2, 400, 200)


def test_centrumgemeenten_are_the_members_with_the_month_and_the_year_to_date(
    tiny: Calculation,
) -> None:
    centrumgemeenten = centrumgemeente_figures(tiny, tiny_rules(), PERIOD)
    assert [(c.code, c.name, c.member) for c in centrumgemeenten] == [
        ("GM0001", "Eerste", True),
        ("GM0002", "Tweede", True),
    ]
    october = tiny.settlements[PERIOD]
    first = centrumgemeenten[0]
    assert first.month == {
        CONTRIBUTION: october.contribution["GM0001"],
        ORIGIN: october.origin["GM0001"],
        KEY: october.key["GM0001"],
        MUNICIPAL_ITEM: 0,
    }
    months = year_to_date(tiny, PERIOD)
    assert first.ytd[KEY] == sum(tiny.settlements[p].key["GM0001"] for p in months)
    assert first.balance(first.ytd) == first.ytd[CONTRIBUTION] - first.charged(first.ytd)


def test_a_non_member_with_direct_charges_is_listed_after_the_members(sample: Sample) -> None:
    centrumgemeenten = centrumgemeente_figures(sample.run.calculation, sample.rules, PERIOD)
    outside = [c for c in centrumgemeenten if not c.member]
    assert [c.code for c in outside] == ["GM0080"]
    assert outside[0].month[CONTRIBUTION] == outside[0].month[KEY] == 0
    assert outside[0].month[MUNICIPAL_ITEM] == sample.run.settlement.municipal["GM0080"]
    assert [c.code for c in centrumgemeenten[:-1]] == sorted(sample.rules.key_for(PERIOD).members)


def test_corrections_are_summed_per_earlier_period_and_payer() -> None:
    rows = [
        StatementRow("2026-10", "GM0002", "key", "2026-08", 7),
        StatementRow("2026-10", "GM0001", "origin", "2026-09", -3),
        StatementRow("2026-10", "GM0001", "key", "2026-09", 5),
        StatementRow("2026-10", "JUSTICE", "justice", "2026-08", 11),
        StatementRow("2026-10", "GM0001", "key", "2026-09", 1),
    ]
    figures = correction_figures(rows)
    assert [(c.for_period, c.payer, c.total) for c in figures] == [
        ("2026-08", "GM0002", 7),
        ("2026-08", "JUSTICE", 11),
        ("2026-09", "GM0001", 3),
    ]
    assert figures[2].items == {
        "contribution": 0,
        "origin": -3,
        "key": 6,
        "municipal": 0,
        "justice": 0,
    }


def test_exceptions_carry_what_their_rejected_days_would_have_cost(tiny: Calculation) -> None:
    findings = exception_amounts(tiny, PERIOD)
    by_placement = {
        p: (reason, days, amount)
        for p, reason, days, amount in findings.select(
            "placement_id", "reason", "days", "amount_cents"
        ).iter_rows()
    }
    assert by_placement["C"] == ("centrumgemeente GM0003 is not a member of the fund", 1, 10000)
    assert by_placement["H"] == ("unknown lot 'ONBEKEND'", 2, None)
    assert findings.height == tiny.findings_for(PERIOD).height


def test_month_figures_have_no_occupancy_without_contracted_places() -> None:
    empty = replace(_month(PERIOD, 0), fund_place_days=0)
    assert empty.occupancy is None
