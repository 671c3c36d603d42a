"""Reading an xlsx file safely: zip bombs, XML entities, absurd sheets, Excel row numbers."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from collections.abc import Callable

import openpyxl
import pytest

from fundcalc.base.findings import Note
from fundcalc.base.reasons import EMPTY_SHEET, english
from fundcalc.errors import InputError
from fundcalc.inputs import xlsx
from fundcalc.inputs.xlsx import read_xlsx_table
from tests.synthetic import xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"

LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<si><t>&lol9;</t></si></sst>"
)


PLAIN = xlsx_bytes(["placement_id", "client_id"], ["P1", "c1"])


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def replaced(name: str, change: Callable[[bytes], bytes], data: bytes = PLAIN) -> bytes:
    parts = members(data)
    parts[name] = change(parts.get(name, b""))
    return rezip(parts)


def patch_directory(data: bytes, name: str, offset: int, fmt: str, value: int) -> bytes:
    """Change a field of `name`'s entry in the zip's central directory (what is trusted)."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at >= 0:
        (length,) = struct.unpack_from("<H", out, at + 28)
        if out[at + 46 : at + 46 + length] == name.encode():
            struct.pack_into(fmt, out, at + offset, value)
            return bytes(out)
        at = out.find(b"PK\x01\x02", at + 46)
    raise AssertionError(f"{name} not in the archive")


def refused(data: bytes) -> str:
    with pytest.raises(InputError) as error:
        read_xlsx_table(data, "b.xlsx")
    return str(error.value)


def refused_unopened(data: bytes, monkeypatch: pytest.MonkeyPatch) -> str:
    """Why `data` is refused, failing the test if any member of it is unpacked first."""

    def unpack(*args: object, **kwargs: object) -> None:
        raise AssertionError("a member was unpacked")

    with monkeypatch.context() as patch:
        patch.setattr(zipfile.ZipFile, "open", unpack)
        return refused(data)


def test_rows_have_their_excel_row_numbers_and_values_right_of_the_header_are_a_problem() -> None:
    data = xlsx_bytes(
        [],
        ["Placement_ID", "start_date", None],
        ["P1", dt.datetime(2025, 1, 3), None],
        [None, None, None],
        [12345, "31-01-2025", None, None, "note"],
    )
    table = read_xlsx_table(data, "b.xlsx")
    assert (table.header, table.header_line, table.blank_rows) == (
        ("Placement_ID", "start_date"),
        2,
        1,
    )
    assert table.rows.with_columns(english(table.rows[xlsx.READ_PROBLEM])).rows() == [
        (3, None, "P1", "2025-01-03"),
        (5, "the row has values right of the header (column E)", "12345", "31-01-2025"),
    ]


def test_an_archive_that_would_unpack_to_an_absurd_size_is_refused_before_unpacking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bomb = patch_directory(PLAIN, SHEET, 24, "<I", 3_000_000_000)
    assert (
        refused_unopened(bomb, monkeypatch)
        == "b.xlsx: refused, it would unpack to 2861 MiB (more than 128 MiB)"
    )


def test_a_member_compressed_too_many_times_is_refused_before_unpacking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bomb = rezip({**members(PLAIN), "xl/media/zeros.bin": bytes(8 * 1024 * 1024)})
    assert refused_unopened(bomb, monkeypatch) == (
        "b.xlsx: refused, xl/media/zeros.bin is compressed more than 200 times (a zip bomb?)"
    )


def test_an_archive_with_too_many_members_is_refused_before_unpacking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crowded = rezip({**members(PLAIN), **{f"x/{i}.bin": b"" for i in range(2_000)}})
    assert (
        refused_unopened(crowded, monkeypatch)
        == "b.xlsx: refused, the archive has 2009 members (more than 2000)"
    )


def test_an_encrypted_member_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert refused_unopened(patch_directory(PLAIN, SHEET, 8, "<H", 1), monkeypatch) == (
        f"b.xlsx: refused, {SHEET} is encrypted"
    )


def test_entity_expansion_is_refused_before_parsing() -> None:
    assert refused(replaced(STRINGS, lambda _: LAUGHS)) == (
        f"b.xlsx: refused, {STRINGS} declares a DOCTYPE (XML entities are not allowed)"
    )


