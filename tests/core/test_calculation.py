"""Every rule sentence of SPEC §4, each proved on a small hand-made case.

Amounts are in cents. The base case: members GM0001 (weight 1) and GM0002
(weight 3); fund lot F (1 place, € 100.00 a day, € 10.00 availability); COSM
lot C (2 places, € 50.00 a day, € 5.00 availability); origin share 0.5; a
budget of € 1,200.00 a year; reflection period 3 months.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from fundcalc.base.period import Period
from fundcalc.base.reasons import english
from fundcalc.core.calculation import Calculation, calculate
from fundcalc.inputs.arrangement import parse_arrangement
from fundcalc.inputs.fields import typed_rows
from fundcalc.inputs.log import normalise
from fundcalc.inputs.municipalities import load_municipalities
from tests.oracle import FIELDS, LotSpec, MunicipalityRowSpec, Scenario

JAN = Period(2025, 1)
AS_OF = date(2025, 6, 1)


def base(**changes: object) -> Scenario:
    scenario = Scenario(
        budgets={2025: 120_000},
        keys=[(date(2025, 1, 1), {"GM0001": 1, "GM0002": 3})],
        splits=[(date(2025, 1, 1), "0.5")],
        lots=[
            LotSpec("F", "LOVERBOY", [(date(2024, 1, 1), 1, 10_000, 1_000)]),
            LotSpec("C", "COSM", [(date(2024, 1, 1), 2, 5_000, 500)]),
        ],
        municipalities=[
            MunicipalityRowSpec("GM0001", "GM0001", date(2000, 1, 1)),
            MunicipalityRowSpec("GM0002", "GM0002", date(2000, 1, 1)),
            MunicipalityRowSpec("GM0003", "GM0003", date(2000, 1, 1)),
            MunicipalityRowSpec("GM0101", "GM0001", date(2000, 1, 1)),
        ],
    )
    for name, value in changes.items():
        setattr(scenario, name, value)
    return scenario


def row(pid: str = "P1", **fields: str) -> dict[str, str]:
    values = {
        "placement_id": pid,
        "client_id": "c-" + pid,
        "lot_id": "F",
        "start_date": "2025-01-10",
        "end_date": "2025-01-20",
        "brp_municipality": "GM0001",
        "recorded_on": "2025-02-01",
    }
    values.update(fields)
    assert set(values) <= set(FIELDS)
    return values


def run(scenario: Scenario, period: Period = JAN, as_of: date = AS_OF) -> Calculation:
    """The engine on a scenario, for one period."""
    municipalities = load_municipalities(scenario.municipalities_csv().encode(), "m.csv")
    rules = parse_arrangement(scenario.arrangement_toml().encode(), municipalities)
    raw = pl.read_csv(scenario.log_csv().encode(), infer_schema=False)
    raw = raw.with_row_index("line", offset=2)
    return calculate(rules, typed_rows(normalise(raw, "log.csv")), [period], as_of)


def days(calc: Calculation) -> list[tuple[str, str, str | None, int]]:
    """(placement, stream, reason, days) per ledger row of the calculated period."""
    (period,) = calc.periods
    return [
        (pid, stream, reason, n)
        for pid, stream, reason, n in calc.ledger_for(period)
        .select("placement_id", "stream", "reason", "days")
        .iter_rows()
    ]


def fund_costs(calc: Calculation, period: Period = JAN) -> dict[str, int]:
    return dict(calc.settlements[period].fund_day_costs)


def rejection(calc: Calculation, pid: str) -> str | None:
    """Why the placement is rejected as a whole, in English."""
    placements = calc.versions.placements.filter(pl.col("placement_id") == pid)
    return english(placements["reject_reason"])[0] if placements.height else None


# --- §4.1 Versions ---


def test_version_in_force_is_the_latest_recorded_on_or_before_the_as_of_date() -> None:
    log = [
        row(end_date="2025-01-30", recorded_on="2025-01-05"),
        row(end_date="2025-01-15", recorded_on="2025-02-05"),
        row(end_date="2025-01-12", recorded_on="2025-03-05"),
    ]
    assert days(run(base(rows=log), as_of=date(2025, 2, 5))) == [("P1", "FUND", None, 5)]
    assert days(run(base(rows=log), as_of=date(2025, 3, 4))) == [("P1", "FUND", None, 5)]
    assert days(run(base(rows=log), as_of=date(2025, 3, 5))) == [("P1", "FUND", None, 2)]
    assert days(run(base(rows=log), as_of=date(2025, 1, 5))) == [("P1", "FUND", None, 20)]


def test_rows_recorded_after_the_as_of_date_count_as_not_yet_recorded() -> None:
    calc = run(base(rows=[row(recorded_on="2025-07-01")]))
    assert days(calc) == []
    assert calc.versions.counts["not_yet_recorded"] == 1


def test_a_void_version_withdraws_the_placement() -> None:
    log = [row(), row(void="ja", recorded_on="2025-03-01")]
    assert days(run(base(rows=log))) == []
    assert days(run(base(rows=log), as_of=date(2025, 2, 28))) == [("P1", "FUND", None, 10)]


def test_different_rows_with_the_same_recorded_on_are_a_conflict_that_rejects() -> None:
    calc = run(base(rows=[row(), row(end_date="2025-01-25")]))
    assert days(calc) == []  # which stay? neither: no days to show
    assert (
        rejection(calc, "P1")
        == "conflicting versions recorded on the same day (log.csv:2, log.csv:3)"
    )


def test_identical_rows_count_once_even_when_dates_are_written_differently() -> None:
    log = [row(), row(start_date="10-01-2025", end_date="20-01-2025", void="nee")]
    calc = run(base(rows=log))
    assert days(calc) == [("P1", "FUND", None, 10)]
    assert calc.versions.counts["duplicate"] == 1


def test_a_row_without_placement_id_or_recorded_on_is_no_version() -> None:
    calc = run(
        base(
            rows=[row(pid=""), row(pid="P2", recorded_on=""), row(pid="P3", recorded_on="gisteren")]
        )
    )
    assert days(calc) == []
    reasons = calc.versions.exceptions.select("line", "reason").rows()
    assert reasons == [
        (2, "no placement_id"),
        (3, "no recorded_on"),
        (4, "recorded_on 'gisteren' is not a date"),
    ]
    assert calc.versions.counts["not_a_version"] == 3


def test_a_version_in_force_missing_a_required_field_rejects_its_placement() -> None:
    calc = run(
        base(
            rows=[
                row("P1", client_id=""),
                row("P2", lot_id=""),
                row("P3", start_date=""),
                row("P4", brp_municipality="", found_municipality=""),
            ]
        )
    )
    assert days(calc) == [
        ("P1", "REJECTED", "client_id is missing", 10),
        ("P2", "REJECTED", "lot_id is missing", 10),
        ("P4", "REJECTED", "found_municipality is missing (no brp_municipality)", 10),
    ]
    assert [rejection(calc, p) for p in ("P1", "P2", "P3", "P4")] == [
        "client_id is missing",
        "lot_id is missing",
        "start_date is missing",
        "found_municipality is missing (no brp_municipality)",
    ]


def test_a_version_in_force_with_an_unreadable_field_rejects_its_placement() -> None:
    calc = run(
        base(
            rows=[
                row("P1", end_date="31-02-2025"),
                row("P2", void="misschien"),
                row("P3", client_id="x" * 101),
                row("P4"),
            ]
        )
    )
    assert days(calc) == [
        ("P2", "REJECTED", "void 'misschien' is not true/false, ja/nee or 1/0", 10),
        ("P3", "REJECTED", "client_id is longer than 100 characters", 10),
        ("P4", "FUND", None, 10),
    ]
    assert [rejection(calc, p) for p in ("P1", "P2", "P3")] == [
        "end_date '31-02-2025' is not a date",
        "void 'misschien' is not true/false, ja/nee or 1/0",
        "client_id is longer than 100 characters",
    ]


def test_an_unreadable_older_version_does_not_matter_once_superseded() -> None:
    log = [row(end_date="gisteren", recorded_on="2025-01-05"), row(recorded_on="2025-02-05")]
    assert days(run(base(rows=log))) == [("P1", "FUND", None, 10)]


# --- §4.2 Days ---


def test_the_day_of_departure_is_not_charged() -> None:
    calc = run(base(rows=[row(start_date="2025-01-10", end_date="2025-01-11")]))
    assert days(calc) == [("P1", "FUND", None, 1)]
    assert fund_costs(calc) == {"GM0001": 10_000}


def test_a_stay_without_end_date_is_charged_every_day_from_its_start() -> None:
    calc = run(base(rows=[row(start_date="2024-12-01", end_date="")]))
    assert days(calc) == [("P1", "FUND", None, 31)]


def test_a_stay_ending_on_its_start_day_is_one_day() -> None:
    assert days(run(base(rows=[row(end_date="2025-01-10")]))) == [("P1", "FUND", None, 1)]


def test_an_end_date_before_the_start_date_rejects_the_placement() -> None:
    calc = run(base(rows=[row(end_date="2025-01-09")]))
    assert days(calc) == []
    assert rejection(calc, "P1") == "end_date before start_date"


def test_only_the_days_in_the_period_count() -> None:
    calc = run(base(rows=[row(start_date="2024-12-25", end_date="2025-02-03")]))
    assert days(calc) == [("P1", "FUND", None, 31)]
    assert days(
        run(base(rows=[row(start_date="2024-12-25", end_date="2025-02-03")]), Period(2025, 2))
    ) == [("P1", "FUND", None, 2)]


# --- §4.3 Responsible municipality ---


def test_the_brp_municipality_is_responsible_and_its_centrumgemeente_pays() -> None:
    calc = run(base(rows=[row(brp_municipality="GM0101", found_municipality="GM0002")]))
    assert fund_costs(calc) == {"GM0001": 100_000}


def test_without_brp_the_municipality_where_she_was_found_is_responsible() -> None:
    calc = run(base(rows=[row(brp_municipality="", found_municipality="GM0002")]))
    assert fund_costs(calc) == {"GM0002": 100_000}


def test_an_ended_code_follows_its_successors_to_a_centrumgemeente() -> None:
    mapping = [
        MunicipalityRowSpec("GM0001", "GM0001", date(2000, 1, 1)),
        MunicipalityRowSpec("GM0002", "GM0002", date(2000, 1, 1)),
        MunicipalityRowSpec("GM0501", "GM0001", date(2000, 1, 1), date(2023, 1, 1), "GM0502"),
        MunicipalityRowSpec("GM0502", "GM0002", date(2023, 1, 1), date(2025, 1, 15), "GM0503"),
        MunicipalityRowSpec("GM0503", "GM0001", date(2025, 1, 15)),
    ]
    calc = run(base(municipalities=mapping, rows=[row(brp_municipality="GM0501")]))
    # 10–14 January: GM0501 → GM0502 (GM0002); 15–19 January: → GM0503 (GM0001).
    assert fund_costs(calc) == {"GM0001": 50_000, "GM0002": 50_000}


def test_a_code_without_a_row_on_the_day_and_no_successor_has_no_centrumgemeente() -> None:
    mapping = [
        MunicipalityRowSpec("GM0001", "GM0001", date(2000, 1, 1)),
        MunicipalityRowSpec("GM0002", "GM0002", date(2000, 1, 1)),
        MunicipalityRowSpec("GM0600", "GM0002", date(2025, 1, 15)),
    ]
    calc = run(base(municipalities=mapping, rows=[row(brp_municipality="GM0600")]))
    assert days(calc) == [
        ("P1", "REJECTED", "no centrumgemeente for municipality 'GM0600'", 5),
        ("P1", "FUND", None, 5),
    ]


# --- §4.4 Streams ---


def test_a_cosm_day_in_the_reflection_window_is_justice_and_outside_it_municipal() -> None:
    calc = run(
        base(
            rows=[
                row(
                    lot_id="C",
                    start_date="2025-01-01",
                    end_date="2025-01-11",
                    brp_municipality="GM0002",
                    reflection_start="2025-01-05",
                    reflection_end="2025-01-08",
                )
            ]
        )
    )
    assert days(calc) == [
        ("P1", "MUNICIPAL", None, 4),
        ("P1", "JUSTICE", None, 3),
        ("P1", "MUNICIPAL", None, 3),
    ]
    settlement = calc.settlements[JAN]
    assert dict(settlement.municipal) == {"GM0002": 35_000}
    assert settlement.justice_day_costs == 15_000


def test_the_reflection_window_ends_after_reflection_months_clamped_to_month_end() -> None:
    # 30 November + 3 months = 28 February 2025 (February is shorter): the window
    # is 30 November up to 28 February exclusive, so 28 February is municipal.
    log = [
        row(
            lot_id="C",
            start_date="2025-02-20",
            end_date="2025-03-05",
            reflection_start="2024-11-30",
        )
    ]
    assert days(run(base(rows=log), Period(2025, 2))) == [
        ("P1", "JUSTICE", None, 8),
        ("P1", "MUNICIPAL", None, 1),
    ]
    assert days(run(base(rows=log), Period(2025, 3))) == [("P1", "MUNICIPAL", None, 4)]


def test_a_cosm_stay_without_reflection_start_has_no_window() -> None:
    log = [row(lot_id="C", reflection_end="2025-01-15")]
    assert days(run(base(rows=log))) == [("P1", "MUNICIPAL", None, 10)]


def test_a_reflection_end_before_its_start_leaves_no_window() -> None:
    log = [row(lot_id="C", reflection_start="2025-01-12", reflection_end="2025-01-11")]
    assert days(run(base(rows=log))) == [("P1", "MUNICIPAL", None, 10)]


def test_reflection_dates_on_a_fund_lot_are_ignored_and_warned_about() -> None:
    calc = run(base(rows=[row(reflection_start="2025-01-01")]))
    assert days(calc) == [("P1", "FUND", None, 10)]
    warnings = calc.findings_for(JAN).filter(pl.col("kind") == "warning")
    assert warnings.select("placement_id", "reason").rows() == [
        ("P1", "reflection dates on a fund lot are ignored")
    ]


# --- §4.5 Rejected days ---


def test_days_on_an_unknown_lot_are_rejected() -> None:
    calc = run(base(rows=[row(lot_id="NOPE")]))
    assert days(calc) == [("P1", "REJECTED", "unknown lot 'NOPE'", 10)]
    assert calc.findings_for(JAN).select("reason", "days").rows() == [("unknown lot 'NOPE'", 10)]


def test_days_without_lot_terms_are_rejected() -> None:
    lots = [
        LotSpec(
            "F", "LOVERBOY", [(date(2025, 1, 15), 1, 10_000, 1_000)], valid_to=date(2025, 1, 18)
        ),
        LotSpec("C", "COSM", [(date(2024, 1, 1), 2, 5_000, 500)]),
    ]
    calc = run(base(lots=lots, rows=[row()]))
    assert days(calc) == [
        ("P1", "REJECTED", "lot F has no terms on these days", 5),
        ("P1", "FUND", None, 3),
        ("P1", "REJECTED", "lot F has no terms on these days", 2),
    ]


def test_days_without_a_centrumgemeente_are_rejected_but_justice_days_need_none() -> None:
    log = [
        row("P1", brp_municipality="GM9999"),
        row("P2", lot_id="C", brp_municipality="GM9999", reflection_start="2025-01-15"),
    ]
    assert days(run(base(rows=log))) == [
        ("P1", "REJECTED", "no centrumgemeente for municipality 'GM9999'", 10),
        ("P2", "REJECTED", "no centrumgemeente for municipality 'GM9999'", 5),
        ("P2", "JUSTICE", None, 5),
    ]


def test_fund_days_of_a_centrumgemeente_that_is_not_a_member_are_rejected() -> None:
    calc = run(
        base(
            rows=[row(brp_municipality="GM0003"), row("P2", lot_id="C", brp_municipality="GM0003")]
        )
    )
    assert days(calc) == [
        ("P1", "REJECTED", "centrumgemeente GM0003 is not a member of the fund", 10),
        ("P2", "MUNICIPAL", None, 10),
    ]
    assert fund_costs(calc) == {}
    assert ("2025-01", "GM0003", "municipal", "2025-01", 50_000) in calc.settlements[JAN].rows()


# --- §4.6 Day cost ---


def test_the_day_cost_is_the_tariff_valid_on_that_day() -> None:
    lots = [
        LotSpec(
            "F",
            "LOVERBOY",
            [(date(2024, 1, 1), 1, 10_000, 1_000), (date(2025, 1, 15), 1, 12_345, 1_000)],
        ),
        LotSpec("C", "COSM", [(date(2024, 1, 1), 2, 5_000, 500)]),
    ]
    calc = run(base(lots=lots, rows=[row()]))
    ledger = calc.ledger_for(JAN).select("days", "day_tariff_cents", "amount_cents").rows()
    assert ledger == [(5, 10_000, 50_000), (5, 12_345, 61_725)]
    assert fund_costs(calc) == {"GM0001": 111_725}


# --- §4.7 Availability ---


def test_availability_is_places_times_tariff_over_the_days_with_terms() -> None:
    lots = [
        LotSpec(
            "F",
            "LOVERBOY",
            [(date(2024, 1, 1), 3, 10_000, 1_000), (date(2025, 1, 11), 4, 10_000, 2_000)],
            date(2025, 1, 21),
        ),
        LotSpec("C", "COSM", [(date(2025, 1, 22), 2, 5_000, 500)]),
    ]
    settlement = run(base(lots=lots)).settlements[JAN]
    # F: 10 days × 3 × 10.00 + 10 days × 4 × 20.00; C: 10 days × 2 × 5.00.
    assert settlement.fund_availability == 30_000 + 80_000
    assert settlement.cosm_availability == 10_000
    assert settlement.justice == 10_000


# --- §4.8 Splitting the fund ---


def test_the_origin_share_is_rounded_half_to_even() -> None:
    lots = [
        LotSpec("F", "LOVERBOY", [(date(2024, 1, 1), 0, 1_001, 0)]),
        LotSpec("C", "COSM", [(date(2024, 1, 1), 0, 1, 0)]),
    ]
    log = [
        row("P1", end_date="2025-01-11"),
        row("P2", brp_municipality="GM0002", end_date="2025-01-13"),
    ]
    settlement = run(base(lots=lots, rows=log)).settlements[JAN]
    # GM0001: 1001 × 0.5 = 500.5 → 500; GM0002: 3003 × 0.5 = 1501.5 → 1502.
    assert dict(settlement.origin) == {"GM0001": 500, "GM0002": 1502}
    assert settlement.pool == 1001 + 3003 - 500 - 1502


def test_the_pool_is_split_by_largest_remainder_with_ties_to_the_lower_code() -> None:
    keys = [(date(2025, 1, 1), {"GM0001": 1, "GM0002": 1})]
    lots = [
        LotSpec("F", "LOVERBOY", [(date(2024, 1, 1), 0, 1_001, 0)]),
        LotSpec("C", "COSM", [(date(2024, 1, 1), 0, 1, 0)]),
    ]
    settlement = run(
        base(
            keys=keys,
            lots=lots,
            splits=[(date(2025, 1, 1), "0")],
            rows=[row(end_date="2025-01-11")],
        )
    ).settlements[JAN]
    assert dict(settlement.key) == {"GM0001": 501, "GM0002": 500}


def test_origin_plus_key_equals_fund_day_costs_plus_fund_availability() -> None:
    log = [row("P1"), row("P2", brp_municipality="GM0002", start_date="2025-01-03", end_date="")]
    settlement = run(base(splits=[(date(2025, 1, 1), "0.3333")], rows=log)).settlements[JAN]
    assert sum(settlement.fund_day_costs.values()) == 100_000 + 29 * 10_000
    assert sum(settlement.origin.values()) + sum(settlement.key.values()) == 390_000 + 31 * 1_000


def test_key_and_split_are_those_in_force_on_the_first_day_of_the_period() -> None:
    keys = [(date(2025, 1, 1), {"GM0001": 1, "GM0002": 3}), (date(2025, 2, 1), {"GM0001": 1})]
    splits = [(date(2025, 1, 1), "0.5"), (date(2025, 2, 1), "0")]
    log = [row(start_date="2025-01-30", end_date="2025-02-02", brp_municipality="GM0002")]
    calc = run(base(keys=keys, splits=splits, rows=log), Period(2025, 2))
    assert days(calc) == [
        ("P1", "REJECTED", "centrumgemeente GM0002 is not a member of the fund", 1)
    ]
    assert calc.settlements[Period(2025, 2)].members == ("GM0001",)


# --- §4.9 Contributions ---


def test_the_contributions_of_a_year_sum_to_its_budget() -> None:
    scenario = base(budgets={2025: 100_000_003})
    parts = [run(scenario, Period(2025, m)).settlements[Period(2025, m)] for m in range(1, 13)]
    assert [p.budget_part for p in parts[:3]] == [8_333_333, 8_333_334, 8_333_333]
    assert sum(sum(p.contribution.values()) for p in parts) == 100_000_003
    assert dict(parts[0].contribution) == {"GM0001": 2_083_333, "GM0002": 6_250_000}


# --- §4.10 Direct charges ---


def test_justice_is_the_justice_day_costs_plus_the_cosm_availability() -> None:
    log = [row(lot_id="C", reflection_start="2025-01-01")]
    settlement = run(base(rows=log)).settlements[JAN]
    assert settlement.justice == 10 * 5_000 + 31 * 2 * 500
    assert ("2025-01", "JUSTICE", "justice", "2025-01", 81_000) in settlement.rows()


def test_a_period_settled_only_settles_as_it_does_with_its_ledger() -> None:
    municipalities = load_municipalities(base().municipalities_csv().encode(), "m.csv")
    scenario = base()
    scenario.rows = [
        row("P1", start_date="2025-01-10", end_date="2025-03-05"),
        row("P2", lot_id="C", start_date="2024-12-20", reflection_start="2025-01-15"),
        row("P3", brp_municipality="GM0003", start_date="2025-02-01"),
    ]
    rules = parse_arrangement(scenario.arrangement_toml().encode(), municipalities)
    raw = pl.read_csv(scenario.log_csv().encode(), infer_schema=False)
    log = typed_rows(normalise(raw.with_row_index("line", offset=2), "log.csv"))
    feb, mar = Period(2025, 2), Period(2025, 3)
    whole = calculate(rules, log, [JAN, feb, mar], AS_OF)
    settled = calculate(rules, log, [mar], AS_OF, settle_only=[JAN, feb, mar])
    assert settled.periods == (mar,)
    assert set(settled.all_segments["period"]) == {"2025-03"}
    for period in (JAN, feb, mar):
        assert settled.settlements[period] == whole.settlements[period]
    assert whole.settlements[feb].key != whole.settlements[JAN].key
    # The ledger of some periods: all of it when it holds no others.
    assert whole.segments_of([JAN, feb, mar]).collect().equals(whole.all_segments)
    ledger_feb = whole.segments_of([feb]).collect()
    assert ledger_feb.height > 0 and set(ledger_feb["period"]) == {"2025-02"}
    assert ledger_feb.equals(whole.segments(feb).select(whole.all_segments.columns))


def test_segments_where_keeps_the_rows_it_holds_for_named_as_all_are() -> None:
    scenario = base()
    scenario.rows = [
        row("P1"),
        row("P2", lot_id="C", start_date="2025-01-05", end_date="2025-01-08"),
        row("P3", lot_id="C", start_date="2025-01-15", end_date=""),
    ]
    calc = run(scenario)
    cosm = pl.col("lot_id") == "C"
    columns = ("placement_id", "client_id", "lot_id", "days")
    chosen = calc.segments(JAN, *columns, where=cosm)
    assert chosen.equals(calc.segments(JAN, *columns).filter(cosm))
    assert sorted(chosen.select("placement_id", "client_id", "days").rows()) == [
        ("P2", "c-P2", 3),
        ("P3", "c-P3", 17),
    ]
