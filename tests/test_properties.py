"""Property tests: the interval engine agrees with a day-by-day oracle of the spec.

On random rules and logs (mergers, ended lots, changing terms, reflection
windows, voids, conflicts, duplicates written differently, unreadable fields)
the statement matches the oracle to the cent, every day of every stay is
charged to exactly one stream or rejected, and the invariants of §4 hold.
"""

from __future__ import annotations

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
from tests import oracle
from tests.oracle import LotSpec, MunicipalityRowSpec, Scenario

CENTRUMGEMEENTEN = ("GM0001", "GM0002", "GM0003", "GM0004")
OTHERS = ("GM0011", "GM0012", "GM0013")
MERGED, SUCCESSOR, UNKNOWN = "GM0015", "GM0016", "GM0099"
DAY0 = date(2024, 9, 1)
#: Valid tariffs only (§2: an amount is 0 or more): large ones, and small ones down to 0
#: so that a lot costing nothing and a pool of a few cents stay covered.
TARIFFS = st.one_of(st.integers(1, 50_000), st.integers(0, 500))
AVAILABILITY = st.one_of(st.integers(0, 10_000), st.integers(0, 20))

# The strategies are made once: a strategy made anew for every draw is validated and
# labelled anew, which cost more than the draw itself.
_BOOLEANS = st.booleans()
_CENTRUMGEMEENTE = st.sampled_from(CENTRUMGEMEENTEN)
_MEMBERS = st.lists(_CENTRUMGEMEENTE, min_size=1, max_size=4, unique=True)
_SHARES = st.sampled_from(["0", "0.5", "0.3333", "1", "0.25", "0.1234", "0.0001"])
_PLACES = st.integers(0, 5)
_GAP = st.sampled_from([0, 0, 10])
_CODES = st.sampled_from([*CENTRUMGEMEENTEN, *OTHERS, MERGED, SUCCESSOR, UNKNOWN])
_CODE_OR_NONE = st.one_of(st.just(""), _CODES)
_RECORDED = st.sampled_from(
    [date(2024, 12, 1), date(2025, 1, 5), date(2025, 2, 3), date(2025, 3, 3), date(2025, 4, 1)]
)
_CLIENTS = st.sampled_from(["c1", "c2", "c3", ""])
_LOT_IDS = st.sampled_from(["F1", "F2", "C1", "C1", "X9"])
_VOIDS = st.sampled_from(["", "", "", "false", "true", "ja", "nee", "0", "1", "TRUE", "misschien"])
#: An end date: none, on or after the start, before it, or a day that does not exist.
_END_NONE, _END_AFTER, _END_BEFORE, _END_UNREAL = range(4)
_END_KIND = st.integers(_END_NONE, _END_UNREAL)
#: How a date is written: ISO, Dutch, Dutch without leading zeros, ISO without them.
_FORMATS = (
    lambda day: day.isoformat(),
    lambda day: day.strftime("%d-%m-%Y"),
    lambda day: f"{day.day}-{day.month}-{day.year}",
    lambda day: f"{day.year}-{day.month}-{day.day}",
)
_FORMAT = st.integers(0, len(_FORMATS) - 1)
_REFLECTION_MONTHS = st.sampled_from([1, 2, 3])


def _day(draw: st.DrawFn, lo: int = 0, hi: int = 300) -> date:
    return DAY0 + timedelta(days=draw(st.integers(lo, hi)))


def _fmt(draw: st.DrawFn, day: date) -> str:
    return _FORMATS[draw(_FORMAT)](day)


