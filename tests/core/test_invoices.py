"""The invoice check of §10: versions by received_on, statuses and the approved amount."""

from __future__ import annotations

from datetime import date

import polars as pl

from fundcalc.base.period import Period
from fundcalc.core.allocation import Availability
from fundcalc.core.invoices import (
    ACCEPTED,
    AVAILABILITY_ABOVE,
    DAY_AMOUNT_BELOW,
    DAY_TARIFF_ABOVE,
    DIFFERS,
    MISSING,
    MORE_DAYS,
    REJECTED_INVOICE,
    UNKNOWN_LOT,
    Expected,
    InvoiceCheck,
    check_invoices,
    expected_per_lot,
    invoices_in_force,
)
from fundcalc.inputs.invoices import InvoiceRow, read_invoice_file

JAN = Period(2025, 1)
AS_OF = date(2025, 3, 1)
HEADER = "invoice_id,lot_id,period,days,day_amount,availability_amount,received_on\n"


def _rows(*lines: str) -> list[InvoiceRow]:
    rows, _ = read_invoice_file((HEADER + "\n".join(lines) + "\n").encode(), "i.csv")
    return rows


def _in_force(*lines: str) -> tuple[dict[str, InvoiceRow | None], list[tuple[int, str]]]:
    chosen, findings = invoices_in_force(_rows(*lines), JAN, AS_OF)
    reasons = [(int(n), str(r)) for n, r in findings.select("line", "reason").iter_rows()]
    return {lot: f.row for lot, f in chosen.items()}, reasons


def test_a_corrected_invoice_replaces_the_earlier_one() -> None:
    chosen, findings = _in_force(
        "C-1,C,2025-01,41,205.00,31.00,2025-02-03",
        "C-1b,C,2025-01,41,200.00,31.00,2025-02-10",
    )
    row = chosen["C"]
    assert row is not None and row.invoice_id == "C-1b" and row.day_cents == 20000
    assert findings == []


def test_an_invoice_received_after_the_as_of_date_is_not_yet_in_force() -> None:
    chosen, _ = _in_force(
        "F-1,F,2025-01,4,40.00,31.00,2025-02-03",
        "F-1b,F,2025-01,3,30.00,31.00,2025-03-05",
    )
    assert chosen["F"] is not None and chosen["F"].invoice_id == "F-1"


def test_an_invoice_for_another_month_is_not_checked() -> None:
    chosen, findings = _in_force("F-2,F,2025-02,4,40.00,31.00,2025-02-03")
    assert chosen == {} and findings == []


def test_rows_that_mean_the_same_count_once() -> None:
    chosen, findings = _in_force(
        "F-1,F,2025-01,4,40.00,31.00,2025-02-03",
        'F-1,F,2025-01,04,40,"31,00",03-02-2025',
    )
    assert chosen["F"] is not None and findings == []


def test_two_different_rows_on_the_same_day_conflict_and_reject_the_lot() -> None:
    chosen, findings = _in_force(
        "F-1,F,2025-01,4,40.00,31.00,2025-02-03",
        "F-9,F,2025-01,4,40.00,31.00,2025-02-03",
    )
    assert chosen == {"F": None}
    reason = (
        "conflicts with another row received on 2025-02-03 (invoices/i.csv:2,"
        " invoices/i.csv:3): the invoice of lot F for 2025-01 is rejected"
    )
    assert findings == [(2, reason), (3, reason)]


def test_a_later_correction_resolves_an_earlier_conflict() -> None:
    chosen, findings = _in_force(
        "F-1,F,2025-01,4,40.00,31.00,2025-02-03",
        "F-9,F,2025-01,5,50.00,31.00,2025-02-03",
        "F-2,F,2025-01,3,30.00,31.00,2025-02-10",
    )
    assert chosen["F"] is not None and chosen["F"].invoice_id == "F-2"
    assert [r for _, r in findings] == [
        "conflicts with another row received on 2025-02-03 (invoices/i.csv:2,"
        " invoices/i.csv:3): replaced by a later invoice of lot F for 2025-01"
    ] * 2


