"""Corrections: closed months recomputed, new − settled booked in the later month (§6).

The case (tests/closing_case.py): members GM0001 (1) and GM0002 (3); lot F:
€ 100.00 a day (10 000 cents), € 10.00 availability (1 000 cents) on 1
place; origin share 0.5; € 100.00 of budget a month.

January as closed (as of 5 February): P1, GM0001, from 10 January, open:
22 days = 220 000; origin 110 000; pool 110 000 + 31 × 1 000 = 141 000,
by the key 35 250 / 105 750.
"""

from __future__ import annotations

from pathlib import Path

from fundcalc.archive.corrections import corrections_by_period, parse_statement
from fundcalc.core.allocation import StatementRow
from tests.closing_case import corrections, deliver, fundcalc, statement, write_case

P1 = {"placement_id": "P1", "client_id": "c1", "lot_id": "F", "start_date": "2025-01-10",
      "brp_municipality": "GM0001"}  # fmt: skip
P2 = {"placement_id": "P2", "client_id": "c2", "lot_id": "F", "start_date": "2025-02-01",
      "end_date": "2025-02-11", "brp_municipality": "GM0002"}  # fmt: skip


def close(root: Path, period: str, as_of: str) -> None:
    result = fundcalc(root, "close", "--period", period, "--as-of", as_of, "--quiet")
    assert result.exit_code == 0, result.output


def test_four_months_closed_with_late_records_book_new_minus_settled(tmp_path: Path) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", {**P1, "recorded_on": "2025-02-01"})
    close(root, "2025-01", "2025-02-05")
    assert [r for r in statement(root, "2025-01") if r[0] == "GM0001"] == [
        ("GM0001", "contribution", "2025-01", 2_500),
        ("GM0001", "origin", "2025-01", 110_000),
        ("GM0001", "key", "2025-01", 35_250),
        ("GM0001", "municipal", "2025-01", 0),
    ]
    # Late: P1 left on 20 January (10 days, not 22). P2 arrives in February.
    deliver(
        root,
        "2025-03.csv",
        {**P1, "end_date": "2025-01-20", "recorded_on": "2025-03-01"},
        {**P2, "recorded_on": "2025-03-01"},
    )
    close(root, "2025-02", "2025-03-05")
    # January anew: 100 000; origin 50 000; pool 50 000 + 31 000 = 81 000 → 20 250 / 60 750.
    assert corrections(root, "2025-02") == [
        ("GM0001", "origin", "2025-01", 50_000 - 110_000),
        ("GM0001", "key", "2025-01", 20_250 - 35_250),
        ("GM0002", "key", "2025-01", 60_750 - 105_750),
    ]
    # Late again: P1 was recorded in error (void); P2 was registered in GM0001, not GM0002.
    deliver(
        root,
        "2025-04.csv",
        {**P1, "end_date": "2025-01-20", "void": "ja", "recorded_on": "2025-04-02"},
        {**P2, "brp_municipality": "GM0001", "recorded_on": "2025-04-02"},
    )
    close(root, "2025-03", "2025-04-05")
    # January anew: no days; pool 31 000 → 7 750 / 23 250. Settled so far: January's
    # own rows plus February's corrections (origin 50 000, key 20 250 / 60 750).
    # February: P2's 10 days (100 000, origin 50 000) move from GM0002 to GM0001;
    # the pool (50 000 + 28 000) and so the key stay the same.
    assert corrections(root, "2025-03") == [
        ("GM0001", "origin", "2025-01", 0 - 50_000),
        ("GM0001", "key", "2025-01", 7_750 - 20_250),
        ("GM0002", "key", "2025-01", 23_250 - 60_750),
        ("GM0001", "origin", "2025-02", 50_000 - 0),
        ("GM0002", "origin", "2025-02", 0 - 50_000),
    ]
    close(root, "2025-04", "2025-05-05")
    assert corrections(root, "2025-04") == []
    history = fundcalc(root, "history")
    assert [line.split()[0] for line in history.output.splitlines()[1:]] == [
        "2025-01",
        "2025-02",
        "2025-03",
        "2025-04",
    ]


