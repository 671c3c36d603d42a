"""The settlement of a period: availability, statement rows and their order."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl

from fundcalc.base.period import Period
from fundcalc.core.allocation import availability, settle, settle_periods, statement_frame
from fundcalc.core.segments import SEGMENT_SCHEMA
from fundcalc.inputs.arrangement import parse_arrangement
from fundcalc.inputs.municipalities import load_municipalities
from tests.oracle import LotSpec, MunicipalityRowSpec, Scenario

SCENARIO = Scenario(
    budgets={2025: 1_200},
    keys=[(date(2025, 1, 1), {"GM0002": 1, "GM0001": 1})],
    splits=[(date(2025, 1, 1), "0.5")],
    lots=[
        LotSpec("F", "LOVERBOY", [(date(2024, 12, 20), 2, 100, 7), (date(2025, 1, 16), 3, 100, 9)]),
        LotSpec("C", "COSM", [(date(2025, 1, 1), 1, 100, 10)], valid_to=date(2025, 1, 11)),
    ],
    municipalities=[
        MunicipalityRowSpec("GM0001", "GM0001", date(2000, 1, 1)),
        MunicipalityRowSpec("GM0002", "GM0002", date(2000, 1, 1)),
    ],
)
JAN = Period(2025, 1)


def rules():  # type: ignore[no-untyped-def]
    municipalities = load_municipalities(SCENARIO.municipalities_csv().encode(), "m.csv")
    return parse_arrangement(SCENARIO.arrangement_toml().encode(), municipalities)


def test_availability_counts_the_days_with_terms_at_their_places_and_tariff() -> None:
    lots = rules().lots
    fund = availability(lots["F"], JAN)
    assert (fund.days, fund.place_days, fund.amount_cents) == (
        31,
        15 * 2 + 16 * 3,
        15 * 2 * 7 + 16 * 3 * 9,
    )
    cosm = availability(lots["C"], JAN)
    assert (cosm.is_cosm, cosm.days, cosm.amount_cents) == (True, 10, 100)
    assert availability(lots["C"], Period(2025, 2)).amount_cents == 0


def test_statement_rows_list_members_then_other_municipal_payers_then_justice() -> None:
    ledger = pl.DataFrame(
        [
            (
                "2025-01",
                0,
                "C",
                "MUNICIPAL",
                "GM0009",
                date(2025, 1, 1),
                date(2025, 1, 2),
                2,
                100,
                200,
                None,
            ),
            (
                "2025-01",
                1,
                "F",
                "FUND",
                "GM0002",
                date(2025, 1, 1),
                date(2025, 1, 1),
                1,
                100,
                100,
                None,
            ),
            (
                "2024-12",
                1,
                "F",
                "FUND",
                "GM0002",
                date(2024, 12, 31),
                date(2024, 12, 31),
                1,
                100,
                100,
                None,
            ),
        ],
        schema=SEGMENT_SCHEMA,
        orient="row",
    )
    settlement = settle(ledger, rules(), JAN)
    assert settlement.rows() == [
        ("2025-01", "GM0001", "contribution", "2025-01", 50),
        ("2025-01", "GM0001", "origin", "2025-01", 0),
        ("2025-01", "GM0001", "key", "2025-01", 346),
        ("2025-01", "GM0001", "municipal", "2025-01", 0),
        ("2025-01", "GM0002", "contribution", "2025-01", 50),
        ("2025-01", "GM0002", "origin", "2025-01", 50),
        ("2025-01", "GM0002", "key", "2025-01", 346),
        ("2025-01", "GM0002", "municipal", "2025-01", 0),
        ("2025-01", "GM0009", "municipal", "2025-01", 200),
        ("2025-01", "JUSTICE", "justice", "2025-01", 100),
    ]
    # The December row is another period's. Pool: 100 − origin 50 + availability
    # (15 days × 2 × 7 + 16 days × 3 × 9) = 50 + 210 + 432 = 692, halved: 346 each.
    assert settlement.pool == 50 + 210 + 432
    assert statement_frame(settlement.rows()).height == 10
    # Settled together, each period is settled as alone; February has no rows at all.
    feb = Period(2025, 2)
    together = settle_periods(ledger, rules(), [JAN, feb])
    assert together == {JAN: settlement, feb: settle(ledger, rules(), feb)}
    assert together[feb].fund_day_costs == {}


def test_the_checks_include_the_justice_invariant_and_it_can_fail() -> None:
    # Before: the manifest's checks had no word on Justice, which the README promises.
    settlement = settle(pl.DataFrame(schema=SEGMENT_SCHEMA), rules(), JAN)
    assert settlement.check() == [
        ("origin + key = fund day costs + fund availability", True),
        ("contributions = the month's budget part", True),
        ("justice = reflection days + COSM availability", True),
    ]
    wrong = replace(settlement, cosm_availability=settlement.cosm_availability + 1)
    assert dict(wrong.check())["justice = reflection days + COSM availability"] is False
