"""Laying tables out as worksheets: values, formats, safe text, printing and stable bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from fractions import Fraction

import fastexcel
import pytest

from fundcalc.report.sheets import (
    EURO_FORMAT,
    PERCENT_FORMAT,
    SECTION,
    TOTAL,
    Average,
    Count,
    Euro,
    LineNumber,
    Percent,
    Row,
    Sheet,
    Table,
    cell_text,
    column_widths,
    page_breaks,
    workbook_bytes,
    wrapped_lines,
)
from tests.readback import load

STAMP = datetime(2026, 11, 23)


def _render(*rows: Row, columns: tuple[str, ...] = ("A", "B")) -> bytes:
    sheet = Sheet("Blad", "Titel", "Wat dit blad toont.", (Table(columns, rows),))
    return workbook_bytes([sheet], stamp=STAMP, creator="test", title="t")


FORMULA_LIKE = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1+1",
    '=HYPERLINK("http://example.invalid","klik")',
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_text_that_looks_like_a_formula_is_stored_as_text_with_a_quote_prefix(text: str) -> None:
    data = _render(Row((text, 1)))
    cell = load(data)["Blad"]["A5"]
    assert cell.data_type == "s"
    assert cell.value == text
    assert cell.quotePrefix is True
    frame = fastexcel.read_excel(data).load_sheet("Blad", header_row=None).to_polars()
    assert frame.row(4)[0] == text


def test_no_cell_is_ever_written_as_a_formula() -> None:
    data = _render(*(Row((text, 1)) for text in FORMULA_LIKE))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_an_error_code_from_the_input_stays_text() -> None:
    cell = load(_render(Row(("#REF!", 1))))["Blad"]["A5"]
    assert (cell.data_type, cell.value) == ("s", "#REF!")


def test_cell_text_turns_carriage_returns_into_line_feeds_and_drops_control_characters() -> None:
    assert cell_text("\r=1+1") == "\n=1+1"
    assert cell_text("a\r\nb") == "a\nb"
    assert cell_text("a\x00b\x1fc") == "a\ufffdb\ufffdc"


def test_cell_text_escapes_what_excel_would_decode_as_a_character() -> None:
    assert cell_text("P_x0041_") == "P_x005F_x0041_"
    data = _render(Row(("P_x0041_", 1)))
    frame = fastexcel.read_excel(data).load_sheet("Blad", header_row=None).to_polars()
    assert frame.row(4)[0] == "P_x0041_"  # an Excel-compatible reader shows the text as written


def test_a_leading_carriage_return_reads_back_the_same_in_every_reader() -> None:
    data = _render(Row(("\r=1+1", 1)))
    assert load(data)["Blad"]["A5"].value == "\n=1+1"
    frame = fastexcel.read_excel(data).load_sheet("Blad", header_row=None).to_polars()
    assert frame.row(4)[0] == "\n=1+1"


def test_a_count_below_five_is_shown_as_less_than_five() -> None:
    ws = load(_render(Row((Count(0), Count(4))), Row((Count(5), Count(1234)))))["Blad"]
    assert [ws["A5"].value, ws["B5"].value] == ["<5", "<5"]
    assert [ws["A6"].value, ws["B6"].value] == [5, 1234]


def test_euros_are_stored_values_with_a_euro_format() -> None:
    ws = load(_render(Row((Euro(123456), Euro(-5)))))["Blad"]
    assert (ws["A5"].value, ws["B5"].value) == (1234.56, -0.05)
    assert ws["A5"].number_format == EURO_FORMAT


def test_percentages_averages_dates_and_lines_have_their_formats() -> None:
    row = Row(
        (Percent(Fraction(1, 8)), Average(Fraction(7, 2)), date(2026, 10, 1), LineNumber(1234))
    )
    ws = load(_render(row, columns=("a", "b", "c", "d")))["Blad"]
    assert (ws["A5"].value, ws["A5"].number_format) == (0.125, PERCENT_FORMAT)
    assert ws["B5"].value == 3.5
    assert ws["C5"].value == datetime(2026, 10, 1)
    assert ws["C5"].number_format == "dd-mm-yyyy"
    assert (ws["D5"].value, ws["D5"].number_format) == (1234, "0_ ")


def test_total_and_section_rows_are_set_off_in_bold() -> None:
    ws = load(_render(Row(("Fonds",), SECTION), Row(("x", 1)), Row(("Totaal", 1), TOTAL)))["Blad"]
    assert ws["A5"].font.bold and not ws["A6"].font.bold and ws["B7"].font.bold


def test_cells_alike_share_a_style_and_cells_unlike_do_not() -> None:
    rows = (
        Row(("tekst", Euro(1), Count(9))),
        Row(("=1+1", Euro(2), Count(1))),  # a quote prefix and `<5` right-aligned
        Row(("Totaal", Euro(3), Count(10)), TOTAL),
        Row(("meer", Euro(4), Count(11))),
    )
    ws = load(_render(*rows, columns=("a", "b", "c")))["Blad"]
    assert [ws[f"A{r}"].quotePrefix for r in range(5, 9)] == [False, True, False, False]
    assert [ws[f"B{r}"].number_format for r in range(5, 9)] == [EURO_FORMAT] * 4
    assert [ws[f"B{r}"].font.bold for r in range(5, 9)] == [False, False, True, False]
    assert [ws[f"C{r}"].alignment.horizontal for r in range(5, 9)] == [None, "right", None, None]
    assert ws["B5"].style_id == ws["B8"].style_id != ws["B7"].style_id


def test_sheets_print_landscape_fitted_to_the_page_width_with_frozen_headers() -> None:
    ws = load(_render(Row(("x", 1))))["Blad"]
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.freeze_panes == "A5"
    assert ws.print_title_rows == "$4:$4"


def test_every_cell_of_a_row_with_wrapped_text_is_top_aligned() -> None:
    # Before: the wrapped note was top-aligned and the figures beside it bottom-aligned,
    # so the row seemed shifted against its neighbours.
    note = "een toelichting die over drie regels loopt omdat zij veel langer is dan de kolom"
    ws = load(
        workbook_bytes(
            [
                Sheet(
                    "Blad",
                    "Titel",
                    "Wat.",
                    (Table(("Onderdeel", "Bedrag", "Toelichting"), (Row(("x", Euro(1), note)),)),),
                    widths={2: 20},
                )
            ],
            stamp=STAMP,
            creator="test",
            title="t",
        )
    )["Blad"]
    assert ws.row_dimensions[5].height > 15
    assert [ws.cell(5, c).alignment.vertical for c in (1, 2, 3)] == ["top", "top", "top"]
    assert ws["C5"].alignment.wrap_text


def test_a_table_that_would_start_at_a_page_foot_starts_on_the_next_page() -> None:
    # Rows of 10 points on a page of 100 (95 with the margin): a table whose caption
    # comes at row 8 would be cut after its header and first row.
    heights = [10.0] * 12
    assert page_breaks(heights, [(1, 2, 5), (8, 9, 11)], 100) == [8]
    assert page_breaks(heights, [(1, 2, 5), (6, 7, 9)], 100) == []


def test_a_table_longer_than_a_page_starts_where_its_head_and_first_rows_fit() -> None:
    heights = [10.0] * 30
    # A caption, a header and 20-odd rows: only its head and three rows are kept.
    assert page_breaks(heights, [(1, 2, 4), (5, 6, 30)], 100) == []
    assert page_breaks(heights, [(1, 2, 4), (6, 7, 30)], 100) == [6]
    # After a break the repeated title row (15 points) is on every page.
    assert page_breaks([10.0] * 20, [(1, 2, 5), (9, 10, 12), (14, 15, 19)], 60, 15) == [9, 14]


def test_a_sheet_with_page_breaks_prints_at_a_scale_excel_keeps_them_at() -> None:
    # Excel ignores page breaks on a sheet fitted to pages: such a sheet has a scale.
    tables = (
        Table(("A", "B"), tuple(Row((f"r{i}", i)) for i in range(24)), caption="Eerste"),
        Table(
            ("Maand", "Controle"), tuple(Row((f"m{i}", i)) for i in range(5)), caption="Controles"
        ),
    )
    sheet = Sheet("Blad", "Titel", "Wat.", tables)
    ws = load(workbook_bytes([sheet], stamp=STAMP, creator="test", title="t"))["Blad"]
    caption = next(c.row for c in ws["A"] if c.value == "Controles")
    assert [b.id for b in ws.row_breaks.brk] == [caption - 1]
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.scale == 100


def test_a_sheet_in_two_parts_breaks_after_its_column_with_a_title_above_each() -> None:
    columns = ("Code", "Naam", *(f"m{i}" for i in range(6)), "Code", "Naam",
               *(f"j{i}" for i in range(6)))  # fmt: skip
    rows = tuple(Row(("GM0001", "A", *(Euro(100_000_00),) * 6, "GM0001", "A",
                      *(Euro(1_000_000_00),) * 6)) for _ in range(40))  # fmt: skip
    sheet = Sheet("Blad", "Titel", "Wat.", (Table(columns, rows, note="n"),), column_break=8)
    ws = load(workbook_bytes([sheet], stamp=STAMP, creator="test", title="t"))["Blad"]
    assert [b.id for b in ws.col_breaks.brk] == [8]
    assert (ws["A1"].value, ws["I1"].value) == ("Titel", "Titel")
    assert (ws["A2"].value, ws["I2"].value) == ("Wat.", "Wat.")
    assert {str(r) for r in ws.merged_cells.ranges} >= {"A2:H2", "I2:P2"}
    # Each part on one page: as wide and as tall as it (44 rows need less than 100%).
    assert 60 <= ws.page_setup.scale < 100
    assert not ws.sheet_properties.pageSetUpPr.fitToPage


def test_the_same_sheets_give_the_same_bytes() -> None:
    assert _render(Row(("x", Euro(1)))) == _render(Row(("x", Euro(1))))


def test_document_and_zip_times_are_the_stamp_and_members_are_sorted_and_stored() -> None:
    data = _render(Row(("x", 1)))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(2026, 11, 23, 0, 0, 0)}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED}
    properties = load(data).properties
    assert (properties.created, properties.modified) == (STAMP, STAMP)


def test_wrapped_lines_counts_lines_broken_at_words() -> None:
    assert wrapped_lines("een twee drie", 20) == 1
    assert wrapped_lines("een twee drie", 8) == 2
    assert wrapped_lines("een\ntwee", 20) == 2


def test_columns_are_as_wide_as_their_values_within_limits() -> None:
    sheet = Sheet(
        "s",
        "t",
        "u",
        (Table(("Naam", "Bedrag"), (Row(("x" * 200, Euro(123456789))),)),),
    )
    widths = column_widths(sheet)
    assert widths[0] == 60  # long text wraps instead
    assert widths[1] == len("€ 1,234,567.89") + 3
