"""Property tests of §11's amendment: with verdicts, the engine agrees with the oracle.

On the random rules and logs of `test_properties`, with random verdicts
(later ones, ones decided after the as-of date, conflicts, unreadable
values, written in every accepted form), the statement matches
`tests.oracle.calculate(..., verdicts=...)` to the cent, and every day of every
stay is still charged to exactly one stream or rejected.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundcalc.base.period import Period
from fundcalc.core.calculation import calculate
from fundcalc.inputs.arrangement import parse_arrangement
from fundcalc.inputs.fields import typed_rows
from fundcalc.inputs.log import normalise
from fundcalc.inputs.municipalities import load_municipalities
from fundcalc.inputs.verdicts import verdict_rows
from tests import oracle
from tests.oracle import Scenario
from tests.test_properties import scenarios

ELIGIBLE = st.sampled_from(
    ["ja", "nee", "Nee", "JA", "true", "false", "1", "0", "", "misschien", "nee"]
)
# The strategies are made once (`test_properties`): made anew for every draw, they are
# validated and labelled anew.
_REFERENCES = st.sampled_from(["", "K-1", "K-2"])
#: How `decided_on` is written: ISO, Dutch, empty, a day that does not exist.
_DECIDED = st.integers(0, 3)


@st.composite
def with_verdicts(
    draw: st.DrawFn,
) -> tuple[Scenario, Period, date, list[dict[str, str]]]:
    scenario, period, as_of = draw(scenarios())
    ids = [*(sorted({row["placement_id"] for row in scenario.rows}) or ["P0"]), "P99"]
    placement = st.integers(0, len(ids) - 1)
    verdicts = []
    for _ in range(draw(st.integers(0, 8))):
        decided = date(2024, 12, 1) + timedelta(days=draw(st.integers(0, 150)))
        verdicts.append(
            {
                "placement_id": ids[draw(placement)],
                "eligible": draw(ELIGIBLE),
                "decided_on": [
                    decided.isoformat(),
                    decided.strftime("%d-%m-%Y"),
                    "",
                    "31-02-2025",
                ][draw(_DECIDED)],
                "reference": draw(_REFERENCES),
            }
        )
    return scenario, period, as_of, verdicts


def _verdicts_csv(verdicts: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["placement_id", "eligible", "decided_on", "reference"])
    for v in verdicts:
        writer.writerow([v["placement_id"], v["eligible"], v["decided_on"], v["reference"]])
    return out.getvalue().encode()


def _engine(scenario: Scenario, period: Period, as_of: date, verdicts: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    municipalities = load_municipalities(
        scenario.municipalities_csv().encode(), "municipalities.csv"
    )
    rules = parse_arrangement(scenario.arrangement_toml().encode(), municipalities)
    raw = pl.read_csv(scenario.log_csv().encode(), infer_schema=False).with_row_index(
        "line", offset=2
    )
    rows, _ = verdict_rows(_verdicts_csv(verdicts), "verdicts.csv")
    return calculate(
        rules, typed_rows(normalise(raw, "log.csv")), [period], as_of, verdict_rows=rows
    )


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_verdicts())
def test_statement_with_verdicts_matches_the_day_by_day_oracle(
    case: tuple[Scenario, Period, date, list[dict[str, str]]],
) -> None:
    scenario, period, as_of, verdicts = case
    calculation = _engine(scenario, period, as_of, verdicts)
    expected = oracle.calculate(scenario, period.year, period.month, as_of, verdicts)
    produced = {
        (payer, item): amount
        for _, payer, item, _, amount in calculation.settlements[period].rows()
        if amount != 0
    }
    assert produced == expected.statement


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_verdicts())
def test_with_verdicts_every_day_is_charged_once_or_rejected(
    case: tuple[Scenario, Period, date, list[dict[str, str]]],
) -> None:
    scenario, period, as_of, verdicts = case
    calculation = _engine(scenario, period, as_of, verdicts)
    expected = oracle.calculate(scenario, period.year, period.month, as_of, verdicts)
    days: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for pid, stream, n in (
        calculation.ledger_for(period).select("placement_id", "stream", "days").iter_rows()
    ):
        days[pid][stream] += n
    assert {p: dict(d) for p, d in days.items()} == expected.days
    in_force = oracle.verdicts_in_force(verdicts, as_of)
    produced = dict(calculation.verdicts.in_force.select("placement_id", "eligible").iter_rows())
    assert produced == in_force
