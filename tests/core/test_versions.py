"""Which version of each placement is in force as of a date (§4.1), and where every row went."""

from __future__ import annotations

from datetime import date

import polars as pl

from fundcalc.base.reasons import english
from fundcalc.core.versions import versions_as_of
from tests.synthetic import raw_log, stay

AS_OF = date(2026, 11, 15)


def in_force(rows: list[dict[str, str]], as_of: date = AS_OF) -> list[tuple[object, ...]]:
    """(placement, line, end_date, reject_reason) of each placement in force, in log order."""
    placements = versions_as_of(raw_log(rows), as_of).placements
    reasons = english(placements["reject_reason"])
    return placements.select("placement_id", "line", "end_date", reasons).rows()


def test_the_latest_row_recorded_on_or_before_the_as_of_date_is_in_force() -> None:
    rows = [
        stay("P1", "F", "2026-10-01", recorded_on="2026-10-05"),
        stay("P1", "F", "2026-10-01", "2026-10-20", recorded_on="2026-11-01"),
        stay("P1", "F", "2026-10-01", "2026-10-25", recorded_on="2026-11-20"),
    ]
    assert in_force(rows) == [("P1", 3, date(2026, 10, 20), None)]
    assert in_force(rows, date(2026, 11, 20)) == [("P1", 4, date(2026, 10, 25), None)]


def test_every_row_read_is_counted_once_where_it_went() -> None:
    rows = [
        stay("P1", "F", "2026-10-01", recorded_on="2026-10-05"),
        stay("P1", "F", "2026-10-01", "2026-10-20"),
        stay("P2", "F", "2026-10-01"),
        stay("P2", "F", "01-10-2026", void="nee"),  # the same row by meaning
        stay("P3", "F", "2026-10-01", recorded_on="2026-12-01"),
        stay("", "F", "2026-10-01"),
    ]
    counts = versions_as_of(raw_log(rows), AS_OF).counts
    assert counts == {
        "read": 6,
        "not_a_version": 1,
        "not_yet_recorded": 1,
        "superseded": 1,
        "duplicate": 1,
        "in_force": 2,
    }
    assert counts["read"] == sum(v for k, v in counts.items() if k != "read")


def test_identical_rows_on_the_latest_day_count_once_and_the_first_is_kept() -> None:
    rows = [
        stay("P1", "F", "2026-10-01"),
        stay("P2", "F", "2026-10-01", "2026-10-09"),
        stay("P2", "F", "01-10-2026", "9-10-2026"),  # the same dates, written the Dutch way
    ]
    assert in_force(rows) == [
        ("P1", 2, None, None),
        ("P2", 3, date(2026, 10, 9), None),
    ]


def test_different_rows_on_the_latest_day_reject_the_placement_naming_every_row() -> None:
    rows = [
        stay("P1", "F", "2026-10-01", "2026-10-09"),
        stay("P2", "F", "2026-10-01"),
        stay("P1", "F", "2026-10-01", "2026-10-10"),
        stay("P1", "F", "2026-10-01", "2026-10-09"),
    ]
    conflict = "conflicting versions recorded on the same day (log.csv:2, log.csv:4)"
    assert in_force(rows) == [
        ("P1", 2, date(2026, 10, 9), conflict),
        ("P2", 3, None, None),
    ]


def test_a_conflict_that_is_superseded_or_not_yet_recorded_rejects_nothing() -> None:
    rows = [
        stay("P1", "F", "2026-10-01", "2026-10-09", recorded_on="2026-10-05"),
        stay("P1", "F", "2026-10-01", "2026-10-10", recorded_on="2026-10-05"),
        stay("P1", "F", "2026-10-01", "2026-10-11"),
        stay("P1", "F", "2026-10-01", "2026-10-12", recorded_on="2026-12-01"),
        stay("P1", "F", "2026-10-01", "2026-10-13", recorded_on="2026-12-01"),
    ]
    assert in_force(rows) == [("P1", 4, date(2026, 10, 11), None)]


def test_a_void_version_in_force_withdraws_the_placement() -> None:
    rows = [
        stay("P1", "F", "2026-10-01", recorded_on="2026-10-05"),
        stay("P1", "F", "2026-10-01", void="ja"),
        stay("P2", "F", "2026-10-01", void="TRUE", recorded_on="2026-10-05"),
        stay("P2", "F", "2026-10-01", void="0"),
    ]
    assert in_force(rows) == [("P2", 5, None, None)]


