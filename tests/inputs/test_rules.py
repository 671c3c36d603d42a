"""The rules as the calculation uses them: which version is in force, and what is missing."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from fundcalc.base.period import Period
from fundcalc.errors import RulesError
from fundcalc.inputs.municipalities import Municipalities
from fundcalc.inputs.rules import KeyVersion, Rules, SettlementVersion, SplitVersion

RULES = Rules(
    fund_name="Fonds",
    budgets={2025: 120_001, 2026: 130_000},
    keys=(
        KeyVersion(date(2025, 1, 1), {"GM0001": Fraction(1_893_011), "GM0002": Fraction(1, 2)}),
        KeyVersion(date(2026, 1, 1), {"GM0001": Fraction(1)}),
    ),
    splits=(SplitVersion(date(2025, 1, 1), Fraction(1, 4)),),
    reflection_months=3,
    correction_lookback_months=12,
    lots={},
    municipalities=Municipalities({}),
    settlements=(
        SettlementVersion(date(2025, 1, 1), "balance", 50_000_000),
        SettlementVersion(date(2026, 1, 1), "key", 0),
    ),
)


def test_the_version_in_force_is_the_last_one_valid_on_the_first_day_of_the_period() -> None:
    assert RULES.key_for(Period(2025, 12)).members == ("GM0001", "GM0002")
    assert RULES.key_for(Period(2026, 1)).members == ("GM0001",)
    assert RULES.split_for(Period(2026, 3)).origin_share == Fraction(1, 4)
    assert RULES.settlement_for(2027) == SettlementVersion(date(2026, 1, 1), "key", 0)


def test_a_period_without_a_key_split_or_budget_version_is_an_error() -> None:
    with pytest.raises(
        RulesError, match=r"^arrangement.toml: key: no version valid on 2024-12-01$"
    ):
        RULES.key_for(Period(2024, 12))
    with pytest.raises(
        RulesError, match=r"^arrangement.toml: split: no version valid on 2024-12-01$"
    ):
        RULES.split_for(Period(2024, 12))
    with pytest.raises(RulesError, match=r"^arrangement.toml: fund.budget.2027: no budget"):
        RULES.budget_for(2027)
    assert not RULES.covers(Period(2024, 12))
    assert not RULES.covers(Period(2027, 1))
    assert RULES.covers(Period(2025, 1))


def test_a_year_before_the_first_settlement_version_has_none() -> None:
    with pytest.raises(
        RulesError, match=r"^arrangement.toml: settlement: no version valid on 2024-01-01$"
    ):
        RULES.settlement_for(2024)
