"""calamine reads an xlsx as openpyxl does, or leaves it to openpyxl.

Every table calamine gives must be openpyxl's reading of the same file, value for
value and line for line; every kind of cell it would read otherwise makes it step
aside (`calamine_table` is None) and `read_xlsx_table` then reads with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable

import fastexcel
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.styles.numbers import BUILTIN_FORMATS

from fundcalc.base.reasons import english
from fundcalc.inputs import calamine
from fundcalc.inputs.calamine import calamine_table
from fundcalc.inputs.table import READ_PROBLEM, RawTable
from fundcalc.inputs.xlsx import MAX_COLUMNS, openpyxl_table, read_xlsx_table

SHEET = "xl/worksheets/sheet1.xml"


def workbook(
    rows: list[list[object]], formats: dict[str, str] | None = None, *, at: str = "A1"
) -> bytes:
    """A workbook whose first sheet holds `rows` from cell `at`; `formats` by cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    first = sheet[at]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.cell(row=first.row + r, column=first.column + c, value=value)
    for cell, style in (formats or {}).items():
        sheet[cell].number_format = style
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def edited(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """`data` with the archive member `name` changed."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts[name] = change(parts[name])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, content in parts.items():
            archive.writestr(n, content)
    return buffer.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def fast(data: bytes) -> RawTable | None:
    return calamine_table(data, max_columns=MAX_COLUMNS)


def alike(one: RawTable, other: RawTable) -> bool:
    return (
        (one.header, one.header_line, one.blank_rows, one.notes)
        == (other.header, other.header_line, other.blank_rows, other.notes)
        and one.rows.schema == other.rows.schema
        and one.rows.rows() == other.rows.rows()
    )


PLACEMENTS = workbook(
    [
        [],
        [None, "placement_id", "start_date", "end_date", "void", "days", "client"],
        [None, "P1", dt.datetime(2025, 1, 3), dt.datetime(2025, 2, 1), False, 1.5, 12345],
        [None, None, None, None, None, None, None],
        [None, "P2", dt.datetime(2025, 1, 31), None, True, 1e-07, None],
        [None, "  P3 ", dt.datetime(2026, 12, 31), dt.datetime(2027, 1, 2), None, -0.0, 7],
        [None, "P4", None, None, None, 123456789012345, None, "right of it"],
        [None, "", None, None, None, None],
        [None, "=1+1", None, None, None, 0.1, None],
    ],
    {"C3": "DD-MM-YYYY", "D6": "d-m-yyyy;@", "C5": "[$-413]d mmmm yyyy", "C6": "yyyy-mm-dd"},
)


def test_a_plain_placement_sheet_is_read_by_calamine_exactly_as_openpyxl_reads_it() -> None:
    table = fast(PLACEMENTS)
    assert table is not None
    assert alike(table, openpyxl_table(PLACEMENTS, "a.xlsx"))
    assert table.header == ("", "placement_id", "start_date", "end_date", "void", "days", "client")
    assert (table.header_line, table.blank_rows) == (2, 2)
    assert table.rows.with_columns(english(table.rows[READ_PROBLEM])).rows() == [
        (3, None, None, "P1", "2025-01-03", "2025-02-01", "false", "1.5", "12345"),
        (5, None, None, "P2", "2025-01-31", None, "true", "1e-07", None),
        (6, None, None, "  P3 ", "2026-12-31", "2027-01-02", None, "0", "7"),
        (
            7,
            "the row has values right of the header (column H)",
            None,
            "P4",
            None,
            None,
            None,
            "123456789012345",
            None,
        ),
        (9, None, None, None, None, None, None, "0.1", None),
    ]


def test_calamine_prints_nothing_of_its_own(capfd: pytest.CaptureFixture[str]) -> None:
    data = workbook([["a", "b", "c"], ["x", None, 1.5], ["y", None, 2]])
    assert fast(data) is not None
    assert capfd.readouterr() == ("", "")


def _number_in_xml(value: str) -> Callable[[bytes], bytes]:
    return lambda sheet: sheet.replace(b"<v>777</v>", f"<v>{value}</v>".encode())


P1_CELL = b'<c r="A2" t="inlineStr"><is><t>P1</t></is></c>'


def _error_cell(sheet: bytes) -> bytes:
    return sheet.replace(P1_CELL, b'<c r="A2" t="e"><v>#N/A</v></c>')


def _cell_in_another_row(sheet: bytes) -> bytes:
    return sheet.replace(b'<c r="A2"', b'<c r="A3"')


def _cells_out_of_order(sheet: bytes) -> bytes:
    first, second = (re.search(rb'<c r="%s2".*?</c>' % c, sheet) for c in (b"A", b"B"))
    assert first is not None and second is not None
    return sheet.replace(first[0] + second[0], second[0] + first[0])


def _attributes_in_another_order(sheet: bytes) -> bytes:
    return sheet.replace(b'<c r="A2" t="inlineStr">', b'<c t="inlineStr" r="A2">')


def _row_without_number(sheet: bytes) -> bytes:
    return sheet.replace(b'<row r="2">', b"<row>")


def _cell_under_a_prefix(sheet: bytes) -> bytes:
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    prefixed = b'<x:c xmlns:x="%s" r="A2" t="inlineStr"><x:is><x:t>P1</x:t></x:is></x:c>' % main
    return sheet.replace(P1_CELL, prefixed)


def _far_away_cell(sheet: bytes) -> bytes:
    far = b'<row r="200000"><c r="J200000"><v>1</v></c></row>'
    return sheet.replace(b"</sheetData>", far + b"</sheetData>")


def _cell_in_column_1002(sheet: bytes) -> bytes:
    return sheet.replace(b"</row></sheetData>", b'<c r="ALN2"><v>1</v></c></row></sheetData>')


@pytest.mark.parametrize(
    ("rows", "formats", "change"),
    [
        # a number of more than 15 digits: openpyxl keeps an integer's digits
        ([["id"], [12345678901234567890]], {}, None),
        ([["id"], [777]], {}, _number_in_xml("123456789012345678")),
        ([["id"], [777]], {}, _number_in_xml(" 777 ")),
        ([["id"], [777]], {}, _number_in_xml("1_777")),
        # dates before 1 March 1900, out of range, with a time of day, times alone
        ([["d"], [-5]], {"A2": "yyyy-mm-dd"}, None),
        ([["d"], [1e20]], {"A2": "yyyy-mm-dd"}, None),
        ([["d"], [3e6]], {"A2": "yyyy-mm-dd"}, None),
        ([["d"], [59]], {"A2": "yyyy-mm-dd"}, None),
        ([["d"], [dt.datetime(2025, 1, 3, 10, 30)]], {}, None),
        ([["d"], [dt.time(10, 30)]], {}, None),
        # formats whose kind is not sure to both: durations, sections, fills, unknown ids
        ([["d"], [1.5]], {"A2": "[h]:mm:ss"}, None),
        ([["d"], [1.5]], {"A2": "0;[Blue]d"}, None),
        ([["d"], [1.5]], {"A2": "*d0"}, None),
        ([["d"], [1.5]], {"A2": "h:mm AM/PM;@"}, None),
        # a header that is not text, a column of two kinds
        ([[dt.datetime(2025, 1, 1)], ["x"]], {}, None),
        ([[1], ["x"]], {}, None),
        ([["id"], ["P1"], [2]], {}, None),
        ([["v"], [True], [1]], {}, None),
        # cells and strings calamine reads otherwise
        ([["id"], ["a_x000D_b"]], {}, None),
        ([["id"], [" "]], {}, None),
        ([["id"], ["P1", "\n"]], {}, None),
        ([["id"], ["P1"]], {}, _error_cell),
        ([["id"], ["P1"]], {}, _cell_in_another_row),
        ([["id", "lot"], ["P1", "L"]], {}, _cells_out_of_order),
        ([["id"], ["P1"]], {}, _attributes_in_another_order),
        ([["id"], ["P1"]], {}, _row_without_number),
        ([["id"], ["P1"]], {}, _cell_under_a_prefix),
        # a grid much larger than its cells; a column beyond any placement file
        ([["id"], ["P1"]], {}, _far_away_cell),
        ([["id"], ["P1"]], {}, _cell_in_column_1002),
    ],
)  # fmt: skip
def test_a_sheet_calamine_could_read_otherwise_is_left_to_openpyxl(
    rows: list[list[object]],
    formats: dict[str, str],
    change: Callable[[bytes], bytes] | None,
) -> None:
    data = workbook(rows, formats)
    if change is not None:
        unchanged = members_of(data)[SHEET]
        data = edited(data, SHEET, change)
        assert members_of(data)[SHEET] != unchanged
    assert fast(data) is None


def test_a_workbook_counting_from_1904_is_left_to_openpyxl() -> None:
    data = workbook([["d"], [dt.datetime(2025, 1, 3)]])
    data = edited(
        data,
        "xl/workbook.xml",
        lambda w: re.sub(rb"<workbookPr[^>]*/>", b'<workbookPr date1904="1"/>', w),
    )
    assert b"date1904" in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    assert fast(data) is None


def test_a_number_beyond_2_53_reads_as_openpyxl_reads_it_and_row_stays_unreadable() -> None:
    data = workbook([["placement_id"], [12345678901234567890]])
    assert english(read_xlsx_table(data, "a.xlsx").rows[READ_PROBLEM]).to_list() == [
        "placement_id: a number of more than 15 digits cannot be read exactly;"
        " store it as text in Excel"
    ]


BUILTIN_KINDS = [(n, "datetime") for n in sorted(calamine._BUILTIN_DATES)] + [
    (n, "float") for n in sorted(calamine._BUILTIN_NUMBERS)
]
CUSTOM_KINDS = [
    ("DD-MM-YYYY", "datetime"),
    ("d-m-yyyy;@", "datetime"),
    ("[$-413]d mmmm yyyy", "datetime"),
    ("dd/mm/yy hh:mm", "datetime"),
    ("yyyy-mm-dd", "datetime"),
    ("d mmm", "datetime"),
    ("0.00", "float"),
    ("#,##0", "float"),
    ('"€" #,##0.00', "float"),
    ("[$€-413] #,##0.00;[Red]-#,##0.00", "float"),
    ("0.00E+00", "float"),
    ("0%", "float"),
    ("# ?/?", "float"),
    ('0 "dagen"', "float"),
    ("#,##0_);(#,##0)", "float"),
]


@pytest.mark.parametrize(
    ("code", "kind"), CUSTOM_KINDS + [(BUILTIN_FORMATS[n], k) for n, k in BUILTIN_KINDS]
)
def test_a_format_taken_for_a_date_or_a_number_is_one_to_calamine_and_openpyxl(
    code: str, kind: str
) -> None:
    expected = calamine._format_kind(code) if code not in BUILTIN_FORMATS.values() else None
    assert expected in (None, {"datetime": "date", "float": "number"}[kind])
    data = workbook([["x"], [45000]], {"A2": code})
    guessed = fastexcel.read_excel(data).load_sheet(0, header_row=0).selected_columns[0].dtype
    assert guessed == kind
    assert fast(data) is not None
    assert alike(read_xlsx_table(data, "a.xlsx"), openpyxl_table(data, "a.xlsx"))


# --- any sheet: read alike, by whichever reader reads it ---

CELLS = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["", " ", "P1", "=SUM(A1)", "ja", "31-12-2025", "0012", "1e5"]),
    st.integers(-(10**16), 10**16),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1899, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)).map(
        lambda d: dt.datetime(d.year, d.month, d.day)
    ),
)
FORMATS = st.sampled_from([None, "DD-MM-YYYY", "0.00", "yyyy-mm-dd hh:mm", "[h]:mm", "@"])


@st.composite
def sheets(draw: st.DrawFn) -> bytes:
    width = draw(st.integers(1, 5))
    kinds = [draw(st.sampled_from(["any", "text", "date", "number"])) for _ in range(width)]
    column = {
        "any": CELLS,
        "text": st.one_of(st.none(), st.sampled_from(["P1", "x", " y ", ""])),
        "date": st.one_of(st.none(), CELLS.filter(lambda v: isinstance(v, dt.datetime))),
        "number": st.one_of(st.none(), st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6)),
    }
    header = [draw(st.sampled_from(["id", "start_date", " void ", None])) for _ in range(width)]
    rows = [
        [draw(column[kind]) for kind in kinds] + draw(st.lists(CELLS, max_size=2))
        for _ in range(draw(st.integers(0, 6)))
    ]
    at = draw(st.sampled_from(["A1", "A3", "C2"]))
    formats = {}
    first = openpyxl.utils.cell.coordinate_from_string(at)
    for c in range(width):
        style = draw(FORMATS)
        if style:
            letter = openpyxl.utils.get_column_letter(
                openpyxl.utils.column_index_from_string(first[0]) + c
            )
            for r in range(len(rows)):
                if rows[r][c] is not None:
                    formats[f"{letter}{first[1] + 1 + r}"] = style
    return workbook([header, *rows], formats, at=at)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_any_sheet_reads_alike_by_calamine_where_it_reads_at_all(data: bytes) -> None:
    table = fast(data)
    if table is not None:
        assert alike(table, openpyxl_table(data, "a.xlsx"))
