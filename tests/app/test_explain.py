"""fundcalc explain: one placement's versions, ranges, tariffs and payers, as the run has them."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from fundcalc.app.explain import (
    IN_FORCE,
    NOT_A_VERSION,
    NOT_YET,
    SAME_DAY,
    SUPERSEDED,
    explain_placement,
    explanation_lines,
)
from fundcalc.base.period import Period
from fundcalc.base.reasons import CONFLICTING_VERSIONS, english, parts_of
from fundcalc.core.segments import FUND, JUSTICE, MUNICIPAL, REJECTED
from fundcalc.errors import UsageError
from fundcalc.inputs.arrangement import parse_arrangement
from fundcalc.inputs.municipalities import load_municipalities
from fundcalc.inputs.rules import Rules
from tests.synthetic import (
    AS_OF,
    PERIOD,
    TINY_ARRANGEMENT,
    TINY_MUNICIPALITIES,
    Sample,
    raw_log,
    stay,
)

OCTOBER = Period(2026, 10)
#: GM0004 Vierde belonged to GM0002 until it merged into GM0002 on 10 October 2026.
MERGED = TINY_MUNICIPALITIES + "GM0004,Vierde,GM0002,2000-01-01,2026-10-10,GM0002\n"


def rules() -> Rules:
    municipalities = load_municipalities(MERGED.encode(), "municipalities.csv")
    return parse_arrangement(TINY_ARRANGEMENT.encode(), municipalities)


def explain(rows: list[dict[str, str]], placement: str, as_of: date = date(2026, 11, 5)):  # type: ignore[no-untyped-def]
    return explain_placement(rules(), raw_log(rows), placement, OCTOBER, as_of)


def ranges(explanation) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    return [
        (r.first_day, r.last_day, r.days, r.stream, r.centrumgemeente, r.tariff_cents,
         r.amount_cents, r.reason)
        for r in explanation.ranges
    ]  # fmt: skip


def test_the_version_in_force_is_the_latest_recorded_on_or_before_the_date() -> None:
    rows = [
        stay("P1", "KLEIN", "2026-10-10", recorded_on="2026-10-01"),
        stay("P1", "KLEIN", "2026-10-10", "2026-10-20", recorded_on="2026-11-01"),
    ]
    later = explain(rows, "P1")
    assert [(v.line, v.recorded_on, v.status) for v in later.versions] == [
        (2, "2026-10-01", SUPERSEDED),
        (3, "2026-11-01", IN_FORCE),
    ]
    # The terms change on 16 October but keep the day tariff: one range, both terms named.
    assert ranges(later) == [
        (date(2026, 10, 10), date(2026, 10, 19), 10, FUND, "GM0001", 10000, 100000, None),
    ]
    assert [t.valid_from for t in later.ranges[0].terms] == [date(2026, 1, 1), date(2026, 10, 16)]
    earlier = explain(rows, "P1", as_of=date(2026, 10, 15))
    assert [v.status for v in earlier.versions] == [IN_FORCE, NOT_YET]
    assert ranges(earlier) == [
        (date(2026, 10, 10), date(2026, 10, 31), 22, FUND, "GM0001", 10000, 220000, None),
    ]


def test_a_reflection_window_splits_a_cosm_stay_between_justice_and_the_centrumgemeente() -> None:
    rows = [
        stay("P2", "COSM-X", "2026-09-01", brp_municipality="GM0002",
             reflection_start="2026-09-15", reflection_end="2026-10-05"),
    ]  # fmt: skip
    e = explain(rows, "P2")
    assert ranges(e) == [
        (date(2026, 10, 1), date(2026, 10, 4), 4, JUSTICE, None, 5000, 20000, None),
        (date(2026, 10, 5), date(2026, 10, 31), 27, MUNICIPAL, "GM0002", 5000, 135000, None),
    ]
    lines = explanation_lines(e)
    assert "  reflection    window 2026-09-15 up to and including 2026-10-04 (ends at" \
        " reflection_end 2026-10-05)" in lines  # fmt: skip
    assert lines[-1] == (
        "Total in 2026-10: 31 days, € 1 550.00 (JUSTICE 200.00, MUNICIPAL 1 350.00)"
    )


def test_the_centrumgemeente_names_the_merger_it_was_found_through() -> None:
    rows = [stay("P3", "GROOT", "2026-10-12", brp_municipality="", found_municipality="GM0004")]
    e = explain(rows, "P3")
    assert ranges(e) == [
        (date(2026, 10, 12), date(2026, 10, 31), 20, FUND, "GM0002", 20000, 400000, None),
    ]
    [merged] = e.ranges[0].followed
    assert (merged.code, merged.valid_to, merged.successor, merged.line) == (
        "GM0004",
        date(2026, 10, 10),
        "GM0002",
        5,
    )
    lines = explanation_lines(e)
    assert "  municipality  GM0004 Vierde, where she was found (not registered in the BRP)" in lines
    assert (
        "      centrumgemeente GM0002 Tweede: GM0004 Vierde ended on 2026-10-10 with successor"
        " GM0002 Tweede (municipalities.csv:5), a centrumgemeente itself (municipalities.csv:3)"
    ) in lines
    assert (
        "      paid from the fund: 50% of the fund's day costs of GM0002 Tweede is charged to it"
        " as origin share, the rest is shared by all members through the key"
    ) in lines


def test_a_rejected_range_says_why_and_costs_nothing() -> None:
    e = explain([stay("P4", "KLEIN", "2026-10-30", brp_municipality="GM0003")], "P4")
    assert ranges(e) == [
        (date(2026, 10, 30), date(2026, 10, 31), 2, REJECTED, "GM0003", 10000, 0,
         "centrumgemeente GM0003 is not a member of the fund"),
    ]  # fmt: skip
    assert "  2026-10-30 - 2026-10-31   2 days  REJECTED   costs nothing" in explanation_lines(e)
    assert (
        "      rejected: centrumgemeente GM0003 is not a member of the fund" in explanation_lines(e)
    )


def test_a_void_version_in_force_withdraws_the_placement() -> None:
    rows = [
        stay("P5", "KLEIN", "2026-10-01", recorded_on="2026-10-02"),
        stay("P5", "KLEIN", "2026-10-01", void="ja", recorded_on="2026-10-20"),
    ]
    e = explain(rows, "P5")
    assert e.withdrawn
    assert e.ranges == ()
    assert explanation_lines(e)[-1] == (
        "The version in force withdraws the placement (void): it does not exist as of"
        " 2026-11-05 and costs nothing."
    )


def test_conflicting_versions_and_rows_that_are_no_version_are_named() -> None:
    rows = [
        stay("P6", "KLEIN", "2026-10-01"),
        stay("P6", "GROOT", "2026-10-01"),
        stay("P6", "KLEIN", "2026-10-01", recorded_on="gisteren"),
    ]
    e = explain(rows, "P6")
    assert [(v.line, v.status) for v in e.versions] == [
        (2, IN_FORCE),
        (3, SAME_DAY),
        (4, f"{NOT_A_VERSION}: recorded_on 'gisteren' is not a date"),
    ]
    assert e.in_force is not None
    assert parts_of(e.in_force["reject_reason"]) == (CONFLICTING_VERSIONS("log.csv:2, log.csv:3"),)
    assert explanation_lines(e)[-1] == (
        "Its days cannot be told, so none is charged in 2026-10: the run lists it in the"
        " exceptions until a later version corrects it."
    )


def test_a_placement_not_in_the_log_is_refused_with_the_ids_it_may_mean() -> None:
    with pytest.raises(UsageError) as error:
        explain([stay("PL-2026-000123", "KLEIN", "2026-10-01")], "PL-2026-00123")
    assert str(error.value) == (
        "placement 'PL-2026-00123' is not in the log (inputs/placements/);"
        " did you mean PL-2026-000123?"
    )


def test_every_range_is_its_own_ledger_row(sample: Sample) -> None:
    """explain calculates a placement from its own rows: the same ranges as the whole run."""
    ledger = sample.run.calculation.segments(PERIOD)
    counts = ledger.group_by("placement_id").agg(pl.len(), pl.col("stream").n_unique())
    several = counts.filter(pl.col("len") > 1)["placement_id"].sort().to_list()
    rejected = ledger.filter(pl.col("stream") == REJECTED)["placement_id"].unique().sort()
    every_tenth = counts["placement_id"].sort().gather_every(10).to_list()
    chosen = sorted({*several[:10], *rejected.to_list()[:5], *every_tenth[:15]})
    assert len(chosen) >= 20
    columns = ["first_day", "last_day", "days", "stream", "centrumgemeente",
               "day_tariff_cents", "amount_cents", "reason"]  # fmt: skip
    for placement in chosen:
        e = explain_placement(sample.rules, sample.inputs.log.rows, placement, PERIOD, AS_OF)
        run = ledger.filter(pl.col("placement_id") == placement).sort("first_day")
        run = run.with_columns(english(run["reason"]))
        assert ranges(e) == run.select(columns).rows(), placement
