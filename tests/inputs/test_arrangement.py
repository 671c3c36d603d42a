"""Validating the arrangement (§2): every error names file, key and problem."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from fundcalc.base.period import Period
from fundcalc.errors import RulesError
from fundcalc.inputs.arrangement import parse_arrangement
from fundcalc.inputs.municipalities import load_municipalities
from fundcalc.inputs.rules import SettlementVersion

MUNICIPALITIES = load_municipalities(
    b"municipality_code,municipality_name,centrumgemeente_code,valid_from,valid_to,successor_code\n"
    b"GM0001,A,GM0001,2000-01-01,,\n"
    b"GM0002,B,GM0002,2000-01-01,,\n",
    "municipalities.csv",
)

VALID = """
[fund]
name = "Fonds"
budget = { 2025 = "1200.01", 2026 = "1300" }
[[key]]
valid_from = 2025-01-01
weights = { GM0001 = "1893011", GM0002 = "0.5" }
[[key]]
valid_from = 2026-01-01
weights = { GM0001 = "1" }
[[split]]
valid_from = 2025-01-01
origin_share = "0.25"
[cosm]
reflection_months = 3
correction_lookback_months = 12
[[lot]]
id = "LOV-NOORD"
provider = "Voorbeeld Opvang Noord"
group = "LOVERBOY"
valid_to = 2026-07-01
[[lot.terms]]
valid_from = 2025-01-01
places = 12
day_tariff = "236.40"
availability_tariff = "41.00"
[[lot.terms]]
valid_from = 2025-07-01
places = 14
day_tariff = "240.00"
availability_tariff = "41.50"
"""


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_arrangement(text.encode(), MUNICIPALITIES)


def error_of(text: str) -> str:
    with pytest.raises(RulesError) as caught:
        parse(text)
    return str(caught.value)


def test_a_valid_arrangement_is_read_exactly() -> None:
    rules = parse(VALID)
    assert rules.budgets == {2025: 120_001, 2026: 130_000}
    assert rules.key_for(Period(2025, 6)).weights == {
        "GM0001": Fraction(1_893_011),
        "GM0002": Fraction(1, 2),
    }
    assert rules.key_for(Period(2026, 1)).members == ("GM0001",)
    assert rules.split_for(Period(2026, 3)).origin_share == Fraction(1, 4)
    assert (rules.reflection_months, rules.correction_lookback_months) == (3, 12)
    lot = rules.lots["LOV-NOORD"]
    assert not lot.is_cosm
    assert [(t.valid_from, t.valid_to, t.places, t.day_tariff_cents) for t in lot.terms] == [
        (date(2025, 1, 1), date(2025, 7, 1), 12, 23_640),
        (date(2025, 7, 1), date(2026, 7, 1), 14, 24_000),
    ]


def test_the_correction_lookback_defaults_to_24_months() -> None:
    assert (
        parse(VALID.replace("correction_lookback_months = 12\n", "")).correction_lookback_months
        == 24
    )


def test_an_unknown_key_is_an_error_naming_it() -> None:
    assert error_of(VALID.replace("places = 12", "places = 12\nplaatsen = 3")) == (
        "arrangement.toml: lot LOV-NOORD.terms[1].plaatsen: unknown key"
    )


def test_an_amount_with_more_than_two_decimals_is_an_error() -> None:
    assert error_of(VALID.replace('"236.40"', '"236.405"')) == (
        "arrangement.toml: lot LOV-NOORD.terms[1].day_tariff: '236.405' has more than 2 decimals"
    )


def test_an_amount_written_as_a_number_is_an_error() -> None:
    assert error_of(VALID.replace('"236.40"', "236.40")) == (
        "arrangement.toml: lot LOV-NOORD.terms[1].day_tariff: must be a quoted text,"
        ' for amounts a decimal string like "236.40"'
    )


def test_unsorted_versions_are_an_error() -> None:
    text = VALID.replace("valid_from = 2025-07-01", "valid_from = 2024-07-01")
    assert error_of(text) == (
        "arrangement.toml: lot LOV-NOORD.terms[2].valid_from:"
        " versions are not sorted (2024-07-01 after 2025-01-01)"
    )


def test_overlapping_versions_are_an_error() -> None:
    text = VALID.replace("valid_from = 2026-01-01", "valid_from = 2025-01-01")
    assert error_of(text) == (
        "arrangement.toml: key[2].valid_from:"
        " overlaps the version before it (both valid from 2025-01-01)"
    )


def test_a_key_version_not_on_the_first_of_a_month_is_an_error() -> None:
    assert error_of(VALID.replace("valid_from = 2026-01-01", "valid_from = 2026-01-15")) == (
        "arrangement.toml: key[2].valid_from: 2026-01-15 is not the first day of a month"
    )


def test_an_origin_share_outside_zero_to_one_or_with_five_decimals_is_an_error() -> None:
    assert error_of(VALID.replace('"0.25"', '"1.5"')) == (
        "arrangement.toml: split[1].origin_share: must be between 0 and 1"
    )
    assert error_of(VALID.replace('"0.25"', '"0.12345"')) == (
        "arrangement.toml: split[1].origin_share: '0.12345' has more than 4 decimals"
    )


def test_a_weight_that_is_not_positive_is_an_error() -> None:
    assert error_of(VALID.replace('GM0002 = "0.5"', 'GM0002 = "0"')) == (
        "arrangement.toml: key[1].weights.GM0002: a weight must be positive"
    )


def test_an_unknown_group_is_an_error() -> None:
    assert error_of(VALID.replace('"LOVERBOY"', '"ANDERS"')) == (
        "arrangement.toml: lot LOV-NOORD.group: must be one of"
        " EGG_JONG, EGG_ACUUT, LOVERBOY, DREIGING, STALKING, COSM"
    )


def test_a_missing_section_is_an_error() -> None:
    start = VALID.index("[fund]")
    end = VALID.index("[[key]]")
    assert error_of(VALID[:start] + VALID[end:]) == "arrangement.toml: fund: missing"


def test_without_a_cosm_section_the_reflection_period_is_three_months() -> None:
    start = VALID.index("[cosm]")
    end = VALID.index("[[lot]]")
    rules = parse(VALID[:start] + VALID[end:])
    assert (rules.reflection_months, rules.correction_lookback_months) == (3, 24)


WITH_COSM = (
    VALID
    + """
