"""Facturen: invoices against contract and log per provider and lot, in Dutch; the summary's
invoice rows; input text stays text."""

from __future__ import annotations

from datetime import date, datetime

from fundcalc.base.period import Period
from fundcalc.core.invoices import (
    ACCEPTED,
    DIFFERS,
    MISSING,
    REJECTED_INVOICE,
    UNKNOWN_LOT,
    InvoiceCheck,
)
from fundcalc.report.dutch import Context
from fundcalc.report.sheets import TOTAL, Euro, workbook_bytes
from fundcalc.report.workbook.invoices import invoices_sheet, summary_rows
from tests.readback import load

JAN = Period(2025, 1)
CTX = Context("Klein fonds", JAN, date(2025, 3, 1), (JAN,))
CHECKS = (
    InvoiceCheck(JAN, "C", DIFFERS, "q", "=C-1", 41, 41, 21000, 20500, 3100, 3100, 23600),
    InvoiceCheck(JAN, "F", ACCEPTED, "p", "F-2", 3, 3, 3000, 3000, 3100, 3100, 6100),
    InvoiceCheck(JAN, "H", REJECTED_INVOICE, "s", None, None, 0, None, 0, None, 1550, 0),
    InvoiceCheck(JAN, "M", MISSING, "t", None, None, 0, None, 0, None, 3100, 0),
    InvoiceCheck(JAN, "X", UNKNOWN_LOT, None, "X-1", 2, None, 2000, None, 0, None, 0),
)


def test_one_row_per_lot_by_provider_with_the_status_and_reason_in_dutch() -> None:
    (table,) = invoices_sheet(CTX, CHECKS).tables
    body = [r.cells for r in table.rows if r.kind != TOTAL]
    assert [(c[0], c[1], c[3], c[-1]) for c in body] == [
        ("p", "F", "akkoord", ""),
        ("q", "C", "afwijking", "dagtarief boven het contract"),
        ("s", "H", "afgewezen", "factuurregels onleesbaar of tegenstrijdig: zie Uitzonderingen"),
        ("t", "M", "ontbreekt", "geen factuur ontvangen"),
        (
            "(onbekend)",
            "X",
            "onbekend perceel",
            "perceel staat niet in de regels: niets goedgekeurd",
        ),
    ]
    c = body[1]
    assert c[4:7] == (41, 41, 0)  # days invoiced, expected, difference
    assert c[11:15] == (Euro(24100), Euro(23600), Euro(500), Euro(23600))
    assert body[3][4] is None and body[3][6] is None and body[3][13] is None  # nothing to compare


def test_the_total_row_adds_up_what_was_invoiced_expected_and_approved() -> None:
    (table,) = invoices_sheet(CTX, CHECKS).tables
    total = table.rows[-1]
    assert total.kind == TOTAL
    assert total.cells[3] == "1 akkoord"
    assert total.cells[11:15] == (Euro(24100 + 6100 + 2000), Euro(23600 + 6100 + 1550 + 3100),
                                  None, Euro(29700))  # fmt: skip


def test_the_summary_rows_give_the_invoiced_expected_and_approved_totals() -> None:
    rows = summary_rows(CHECKS)
    assert [r.cells[:2] for r in rows[1:]] == [
        ("Gefactureerd", Euro(32200)),
        ("Verwacht volgens contract en plaatsingen", Euro(34350)),
        ("Goedgekeurd om te betalen", Euro(29700)),
    ]
    assert rows[-1].cells[4] == "1 akkoord, 1 met afwijking, 3 zonder goedgekeurde factuur"


def test_an_invoice_number_that_looks_like_a_formula_is_stored_as_text() -> None:
    data = workbook_bytes(
        [invoices_sheet(CTX, CHECKS)], stamp=datetime(2025, 3, 1), creator="t", title="t"
    )
    sheet = load(data)["Facturen"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=C-1"]
    assert len(cells) == 1 and cells[0].data_type == "s"