def _end(draw: st.DrawFn, start: date) -> str:
    kind = draw(_END_KIND)
    if kind == _END_AFTER:
        return (start + timedelta(days=draw(st.integers(0, 150)))).isoformat()
    if kind == _END_BEFORE:
        return (start - timedelta(days=draw(st.integers(1, 5)))).isoformat()
    return "31-02-2025" if kind == _END_UNREAL else ""


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Scenario, Period, date]:
    members = draw(_MEMBERS)
    keys = [(date(2024, 1, 1), {c: draw(st.integers(1, 1000)) for c in sorted(members)})]
    if draw(_BOOLEANS):
        later = draw(_MEMBERS)
        keys.append((date(2025, 2, 1), {c: draw(st.integers(1, 50)) for c in sorted(later)}))
    splits = [(date(2024, 1, 1), draw(_SHARES))]
    if draw(_BOOLEANS):
        splits.append((date(2025, 3, 1), draw(_SHARES)))
    lots = []
    for lot_id, group in (("F1", "LOVERBOY"), ("F2", "STALKING"), ("C1", "COSM")):
        first = _day(draw, 60, 200)
        terms = [(first, draw(_PLACES), draw(TARIFFS), draw(AVAILABILITY))]
        if draw(_BOOLEANS):
            second = first + timedelta(days=draw(st.integers(1, 120)))
            terms.append((second, draw(_PLACES), draw(TARIFFS), draw(AVAILABILITY)))
        valid_to = None
        if draw(_BOOLEANS):
            valid_to = terms[-1][0] + timedelta(days=draw(st.integers(1, 90)))
        lots.append(LotSpec(lot_id, group, terms, valid_to))
    municipalities = [MunicipalityRowSpec(c, c, date(2000, 1, 1)) for c in CENTRUMGEMEENTEN]
    for code in OTHERS:
        if draw(_BOOLEANS):
            switch = _day(draw, 30, 280)
            municipalities.append(
                MunicipalityRowSpec(code, draw(_CENTRUMGEMEENTE), date(2000, 1, 1), switch)
            )
            municipalities.append(MunicipalityRowSpec(code, draw(_CENTRUMGEMEENTE), switch))
        else:
            municipalities.append(
                MunicipalityRowSpec(code, draw(_CENTRUMGEMEENTE), date(2000, 1, 1))
            )
    merger = _day(draw, 30, 280)
    gap = timedelta(days=draw(_GAP))
    municipalities.append(
        MunicipalityRowSpec(MERGED, draw(_CENTRUMGEMEENTE), date(2000, 1, 1), merger, SUCCESSOR)
    )
    municipalities.append(MunicipalityRowSpec(SUCCESSOR, draw(_CENTRUMGEMEENTE), merger + gap))
    rows: list[dict[str, str]] = []
    for i in range(draw(st.integers(0, 12))):
        for _ in range(draw(st.integers(1, 3))):
            start = _day(draw, 30, 240)
            row = {
                "placement_id": f"P{i}",
                "client_id": draw(_CLIENTS) if draw(st.integers(0, 9)) == 0 else f"c{i}",
                "lot_id": draw(_LOT_IDS),
                "start_date": _fmt(draw, start),
                "end_date": _end(draw, start),
                "brp_municipality": draw(_CODE_OR_NONE),
                "found_municipality": draw(_CODE_OR_NONE),
                "reflection_start": "",
                "reflection_end": "",
                "void": draw(_VOIDS),
                "recorded_on": _fmt(draw, draw(_RECORDED)),
            }
            if draw(_BOOLEANS):
                ws = start + timedelta(days=draw(st.integers(-40, 30)))
                row["reflection_start"] = _fmt(draw, ws)
                if draw(_BOOLEANS):
                    row["reflection_end"] = (
                        ws + timedelta(days=draw(st.integers(-5, 120)))
                    ).isoformat()
            rows.append(row)
            if draw(st.integers(0, 5)) == 0:  # the same version again, written differently
                twin = dict(row)
                twin["start_date"] = (
                    start.strftime("%d-%m-%Y") if row["start_date"][4] == "-" else start.isoformat()
                )
                twin["void"] = {"": "false", "false": "nee", "0": "false"}.get(
                    row["void"], row["void"]
                )
                rows.append(twin)
    scenario = Scenario(
        budgets={2025: draw(st.integers(0, 10**9)), 2024: draw(st.integers(0, 10**6))},
        keys=keys,
        splits=splits,
        lots=lots,
        municipalities=municipalities,
        rows=rows,
        reflection_months=draw(_REFLECTION_MONTHS),
    )
    period = Period(2025, draw(st.integers(1, 4)))
    as_of = date(2024, 12, 15) + timedelta(days=draw(st.integers(0, 140)))
    return scenario, period, as_of


def _engine(scenario: Scenario, period: Period, as_of: date):  # type: ignore[no-untyped-def]
    return _calculate(scenario, [period], as_of)


def _calculate(scenario: Scenario, periods: list[Period], as_of: date):  # type: ignore[no-untyped-def]
    municipalities = load_municipalities(
        scenario.municipalities_csv().encode(), "municipalities.csv"
    )
    rules = parse_arrangement(scenario.arrangement_toml().encode(), municipalities)
    raw = pl.read_csv(scenario.log_csv().encode(), infer_schema=False).with_row_index(
        "line", offset=2
    )
    return calculate(rules, typed_rows(normalise(raw, "log.csv")), periods, as_of)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_statement_matches_the_day_by_day_oracle(case: tuple[Scenario, Period, date]) -> None:
    scenario, period, as_of = case
    calculation = _engine(scenario, period, as_of)
    expected = oracle.calculate(scenario, period.year, period.month, as_of)
    produced = {
        (payer, item): amount
        for _, payer, item, _, amount in calculation.settlements[period].rows()
        if amount != 0
    }
    assert produced == expected.statement


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_day_of_every_stay_is_charged_once_or_rejected(
    case: tuple[Scenario, Period, date],
) -> None:
    scenario, period, as_of = case
    calculation = _engine(scenario, period, as_of)
    expected = oracle.calculate(scenario, period.year, period.month, as_of)
    days: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    ledger = calculation.ledger_for(period)
    for pid, stream, n in ledger.select("placement_id", "stream", "days").iter_rows():
        days[pid][stream] += n
    assert {p: dict(d) for p, d in days.items()} == expected.days
    # No day twice: the ledger rows of a placement never overlap.
    for _, group in ledger.sort("first_day").group_by("placement_id"):
        firsts, lasts = group["first_day"].to_list(), group["last_day"].to_list()
        assert all(lasts[i] < firsts[i + 1] for i in range(len(firsts) - 1))
    rejected = calculation.versions.placements.filter(pl.col("reject_reason").is_not_null())
    assert set(rejected["placement_id"]) == expected.rejected_placements


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_splits_sum_to_the_fund_costs_and_the_budget_part(
    case: tuple[Scenario, Period, date],
) -> None:
    scenario, period, as_of = case
    settlement = _engine(scenario, period, as_of).settlements[period]
    assert sum(settlement.origin.values()) + sum(settlement.key.values()) == settlement.fund_costs
    assert sum(settlement.contribution.values()) == settlement.budget_part
    assert all(holds for _, holds in settlement.check())


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_the_contributions_of_a_year_sum_to_its_budget(case: tuple[Scenario, Period, date]) -> None:
    scenario, _, as_of = case
    year = [Period(2025, month) for month in range(1, 13)]
    settlements = _calculate(scenario, year, as_of).settlements
    paid = sum(sum(settlements[p].contribution.values()) for p in year)
    assert paid == scenario.budgets[2025]