def test_an_unreadable_row_in_force_rejects_the_lot_and_a_replaced_one_does_not() -> None:
    chosen, findings = _in_force(
        "F-1,F,2025-01,4,40.123,31.00,2025-02-03",
        "G-1,G,2025-01,4,40.00,31.00,2025-02-03",
        "G-2,G,2025-01,4,40.00,31.001,2025-02-10",
        "H-1,H,2025-01,x,40.00,31.00,2025-02-03",
        "H-2,H,2025-01,4,40.00,31.00,2025-02-10",
    )
    assert chosen["F"] is None and chosen["G"] is None
    assert chosen["H"] is not None and chosen["H"].invoice_id == "H-2"
    assert findings == [
        (2, "day_amount '40.123' has more than 2 decimals: the invoice of lot F for 2025-01"
            " is rejected"),
        (4, "availability_amount '31.001' has more than 2 decimals: the invoice of lot G for"
            " 2025-01 is rejected"),
        (5, "days 'x' is not a whole number: replaced by a later invoice of lot H for 2025-01"),
    ]  # fmt: skip


def test_a_row_without_lot_month_or_day_of_receipt_is_no_version() -> None:
    chosen, findings = _in_force(
        "F-1,,2025-01,4,40.00,31.00,2025-02-03",
        "F-1,F,januari,4,40.00,31.00,2025-02-03",
    )
    assert chosen == {}
    assert findings == [
        (2, "not an invoice version: no lot_id"),
        (3, "not an invoice version: period 'januari' is not a month like 2025-01"),
    ]


def _expected(**lots: tuple[int, int, int]) -> dict[str, Expected]:
    return {lot: Expected(lot, f"provider {lot}", *figures) for lot, figures in lots.items()}


def test_every_status_and_the_approved_amount() -> None:
    rows = _rows(
        "A-1,A,2025-01,3,30.00,31.00,2025-02-03",  # as expected
        "B-1,B,2025-01,4,40.00,40.00,2025-02-03",  # more days, more availability
        "X-1,X,2025-01,2,20.00,0,2025-02-03",  # no such lot
        "R-1,R,2025-01,2,20.00,0,2025-02-03",
        "R-2,R,2025-01,2,20.00,1,2025-02-03",  # conflict
    )
    in_force, _ = invoices_in_force(rows, JAN, AS_OF)
    expected = _expected(
        A=(3, 3000, 3100), B=(3, 3000, 3100), M=(0, 0, 3100), R=(1, 1000, 0), Z=(0, 0, 0)
    )
    checks = check_invoices(JAN, in_force, expected)
    assert [c.values() for c in checks] == [
        ("2025-01", "A", "A-1", ACCEPTED, 3, 3, 3000, 3000, 3100, 3100, 6100),
        ("2025-01", "B", "B-1", DIFFERS, 4, 3, 4000, 3000, 4000, 3100, 6100),
        ("2025-01", "M", None, MISSING, None, 0, None, 0, None, 3100, 0),
        ("2025-01", "R", None, REJECTED_INVOICE, None, 1, None, 1000, None, 0, 0),
        ("2025-01", "X", "X-1", UNKNOWN_LOT, 2, None, 2000, None, 0, None, 0),
    ]  # Z: nothing expected and no invoice, no row
    assert checks[1].reasons() == (MORE_DAYS, AVAILABILITY_ABOVE)


def test_reasons_tell_a_tariff_above_the_contract_from_more_days() -> None:
    def reasons(days: int, day_cents: int) -> tuple[str, ...]:
        check = InvoiceCheck(JAN, "F", DIFFERS, None, "F-1", days, 3, day_cents, 3000, 100, 100)
        return check.reasons()

    assert reasons(4, 4000) == (MORE_DAYS,)  # the same tariff, a day too many
    assert reasons(3, 3300) == (DAY_TARIFF_ABOVE,)
    assert reasons(4, 4400) == (MORE_DAYS, DAY_TARIFF_ABOVE)
    assert reasons(3, 2900) == (DAY_AMOUNT_BELOW,)


def test_expected_counts_fund_justice_and_municipal_days_not_rejected_ones() -> None:
    segments = pl.DataFrame(
        {
            "lot_id": ["F", "F", "C", "C", "C"],
            "stream": ["FUND", "REJECTED", "JUSTICE", "MUNICIPAL", "REJECTED"],
            "days": [3, 5, 3, 7, 2],
            "amount_cents": [3000, 0, 1500, 3500, 0],
        }
    )
    availability = [
        Availability("F", "p", "LOVERBOY", False, 31, 31, 3100),
        Availability("C", "q", "COSM", True, 31, 62, 3100),
        Availability("E", "r", "STALKING", False, 0, 0, 0),
    ]
    assert expected_per_lot(segments, availability) == {
        "F": Expected("F", "p", 3, 3000, 3100),
        "C": Expected("C", "q", 10, 5000, 3100),
        "E": Expected("E", "r", 0, 0, 0),
    }