[[lot]]
id = "COSM-ZUID"
provider = "Voorbeeld COSM"
group = "COSM"
[[lot.terms]]
valid_from = 2025-01-01
places = 4
day_tariff = "180.00"
availability_tariff = "22.50"
"""
)


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        (
            '2025 = "1200.01"',
            '2025 = "-13900000.00"',
            "fund.budget.2025: '-13900000.00' is negative; a budget is 0 or more",
        ),
        ('GM0002 = "0.5"', 'GM0002 = "-0.5"', "key[1].weights.GM0002: a weight must be positive"),
        ('GM0002 = "0.5"', "GM0002 = -2", "key[1].weights.GM0002: a weight must be positive"),
        (
            'weights = { GM0001 = "1" }',
            'weights = { GM0001 = "-1" }',
            "key[2].weights.GM0001: a weight must be positive",
        ),
        (
            'day_tariff = "236.40"',
            'day_tariff = "-236.40"',
            "lot LOV-NOORD.terms[1].day_tariff: '-236.40' is negative; a tariff is 0 or more",
        ),
        (
            'availability_tariff = "41.50"',
            'availability_tariff = "-0.01"',
            "lot LOV-NOORD.terms[2].availability_tariff: '-0.01' is negative;"
            " a tariff is 0 or more",
        ),
        (
            'day_tariff = "180.00"',
            'day_tariff = "-180"',
            "lot COSM-ZUID.terms[1].day_tariff: '-180' is negative; a tariff is 0 or more",
        ),
        (
            'availability_tariff = "22.50"',
            'availability_tariff = "-22.50"',
            "lot COSM-ZUID.terms[1].availability_tariff: '-22.50' is negative;"
            " a tariff is 0 or more",
        ),
    ],
)
def test_a_negative_budget_weight_or_tariff_is_an_error_naming_the_field(
    before: str, after: str, message: str
) -> None:
    assert before in WITH_COSM
    assert error_of(WITH_COSM.replace(before, after)) == f"arrangement.toml: {message}"


def test_a_budget_or_tariff_of_zero_is_allowed() -> None:
    rules = parse(
        WITH_COSM.replace('"1200.01"', '"0"')
        .replace('"236.40"', '"0.00"')
        .replace('"22.50"', '"0"')
    )
    assert rules.budgets[2025] == 0
    assert rules.lots["LOV-NOORD"].terms[0].day_tariff_cents == 0
    assert rules.lots["COSM-ZUID"].terms[0].availability_tariff_cents == 0


def test_invalid_toml_is_an_error() -> None:
    assert error_of("[fund\n").startswith("arrangement.toml: is not valid TOML")


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("2026-13-01", "2026-13-01"),  # TOML itself said "Expected newline or end of document"
        ("2025-02-30", "2025-02-30"),  # TOML itself said "Invalid date or datetime"
        ("2025-1-01", "2025-1-01"),
    ],
)
def test_a_date_that_is_no_date_is_named_with_its_line(written: str, said: str) -> None:
    text = VALID.replace("valid_from = 2026-01-01", f"valid_from = {written}")
    line = text.splitlines().index(f"valid_from = {written}") + 1
    assert error_of(text) == (
        f"arrangement.toml: line {line}: {said} is not a date (a date is written like 2026-01-31)"
    )


def test_a_time_that_is_no_time_is_left_to_toml_s_own_words() -> None:
    text = VALID.replace("valid_from = 2026-01-01", "valid_from = 2026-01-01T25:00:00")
    assert error_of(text).startswith("arrangement.toml: is not valid TOML (Expected newline")


SETTLED = VALID.replace(
    'budget = { 2025 = "1200.01", 2026 = "1300" }',
    'budget = { 2025 = "1200.01", 2026 = "1300" }\nopening_reserve = "250000.00"',
) + (
    "[[settlement]]\n"
    'valid_from = 2025-01-01\nmethod = "balance"\nreserve_cap = "500000.00"\n'
    "[[settlement]]\n"
    'valid_from = 2026-01-01\nmethod = "key"\nreserve_cap = "0"\n'
)


def test_settlement_versions_and_the_opening_reserve_are_read_exactly() -> None:
    rules = parse(SETTLED)
    assert rules.opening_reserve_cents == 25_000_000
    assert rules.settlement_for(2025) == SettlementVersion(date(2025, 1, 1), "balance", 50_000_000)
    assert rules.settlement_for(2027) == SettlementVersion(date(2026, 1, 1), "key", 0)


def test_without_settlement_rules_the_opening_reserve_is_zero_and_no_year_can_be_settled() -> None:
    rules = parse(VALID)
    assert rules.opening_reserve_cents == 0
    with pytest.raises(
        RulesError, match=r"^arrangement.toml: settlement: no version valid on 2025-01-01$"
    ):
        rules.settlement_for(2025)


def test_a_settlement_version_not_on_1_january_is_an_error() -> None:
    assert error_of(
        SETTLED.replace("valid_from = 2026-01-01\nmethod", "valid_from = 2026-07-01\nmethod")
    ) == (
        "arrangement.toml: settlement[2].valid_from: 2026-07-01 is not 1 January"
        " (a year is settled as a whole)"
    )
    assert error_of(
        SETTLED.replace("valid_from = 2026-01-01\nmethod", "valid_from = 2026-01-02\nmethod")
    ) == ("arrangement.toml: settlement[2].valid_from: 2026-01-02 is not the first day of a month")


def test_an_unknown_settlement_method_is_an_error_naming_the_methods() -> None:
    assert error_of(SETTLED.replace('method = "key"', 'method = "saldo"')) == (
        "arrangement.toml: settlement[2].method: must be one of balance, key"
    )


def test_a_negative_reserve_cap_or_opening_reserve_is_an_error() -> None:
    assert error_of(SETTLED.replace('reserve_cap = "0"', 'reserve_cap = "-1.00"')) == (
        "arrangement.toml: settlement[2].reserve_cap: '-1.00' is negative; a reserve is 0 or more"
    )
    assert error_of(SETTLED.replace('"250000.00"', '"-5"')) == (
        "arrangement.toml: fund.opening_reserve: '-5' is negative; a reserve is 0 or more"
    )


def test_unsorted_settlement_versions_or_an_unknown_settlement_key_are_errors() -> None:
    swapped = SETTLED.replace("valid_from = 2026-01-01\nmethod", "valid_from = 2024-01-01\nmethod")
    assert error_of(swapped) == (
        "arrangement.toml: settlement[2].valid_from:"
        " versions are not sorted (2024-01-01 after 2025-01-01)"
    )
    assert error_of(SETTLED.replace('reserve_cap = "0"', 'reserve_cap = "0"\nplafond = "1"')) == (
        "arrangement.toml: settlement[2].plafond: unknown key"
    )
    assert error_of(SETTLED.replace('reserve_cap = "0"\n', "")) == (
        "arrangement.toml: settlement[2].reserve_cap: missing"
    )
