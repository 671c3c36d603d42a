"""Months and month arithmetic."""

from __future__ import annotations

from datetime import date

import pytest

from fundcalc.base.period import Period, add_months, periods_between


def test_a_period_knows_its_days_and_bounds() -> None:
    feb = Period.parse("2024-02")
    assert (feb.first_day, feb.last_day, feb.end, feb.days) == (
        date(2024, 2, 1),
        date(2024, 2, 29),
        date(2024, 3, 1),
        29,
    )
    assert str(Period(2025, 12).next()) == "2026-01"
    assert str(Period(2025, 1).previous()) == "2024-12"


@pytest.mark.parametrize("text", ["2025-13", "2025-1", "25-01", "januari", "2025-00"])
def test_a_period_that_is_not_a_month_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(text)


def test_adding_months_keeps_the_day_or_takes_the_last_day_of_a_shorter_month() -> None:
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 1, 15), 3) == date(2025, 4, 15)
    assert add_months(date(2025, 12, 31), 2) == date(2026, 2, 28)


def test_periods_between_includes_both_ends() -> None:
    assert [str(p) for p in periods_between(Period(2024, 11), Period(2025, 2))] == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]