def test_a_void_version_that_cannot_be_used_rejects_its_placement_instead() -> None:
    rows = [
        stay("P1", "F", "2026-10-01", void="ja"),
        stay("P1", "F", "2026-10-01", "2026-10-09"),  # on the same day: a conflict
        stay("P2", "F", "gisteren", void="ja"),  # a field that cannot be read
        stay("P3", "F", "2026-10-01", void="ja"),  # withdrawn
        stay("P4", "F", "2026-10-01"),
    ]
    assert in_force(rows) == [
        ("P1", 2, None, "conflicting versions recorded on the same day (log.csv:2, log.csv:3)"),
        ("P2", 4, None, "start_date 'gisteren' is not a date"),
        ("P4", 6, None, None),
    ]


def test_a_row_without_a_usable_id_or_recording_day_is_an_exception_not_a_version() -> None:
    rows = [
        stay("", "F", "2026-10-01"),
        stay("P1", "F", "2026-10-01", recorded_on="gisteren"),
        stay("P2", "F", "2026-10-01", recorded_on=""),
        stay("P" * 101, "F", "2026-10-01"),
        stay("P3", "F", "2026-10-01"),
    ]
    versions = versions_as_of(raw_log(rows), AS_OF)
    assert versions.placements["placement_id"].to_list() == ["P3"]
    assert versions.exceptions.select("line", "reason").rows() == [
        (2, "no placement_id"),
        (3, "recorded_on 'gisteren' is not a date"),
        (4, "no recorded_on"),
        (5, "placement_id is longer than 100 characters"),
    ]


def test_a_version_in_force_that_cannot_be_read_rejects_its_placement() -> None:
    rows = [
        stay("P1", "F", "31-02-2026"),
        stay("P2", "F", "2026-10-01", void="misschien"),
        stay("P3", "F", "2026-10-09", "2026-10-01"),
        stay("P4", "F", "2026-10-01", client_id=""),
    ]
    placements = versions_as_of(raw_log(rows), AS_OF).placements
    reasons = dict(
        placements.select("placement_id", english(placements["reject_reason"])).iter_rows()
    )
    assert reasons == {
        "P1": "start_date '31-02-2026' is not a date",
        "P2": "void 'misschien' is not true/false, ja/nee or 1/0",
        "P3": "end_date before start_date",
        "P4": "client_id is missing",
    }


def test_each_rejected_placement_gets_its_own_reason_among_many_of_every_kind() -> None:
    rows = [
        stay("P1", "F", "31-02-2026", recorded_on="2026-10-05"),  # superseded: no reason
        stay("P1", "F", "2026-10-01"),
        stay("P2", "F", "2026-10-09", "2026-10-01"),
        stay("P3", "F", "gisteren"),
        stay("P4", "F", "2026-10-01", client_id=""),
        stay("P5", "F", "31-02-2026"),  # unreadable, and in conflict: the conflict says why
        stay("P5", "F", "2026-10-01", "2026-10-09"),
        stay("P6", "F", "2026-10-01", "morgen"),
        stay("P7", "F", "2026-10-01"),
    ]
    assert [(p, line, reason) for p, line, _, reason in in_force(rows)] == [
        ("P1", 3, None),
        ("P2", 4, "end_date before start_date"),
        ("P3", 5, "start_date 'gisteren' is not a date"),
        ("P4", 6, "client_id is missing"),
        ("P5", 7, "conflicting versions recorded on the same day (log.csv:7, log.csv:8)"),
        ("P6", 9, "end_date 'morgen' is not a date"),
        ("P7", 10, None),
    ]


def test_placements_keep_the_order_of_the_files_and_lines() -> None:
    rows = [stay(f"P{n}", "F", "2026-10-01") for n in (3, 1, 2)]
    placements = versions_as_of(raw_log(rows), AS_OF).placements
    assert placements.select("placement_id", "line").rows() == [("P3", 2), ("P1", 3), ("P2", 4)]
    assert placements["start_date"].dtype == pl.Date
