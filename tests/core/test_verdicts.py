"""The verdict in force per placement as of a date (§11)."""

from __future__ import annotations

from datetime import date

from fundcalc.core.verdicts import verdicts_as_of
from fundcalc.inputs.verdicts import verdict_rows


def _rows(*lines: str):  # type: ignore[no-untyped-def]
    data = ("placement_id,eligible,decided_on,reference\n" + "\n".join(lines) + "\n").encode()
    return verdict_rows(data, "v.csv")[0]


def test_the_latest_verdict_decided_on_or_before_the_date_is_in_force() -> None:
    rows = _rows("P1,nee,2026-03-01,K-1", "P1,ja,2026-04-01,K-2", "P1,nee,2026-05-01,K-3")
    in_force = verdicts_as_of(rows, date(2026, 4, 15)).in_force
    assert in_force.select("placement_id", "eligible", "reference").rows() == [("P1", True, "K-2")]
    assert verdicts_as_of(rows, date(2026, 2, 28)).in_force.height == 0


def test_a_conflict_changes_nothing_and_the_earlier_verdict_stays_in_force() -> None:
    rows = _rows("P1,nee,2026-03-01,K-1", "P1,ja,2026-04-01,K-2", "P1,nee,2026-04-01,K-3")
    verdicts = verdicts_as_of(rows, date(2026, 5, 1))
    assert verdicts.in_force.select("eligible", "reference").rows() == [(False, "K-1")]
    assert verdicts.exceptions.select("line", "reason").rows() == [
        (3, "conflicting verdicts decided on the same day (2026-04-01): they change nothing"),
        (4, "conflicting verdicts decided on the same day (2026-04-01): they change nothing"),
    ]
    assert verdicts.not_eligible == ["P1"]


def test_agreeing_verdicts_of_one_day_are_one_and_unreadable_rows_are_exceptions() -> None:
    rows = _rows("P1,nee,2026-03-01,K-1", "P1,0,01-03-2026,K-1b", "P2,,2026-03-01,")
    verdicts = verdicts_as_of(rows, date(2026, 5, 1))
    assert verdicts.in_force.select("placement_id", "line").rows() == [("P1", 2)]
    assert verdicts.exceptions.select("placement_id", "reason").rows() == [
        ("P2", "verdict cannot be read: eligible is empty: no verdict")
    ]


def test_no_verdicts_delivered_decide_nothing_in_the_shapes_of_verdicts_decided() -> None:
    decided = verdicts_as_of(_rows("P1,ja,2026-03-01,K-1"), date(2026, 5, 1))
    none = verdicts_as_of(_rows(), date(2026, 5, 1))
    assert none.in_force.is_empty()
    assert none.exceptions.is_empty()
    assert none.in_force.schema == decided.in_force.schema
    assert none.exceptions.schema == decided.exceptions.schema
    assert none.not_eligible == []
