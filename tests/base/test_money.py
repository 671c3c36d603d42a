"""Exact amounts and the two roundings of the arrangement."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundcalc.base.money import (
    budget_part,
    format_cents,
    parse_cents,
    parse_decimal,
    round_half_even,
    share_of,
    split_largest_remainder,
)


def test_decimal_strings_parse_exactly_to_cents() -> None:
    assert parse_cents("236.40") == 23_640
    assert parse_cents("0.1") == 10
    assert parse_cents("12500000") == 1_250_000_000
    assert parse_cents("-3.05") == -305


@pytest.mark.parametrize("text", ["236.405", "1e3", "236,40", "", "abc", ".5", "5.", "NaN"])
def test_amounts_that_are_not_plain_two_decimal_numbers_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_cents(text)


def test_a_decimal_with_too_many_decimals_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="more than 4 decimals"):
        parse_decimal("0.12345", max_decimals=4)
    assert parse_decimal("0.1234", max_decimals=4) == Fraction(1234, 10_000)


def test_cents_are_formatted_with_two_decimals() -> None:
    assert [format_cents(c) for c in (0, 5, -5, 123_456)] == ["0.00", "0.05", "-0.05", "1234.56"]


def test_rounding_half_to_even_goes_to_the_even_cent_on_a_tie() -> None:
    assert [round_half_even(Fraction(n, 2)) for n in (1, 3, 5, -1, -3)] == [0, 2, 2, 0, -2]
    assert round_half_even(Fraction(2501, 1000)) == 3
    assert share_of(1001, Fraction(1, 2)) == 500
    assert share_of(1003, Fraction(1, 2)) == 502


def test_largest_remainder_gives_left_cents_to_largest_remainders_then_lower_codes() -> None:
    weights = {"GM0002": Fraction(1), "GM0001": Fraction(1), "GM0003": Fraction(1)}
    assert split_largest_remainder(100, weights) == {"GM0001": 34, "GM0002": 33, "GM0003": 33}
    assert split_largest_remainder(10_000, {"A": Fraction(1), "B": Fraction(2)}) == {
        "A": 3333,
        "B": 6667,
    }


def test_a_negative_amount_is_split_as_its_absolute_value_negated() -> None:
    weights = {"A": Fraction(1), "B": Fraction(1), "C": Fraction(1)}
    assert split_largest_remainder(-100, weights) == {"A": -34, "B": -33, "C": -33}


def test_decimal_weights_split_exactly() -> None:
    weights = {"A": Fraction("0.1"), "B": Fraction("0.2"), "C": Fraction("0.7")}
    assert split_largest_remainder(1, weights) == {"A": 0, "B": 0, "C": 1}


@given(
    st.integers(-(10**12), 10**12),
    st.dictionaries(
        st.text("ABCDEFGH", min_size=1, max_size=3),
        st.fractions(min_value=Fraction(1, 10**6), max_value=10**7),
        min_size=1,
        max_size=12,
    ),
)
def test_split_parts_sum_exactly_and_stay_within_a_cent_of_the_exact_share(
    cents: int, weights: dict[str, Fraction]
) -> None:
    parts = split_largest_remainder(cents, weights)
    assert sum(parts.values()) == cents
    total = sum(weights.values())
    for code, part in parts.items():
        assert abs(part - cents * weights[code] / total) < 1


@given(st.integers(-(10**13), 10**13))
def test_the_twelve_budget_parts_sum_to_the_budget(budget: int) -> None:
    parts = [budget_part(budget, m) for m in range(1, 13)]
    assert sum(parts) == budget
    assert max(parts) - min(parts) <= 1
