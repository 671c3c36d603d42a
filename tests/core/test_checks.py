"""Warnings that change no money: reflection dates, double placements, long stays, capacity."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl

from fundcalc.base.period import Period
from fundcalc.base.reasons import (
    FUND_LOT_REFLECTION,
    REFLECTION_BEFORE_START,
    REFLECTION_WITHOUT_START,
)
from fundcalc.core.calculation import calculate
from fundcalc.core.checks import CHECKS, WITHOUT_PERIOD, run_checks
from tests.synthetic import raw_log, stay, tiny_rules

OCTOBER = Period(2026, 10)
AS_OF = date(2026, 11, 23)


def warnings(*rows: dict[str, str]) -> list[tuple[str | None, str, int | None]]:
    calculation = calculate(tiny_rules(), raw_log(list(rows)), [OCTOBER], AS_OF)
    found = calculation.findings_for(OCTOBER).filter(pl.col("kind") == "warning")
    return found.select("placement_id", "reason", "days").rows()


def test_one_client_in_two_placements_on_the_same_days_is_a_warning_with_the_shared_days() -> None:
    assert warnings(
        stay("P1", "GROOT", "2026-10-01", "2026-10-10", client_id="C1"),
        stay("P2", "GROOT", "2026-10-05", "2026-10-20", client_id="C1"),
    ) == [
        (
            "P2",
            "the same client is also in placement P1 on these days (possible double billing)",
            5,
        )
    ]


def test_a_move_on_the_day_of_departure_is_no_double_placement() -> None:
    assert (
        warnings(
            stay("P1", "GROOT", "2026-10-01", "2026-10-10", client_id="C1"),
            stay("P2", "COSM-X", "2026-10-10", "2026-10-20", client_id="C1"),
        )
        == []
    )


def test_a_double_placement_names_the_stay_that_lasts_longest_and_counts_days_in_the_month() -> (
    None
):
    assert warnings(
        stay("P1", "GROOT", "2026-09-01", client_id="C1"),
        stay("P2", "GROOT", "2026-09-10", "2026-09-20", client_id="C1"),
        stay("P3", "GROOT", "2026-09-25", "2026-10-03", client_id="C1"),
        stay("P4", "GROOT", "2026-10-01", "2026-10-02", client_id="C2"),
    ) == [
        (
            "P3",
            "the same client is also in placement P1 on these days (possible double billing)",
            2,
        )
    ]


def test_a_stay_longer_than_a_year_is_a_warning_from_the_month_of_its_anniversary() -> None:
    assert warnings(
        stay("P1", "GROOT", "2025-09-15"),
        stay("P2", "GROOT", "2025-10-31"),
        stay("P3", "GROOT", "2025-11-01"),
        stay("P4", "GROOT", "2025-09-15", "2026-09-15"),
        stay("P5", "GROOT", "2025-09-15", "2026-10-02"),
    ) == [
        ("P1", "stay longer than a year (since 2025-09-15)", None),
        ("P2", "stay longer than a year (since 2025-10-31)", None),
        ("P5", "stay longer than a year (since 2025-09-15)", None),
    ]


def test_reflection_dates_that_do_not_make_the_window_they_say_are_warnings() -> None:
    assert warnings(
        stay("P1", "COSM-X", "2026-08-01", reflection_start="2026-08-01",
             reflection_end="2026-12-01"),
        stay("P2", "COSM-X", "2026-10-01", "2026-10-02", reflection_start="2026-10-05",
             reflection_end="2026-10-04"),
        stay("P3", "COSM-X", "2026-10-02", "2026-10-03", reflection_end="2026-10-04"),
        stay("P4", "COSM-X", "2026-10-03", reflection_start="2026-10-01",
             reflection_end="2027-01-01"),
        stay("P5", "GROOT", "2026-10-01", reflection_end="2026-10-04"),
    ) == [
        (
            "P1",
            "reflection period longer than 3 months: from 2026-11-01 the days are charged"
            " to the centrumgemeente",
            None,
        ),
        ("P2", REFLECTION_BEFORE_START.text(), None),
        ("P3", REFLECTION_WITHOUT_START.text(), None),
        ("P5", FUND_LOT_REFLECTION.text(), None),
    ]  # fmt: skip


def test_a_reflection_period_of_one_month_is_said_in_the_singular() -> None:
    # Before: "longer than 1 months".
    rules = replace(tiny_rules(), reflection_months=1)
    log = raw_log([stay("P1", "COSM-X", "2026-08-01", reflection_start="2026-08-01",
                        reflection_end="2026-12-01")])  # fmt: skip
    found = calculate(rules, log, [OCTOBER], AS_OF).findings_for(OCTOBER)
    assert found.filter(pl.col("kind") == "warning")["reason"].to_list() == [
        "reflection period longer than 1 month: from 2026-09-01 the days are charged"
        " to the centrumgemeente"
    ]


def test_a_lot_with_more_placements_than_places_is_a_warning_per_terms() -> None:
    # KLEIN has 1 place until 16 October and 2 from then on.
    assert warnings(
        stay("P1", "KLEIN", "2026-10-01", "2026-10-21"),
        stay("P2", "KLEIN", "2026-10-11", "2026-10-26"),
        stay("P3", "KLEIN", "2026-10-20", "2026-10-22"),
    ) == [
        (None, "lot KLEIN: more placements than contracted places (1) on these days,"
         " at most 2 on a day", 5),
        (None, "lot KLEIN: more placements than contracted places (2) on these days,"
         " at most 3 on a day", 1),
    ]  # fmt: skip


def test_warnings_change_no_money() -> None:
    rows = [
        stay("P1", "KLEIN", "2025-09-01", client_id="C1", reflection_start="2025-09-01"),
        stay("P2", "KLEIN", "2026-10-05", "2026-10-20", client_id="C1"),
        stay("P3", "COSM-X", "2026-08-01", reflection_start="2026-08-01",
             reflection_end="2026-12-01"),
    ]  # fmt: skip
    calculation = calculate(tiny_rules(), raw_log(rows), [OCTOBER], AS_OF)
    assert calculation.findings_for(OCTOBER)["kind"].to_list() == ["warning"] * 5
    assert calculation.ledger_for(OCTOBER).select("placement_id", "stream", "days").rows() == [
        ("P1", "FUND", 31),
        ("P2", "FUND", 15),
        ("P3", "JUSTICE", 31),
    ]


def test_without_a_period_only_the_checks_that_need_none_run() -> None:
    rows = [
        stay("P1", "GROOT", "2025-09-15", client_id="C1", reflection_end="2025-09-20"),
        stay("P2", "GROOT", "2025-10-01", "2025-10-20", client_id="C1"),
    ]
    placements = calculate(tiny_rules(), raw_log(rows), [OCTOBER], AS_OF).versions.placements
    without = run_checks(placements, tiny_rules())
    assert without.select("placement_id", "reason").rows() == [("P1", FUND_LOT_REFLECTION.text())]
    within = run_checks(placements, tiny_rules(), Period(2025, 10))
    assert sorted(within["placement_id"].to_list()) == ["P1", "P2"]
    assert set(WITHOUT_PERIOD) < set(CHECKS)