def test_a_plain_run_books_corrections_too_but_settles_nothing(tmp_path: Path) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", {**P1, "recorded_on": "2025-02-01"})
    close(root, "2025-01", "2025-02-05")
    deliver(root, "2025-03.csv", {**P1, "end_date": "2025-01-20", "recorded_on": "2025-03-01"})
    for _ in range(2):  # running twice books the same corrections: a run settles nothing
        result = fundcalc(root, "run", "--period", "2025-02", "--as-of", "2025-03-05", "--quiet")
        assert result.exit_code == 0, result.output
        assert corrections(root, "2025-02") == [
            ("GM0001", "origin", "2025-01", -60_000),
            ("GM0001", "key", "2025-01", -15_000),
            ("GM0002", "key", "2025-01", -45_000),
        ]


def test_periods_close_in_order_and_only_once(tmp_path: Path) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", {**P1, "recorded_on": "2025-02-01"})
    close(root, "2025-01", "2025-02-05")
    again = fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05")
    assert again.exit_code == 1
    assert again.output == (
        "fundcalc: 2025-01 is already closed; a closed period is never closed again\n"
    )
    gap = fundcalc(root, "close", "--period", "2025-03", "--as-of", "2025-04-05")
    assert gap.exit_code == 1
    assert gap.output == (
        "fundcalc: periods close in order: 2025-01 was closed last, so the next is 2025-02\n"
    )


def test_a_late_record_beyond_the_lookback_is_too_late_to_correct(tmp_path: Path) -> None:
    root = write_case(tmp_path, lookback=1)
    deliver(root, "2025-02.csv", {**P1, "recorded_on": "2025-02-01"})
    close(root, "2025-01", "2025-02-05")
    close(root, "2025-02", "2025-03-05")
    close(root, "2025-03", "2025-04-05")
    deliver(root, "2025-04.csv", {**P1, "end_date": "2025-01-20", "recorded_on": "2025-04-03"})
    close(root, "2025-04", "2025-05-05")
    # Only March is within one month of April: January and February are settled for good.
    assert all(row[2] in {"2025-03", "2025-04"} for row in statement(root, "2025-04"))
    exceptions = (root / "outputs" / "2025-04" / "exceptions.csv").read_text("utf-8-sig")
    assert exceptions.splitlines()[1:] == [
        "exception;2025-04.csv;2;P1;too late to correct: recorded on 2025-04-03, it changes"
        " 2025-01, closed as of 2025-02-05 and beyond the 1-month lookback;",
        "exception;2025-04.csv;2;P1;too late to correct: recorded on 2025-04-03, it changes"
        " 2025-02, closed as of 2025-03-05 and beyond the 1-month lookback;",
    ]


def test_a_late_record_that_changes_no_old_month_is_not_too_late(tmp_path: Path) -> None:
    root = write_case(tmp_path, lookback=1)
    deliver(root, "2025-02.csv", {**P1, "recorded_on": "2025-02-01"})
    for period, as_of in (("2025-01", "2025-02-05"), ("2025-02", "2025-03-05"),
                          ("2025-03", "2025-04-05")):  # fmt: skip
        close(root, period, as_of)
    deliver(root, "2025-04.csv", {**P1, "end_date": "2025-03-20", "recorded_on": "2025-04-03"})
    close(root, "2025-04", "2025-05-05")
    exceptions = (root / "outputs" / "2025-04" / "exceptions.csv").read_text("utf-8-sig")
    assert "too late" not in exceptions
    # March is within the lookback: its 12 days from 20 March on come off.
    assert ("GM0001", "origin", "2025-03", -60_000) in corrections(root, "2025-04")


def test_a_statement_read_back_gives_rows_named_as_its_columns() -> None:
    data = (
        b"period,payer,item,for_period,amount_cents\n"
        b"2026-10,GM0363,key,2026-10,-1234\n"
        b"2026-10,GM0363,key,2026-09,5\n"
    )
    first, correction = parse_statement(data)
    assert first == StatementRow("2026-10", "GM0363", "key", "2026-10", -1234)
    assert (correction.for_period, correction.amount_cents) == ("2026-09", 5)
    assert corrections_by_period([first, correction]) == {"2026-09": 5, "2026-10": -1234}
