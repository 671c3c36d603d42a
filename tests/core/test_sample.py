"""The eligibility sample (§11): the population and ranking against the §11 reference."""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundcalc.base.period import Period
from fundcalc.core.sample import SAMPLE_COLUMNS, draw, population, rank
from fundcalc.inputs.arrangement import parse_arrangement
from fundcalc.inputs.fields import typed_rows
from fundcalc.inputs.log import normalise
from fundcalc.inputs.municipalities import load_municipalities
from fundcalc.inputs.rules import Rules
from fundcalc.report.steekproef import render_sample_csv
from tests.oracle import Scenario
from tests.reference import eligibility as reference
from tests.test_properties import scenarios


def _engine(scenario: Scenario) -> tuple[Rules, pl.DataFrame]:
    municipalities = load_municipalities(
        scenario.municipalities_csv().encode(), "municipalities.csv"
    )
    rules = parse_arrangement(scenario.arrangement_toml().encode(), municipalities)
    raw = pl.read_csv(scenario.log_csv().encode(), infer_schema=False).with_row_index(
        "line", offset=2
    )
    return rules, typed_rows(normalise(raw, "log.csv"))


def test_a_rank_is_the_hex_sha256_of_seed_colon_placement_id() -> None:
    expected = hashlib.sha256(b"toetsing-2026:PL-2026-000123").hexdigest()
    assert rank("toetsing-2026", "PL-2026-000123") == expected
    assert rank("zaad", "PL-é") == hashlib.sha256("zaad:PL-é".encode()).hexdigest()


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=40)
@given(scenarios(), st.integers(0, 14), st.sampled_from(["s", "toetsing-2025", "ab12"]))
def test_the_sample_equals_the_reference_and_an_independent_hashlib_ranking(
    case: tuple[Scenario, Period, date], size: int, seed: str
) -> None:
    scenario, period, as_of = case
    rules, rows = _engine(scenario)
    members = population(rules, rows, period.year, as_of)
    sample = draw(members, seed, size)
    expected = reference.draw(scenario, period.year, size, seed, as_of)
    assert render_sample_csv(sample).decode() == reference.sample_csv(expected)
    # An independent ranking of the population's ids with hashlib.
    ids = sorted(reference.population(scenario, period.year, as_of))
    by_hash = sorted(ids, key=lambda pid: hashlib.sha256(f"{seed}:{pid}".encode()).hexdigest())
    assert sample["placement_id"].to_list() == by_hash[:size]
    assert tuple(sample.columns) == SAMPLE_COLUMNS
