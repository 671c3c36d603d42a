"""Reading providers' invoices: the log's conventions, amounts exactly to the cent."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from fundcalc.base.period import Period
from fundcalc.base.reasons import NO_VALUE, TOO_MANY_DECIMALS, english_text
from fundcalc.errors import InputError
from fundcalc.inputs.invoices import (
    amount_cents,
    invoice_column,
    parse_day,
    read_invoice_file,
    read_invoices,
)

HEADER = "invoice_id,lot_id,period,days,day_amount,availability_amount,received_on\n"


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("40", 4000),
        ("40.5", 4050),
        ("40,50", 4050),
        ("0,01", 1),
        ("1234567.89", 123456789),
        ("40.123", None),
        ("40,125", None),
        ("-40.00", None),
        ("1.000,00", None),
        ("40.", None),
        (".50", None),
        ("€ 40", None),
        ("４０", None),
    ],
)
def test_amounts_are_read_exactly_with_a_point_or_a_comma(text: str, cents: int | None) -> None:
    assert amount_cents(text) == cents


def test_dutch_semicolon_file_with_bom_decimal_commas_and_dutch_headers() -> None:
    text = (
        "Factuurnummer;Perceel;Periode;Dagen;Bedrag dagen;Bedrag beschikbaarheid;Ontvangen op\r\n"
        "F-01; LOV-NOORD ;2025-01;31;7.328,40;1271,00;03-02-2025\r\n"
        "F-02;LOV-NOORD;2025-01;31;7328,40;1271,00;3-2-2025\r\n"
    )
    rows, warnings = read_invoice_file("\ufeff".encode() + text.encode("utf-8"), "noord.csv")
    assert warnings.height == 0
    first, second = rows
    assert (first.source, first.line) == ("invoices/noord.csv", 2)
    assert first.lot_id == "LOV-NOORD"
    assert first.period == Period(2025, 1)
    assert first.received_on == date(2025, 2, 3)
    assert first.day_cents is None  # a thousands separator cannot be read
    assert (
        english_text(first.problem)
        == "day_amount '7.328,40' is not an amount in euros like 236,40 or 236.40"
    )
    assert (second.days, second.day_cents, second.availability_cents) == (31, 732840, 127100)
    assert second.readable and second.received_on == date(2025, 2, 3)


def test_an_amount_with_three_decimals_makes_the_row_unreadable() -> None:
    data = (HEADER + "F-1,F,2025-01,4,40.123,31.00,2025-02-03\n").encode()
    (row,), _ = read_invoice_file(data, "a.csv")
    assert row.is_version and not row.readable
    assert row.problem == (TOO_MANY_DECIMALS("day_amount", "40.123"),)
    assert row.unread == (("day_amount", "40.123"),)


def test_every_field_that_cannot_be_read_is_named() -> None:
    data = (HEADER + ",F,2025-13,4.0,,x,2025-02-30\n").encode()
    (row,), _ = read_invoice_file(data, "a.csv")
    assert not row.is_version  # no month, no day of receipt: no version at all
    assert english_text(row.problem) == (
        "no invoice_id; period '2025-13' is not a month like 2025-01;"
        " days '4.0' is not a whole number; no day_amount;"
        " availability_amount 'x' is not an amount in euros like 236,40 or 236.40;"
        " received_on '2025-02-30' is not a date"
    )


def test_a_lot_id_over_100_characters_is_no_version() -> None:
    data = (HEADER + f"F-1,{'L' * 101},2025-01,4,40.00,31.00,2025-02-03\n").encode()
    (row,), _ = read_invoice_file(data, "a.csv")
    assert row.lot_id is None and not row.is_version


def test_an_unknown_column_is_a_warning_and_a_missing_one_too() -> None:
    header = b"invoice_id,lot_id,period,days,day_amount,received_on,remark\n"
    data = header + b"F-1,F,2025-01,4,40,2025-02-03,x\n"
    (row,), warnings = read_invoice_file(data, "a.csv")
    assert row.problem == (NO_VALUE("availability_amount"),)
    assert sorted(warnings["reason"].to_list()) == [
        "no column availability_amount",
        "unknown column 'remark' is ignored",
    ]
    assert warnings["source"].to_list() == ["invoices/a.csv"] * 2


def test_headers_are_matched_without_case_accents_or_spaces() -> None:
    assert invoice_column(" Invoice_ID ") == "invoice_id"
    assert invoice_column("ONTVANGEN OP") == "received_on"
    assert invoice_column("Beschikbaarheid") == "availability_amount"
    assert invoice_column("Opmerking") is None


def test_dates_are_iso_or_dutch_with_a_four_digit_year() -> None:
    assert parse_day("2025-02-03") == parse_day("03-02-2025") == date(2025, 2, 3)
    assert parse_day("3-2-2025") == date(2025, 2, 3)
    assert parse_day("03-02-25") is None
    assert parse_day("0999-01-01") is None
    assert parse_day("2025-02-30") is None


def test_an_xlsx_invoice_file_is_read_like_a_csv_one() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Factuurnummer", "Perceel", "Periode", "Dagen", "Bedrag dagen",
                  "Bedrag beschikbaarheid", "Ontvangen op"])  # fmt: skip
    sheet.append(["F-1", "F", "2025-01", 4, 40.5, 31, date(2025, 2, 3)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    (row,), _ = read_invoice_file(buffer.getvalue(), "a.xlsx")
    assert (row.days, row.day_cents, row.availability_cents) == (4, 4050, 3100)
    assert row.received_on == date(2025, 2, 3) and row.line == 2


def test_a_hostile_xlsx_is_refused() -> None:
    with pytest.raises(InputError, match="not an xlsx file"):
        read_invoice_file(b"not a zip", "a.xlsx")


def test_no_folder_means_no_invoices_and_an_empty_one_means_none_received(
    tmp_path: Path,
) -> None:
    assert read_invoices(tmp_path) is None
    (tmp_path / "invoices").mkdir()
    (tmp_path / "invoices" / "~$open.xlsx").write_bytes(b"lock")
    invoices = read_invoices(tmp_path)
    assert invoices is not None and invoices.rows == () and invoices.files == ()


def test_the_files_are_read_in_name_order_with_their_sha256(tmp_path: Path) -> None:
    folder = tmp_path / "invoices"
    folder.mkdir()
    (folder / "b.csv").write_bytes((HEADER + "B,F,2025-01,1,1,1,2025-02-03\n").encode())
    (folder / "a.csv").write_bytes((HEADER + "A,F,2025-01,1,1,1,2025-02-03\n").encode())
    invoices = read_invoices(tmp_path)
    assert invoices is not None
    assert [f.name for f in invoices.files] == ["a.csv", "b.csv"]
    assert [r.invoice_id for r in invoices.rows] == ["A", "B"]
    assert set(invoices.data) == {f.sha256 for f in invoices.files}