def test_an_external_entity_after_a_comment_is_refused() -> None:
    def external(sheet: bytes) -> bytes:
        doctype = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        return b'<?xml version="1.0"?>\n<!-- a comment first -->' + doctype + sheet

    assert refused(replaced(SHEET, external)) == (
        f"b.xlsx: refused, {SHEET} declares a DOCTYPE (XML entities are not allowed)"
    )


def test_a_prolog_too_long_to_be_excel_is_refused() -> None:
    padded = replaced(SHEET, lambda sheet: b"<!--" + b" " * 70_000 + b"-->" + sheet)
    assert (
        refused(padded) == f"b.xlsx: refused, {SHEET} has more than 64 KiB before its first element"
    )


def test_xml_that_is_not_utf8_is_refused() -> None:
    wide = replaced(SHEET, lambda sheet: sheet.decode().encode("utf-16"))
    assert refused(wide) == f"b.xlsx: refused, {SHEET} is not UTF-8 XML"


def test_entities_are_refused_by_the_parser_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # Defence in depth: without the archive check, defusedxml still refuses.
    monkeypatch.setattr(xlsx, "check_archive", lambda data, name: None)
    doctype = LAUGHS.split(b"<sst", 1)[0]
    assert refused(replaced(SHEET, lambda sheet: doctype + sheet)) == (
        "b.xlsx: cannot be read as xlsx (EntitiesForbidden)"
    )


def test_a_member_larger_than_it_claims_is_not_unpacked_past_its_claim() -> None:
    big = replaced(SHEET, lambda sheet: sheet + b" " * 4_000_000)
    true_size = len(members(big)[SHEET])
    lying = patch_directory(big, SHEET, 24, "<I", true_size - 3_990_000)
    assert refused(lying) == f"b.xlsx: refused, {SHEET} cannot be unpacked (BadZipFile)"


def test_a_sheet_that_claims_the_whole_grid_is_read_by_its_cells() -> None:
    claims = replaced(
        SHEET,
        lambda sheet: sheet.replace(
            b'<dimension ref="A1:B2" />', b'<dimension ref="A1:XFD1048576" />'
        ),
    )
    assert b"XFD1048576" in members(claims)[SHEET]
    assert read_xlsx_table(claims, "b.xlsx").rows.rows() == [(2, None, "P1", "c1")]


def test_a_sheet_wider_than_any_placement_file_is_refused() -> None:
    wide = xlsx_bytes(["placement_id"], ["P1", *([None] * 1_500), "far away"])
    assert refused(wide) == (
        "b.xlsx: refused, row 2 has a value in column 1502 (more than 1000 columns)"
    )


def test_a_file_that_is_no_zip_is_refused() -> None:
    assert refused(b"placement_id\nP1\n") == "b.xlsx: not an xlsx file (not a zip archive)"


def test_an_empty_sheet_says_so() -> None:
    table = read_xlsx_table(xlsx_bytes(), "b.xlsx")
    assert (table.header, table.rows.height, table.notes) == (
        (),
        0,
        (Note(None, EMPTY_SHEET()),),
    )


def dated(*cells: tuple[object, str | None]) -> bytes:
    """A sheet with a header and one row, each cell with its number format."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([f"c{i}" for i in range(len(cells))])
    sheet.append([value for value, _ in cells])
    for i, (_, style) in enumerate(cells):
        if style:
            sheet.cell(row=2, column=i + 1).number_format = style
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


@pytest.mark.parametrize(
    ("value", "style", "problem"),
    [
        (12345678901234567890, None,
         "c0: a number of more than 15 digits cannot be read exactly; store it as text in Excel"),
        (-5, "yyyy-mm-dd", "c0: a date before 1900 (an Excel date serial below 1)"),
        (123456789012345, None, None),
        (45000, "yyyy-mm-dd", None),
    ],
)  # fmt: skip
def test_a_number_or_date_an_xlsx_cannot_hold_exactly_makes_its_row_unreadable(
    value: object, style: str | None, problem: str | None
) -> None:
    table = read_xlsx_table(dated((value, style)), "a.xlsx")
    assert english(table.rows[xlsx.READ_PROBLEM]).to_list() == [problem]


def test_a_date_serial_beyond_any_date_is_no_date_and_openpyxl_stays_silent() -> None:
    # openpyxl warns (on stderr, in several lines) and reads the cell as an error value;
    # the warning is not let through (pytest turns a warning into an error here).
    table = read_xlsx_table(dated((1e20, "yyyy-mm-dd")), "a.xlsx")
    assert table.rows["c0"].to_list() == ["#VALUE!"]
