"""Reading a CSV file as text: encodings, separators, quotes, line numbers, ragged rows."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundcalc.base.findings import Note
from fundcalc.base.reasons import EMPTY_FILE, PARTS, WINDOWS_1252, english
from fundcalc.errors import InputError
from fundcalc.inputs import csvfile
from fundcalc.inputs.csvfile import SEPARATORS, choose_separator, read_csv_table
from fundcalc.inputs.log import log_column
from fundcalc.inputs.table import RawTable


@pytest.fixture(autouse=True, params=["csv module", "polars"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs on both readers: small files go to Python's csv module, large to polars."""
    monkeypatch.setattr(csvfile, "SMALL", 1 << 40 if request.param == "csv module" else -1)
    return str(request.param)


def read(text: str | bytes) -> RawTable:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_csv_table(data, "a.csv", log_column)


def rows(table: RawTable) -> list[tuple[object, ...]]:
    """The rows, their read problem in English."""
    return table.rows.with_columns(english(table.rows["read_problem"])).rows()


def test_the_separator_is_the_one_that_splits_the_header_into_known_names() -> None:
    assert choose_separator("placement_id;client_id;remark, with a comma", log_column) == ";"
    assert choose_separator("placement_id,client_id;x,lot_id", log_column) == ","
    assert choose_separator("placement_id", log_column) == ","
    assert choose_separator("a;b;c", log_column) == ";"


def test_rows_carry_the_physical_line_they_start_on_after_quoted_newlines_and_blank_lines() -> None:
    table = read('placement_id,client_id\r\nP1,"two\r\nlines, and a comma"\r\n\r\nP2,c2\r\n')
    assert table.header == ("placement_id", "client_id")
    assert rows(table) == [
        (2, None, "P1", "two\r\nlines, and a comma"),
        (5, None, "P2", "c2"),
    ]
    assert table.blank_rows == 1


def test_without_quotes_rows_are_lines_and_blank_lines_keep_the_count() -> None:
    table = read("placement_id;client_id\nP1;c1\n\n;;\nP2;c2\n")
    assert rows(table) == [(2, None, "P1", "c1"), (5, None, "P2", "c2")]
    assert table.blank_rows == 2


@pytest.mark.parametrize("quote", ["", '"'])
def test_a_row_with_more_values_than_the_header_has_a_read_problem(quote: str) -> None:
    text = f"placement_id,client_id\nP1,{quote}c1{quote},oops\nP2,c2,,  ,\nP3\n"
    assert rows(read(text)) == [
        (2, "the row has 3 fields where the header has 2", "P1", "c1"),
        (3, None, "P2", "c2"),
        (4, None, "P3", None),
    ]


def test_the_header_is_the_first_line_that_is_not_blank() -> None:
    table = read("\n  \nplacement_id\nP1\n")
    assert (table.header_line, rows(table)) == (3, [(4, None, "P1")])


def test_old_mac_line_ends_are_lines() -> None:
    assert rows(read("placement_id,client_id\rP1,c1\rP2,c2\r")) == [
        (2, None, "P1", "c1"),
        (3, None, "P2", "c2"),
    ]


def test_a_windows_1252_file_is_read_with_a_warning_at_its_first_such_line() -> None:
    data = "placement_id,client_id\nP1,c1\nP2,Cliënt\n".encode("cp1252")
    table = read(data)
    assert rows(table)[1] == (3, None, "P2", "Cliënt")
    assert table.notes == (Note(3, WINDOWS_1252()),)


def test_a_bom_is_not_part_of_the_first_header() -> None:
    assert read(b"\xef\xbb\xbfplacement_id\nP1\n").header == ("placement_id",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "placement_id\nP1\n".encode("utf-16"),
            "a.csv: is UTF-16 text (Excel's 'Unicode text');"
            " save it as 'CSV UTF-8 (door komma's gescheiden)'",
        ),
        (
            b"PK\x03\x04\x00\x00binary",
            "a.csv: is not a text file (it holds NUL bytes); is it a spreadsheet saved as .csv?",
        ),
        (
            b"placement_id\nP1\nP\x81\n",
            "a.csv: line 3: is neither UTF-8 nor Windows-1252 text (byte 0x81);"
            " save it as 'CSV UTF-8 (door komma's gescheiden)'",
        ),
        (
            b'placement_id,client_id\nP1,"c1\nP2,c2\n',
            "a.csv: line 2: cannot be read as CSV"
            " (a quoted value is not closed before the end of the file)",
        ),
        (
            b'placement_id,client_id\nP1,c1\nP2,"c2"x\n',
            "a.csv: line 3: cannot be read as CSV (text after the closing quote of a value)",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_file_and_line(
    data: bytes, message: str
) -> None:
    with pytest.raises(InputError) as error:
        read(data)
    assert str(error.value) == message


def test_an_empty_file_says_so_and_a_header_only_file_has_no_rows() -> None:
    empty = read(b"\xef\xbb\xbf \r\n")
    assert (empty.header, empty.rows.height, empty.notes) == ((), 0, (Note(None, EMPTY_FILE()),))
    header_only = read("placement_id;client_id\r\n")
    assert (header_only.header, header_only.rows.height, header_only.notes) == (
        ("placement_id", "client_id"),
        0,
        (),
    )


def test_quoted_and_plain_files_of_the_same_rows_read_the_same() -> None:
    plain = read("placement_id;client_id\nP1;c1\n\nP2;c2;x\n")
    quoted = read('placement_id;client_id\n"P1";c1\n\nP2;"c2";"x"\n')
    assert plain.rows.equals(quoted.rows)
    assert plain.rows.schema == pl.Schema(
        {"line": pl.Int64, "read_problem": PARTS, "c0": pl.String, "c1": pl.String}
    )


def test_a_quoted_separator_on_one_line_is_part_of_the_value() -> None:
    table = read('placement_id,client_id\nP1,"a, b"\n"P2","",\n"",""\n')
    assert rows(table) == [(2, None, "P1", "a, b"), (3, None, "P2", None)]
    assert table.blank_rows == 1


PLAIN = [
    ("placement_id;client_id\nP1;c1\n\n;\nP2;c2\n", ";"),
    ("placement_id,client_id,lot_id\r\nP1,c1,L\r\nP2,,L\r\n,,\r\nP3,c3", ","),
    ("placement_id,client_id\nP1,c1\nP2\n\n\n", ","),
    ("placement_id,client_id\n", ","),
]


@pytest.mark.parametrize(("text", "separator"), PLAIN)
def test_a_plain_file_read_in_one_pass_gives_the_rows_of_the_general_reader(
    text: str, separator: str
) -> None:
    width = text.split("\n", 1)[0].count(separator) + 1
    plain = csvfile._read_plain(text.encode(), separator, 1, width)
    general = csvfile._read_lines(text.encode(), separator, 1, width)
    assert plain is not None
    assert general is not None
    assert plain[0].rows() == general[0].rows()
    assert plain[1] == general[1]


@st.composite
def plain_files(draw: st.DrawFn) -> tuple[bytes, str, int]:
    """A plain file (`csvfile._is_plain`): a header and lines of values without quotes
    or spaces, some blank, some short, some only separators, ended by LF or CRLF
    (or, the last, by nothing)."""
    separator = draw(st.sampled_from(SEPARATORS))
    width = draw(st.integers(1, 4))
    value = st.text(alphabet="abcXYZ019-_./:#=@+", max_size=4)
    lines = draw(
        st.lists(
            st.lists(value, min_size=0, max_size=width).map(separator.join),
            max_size=12,
        )
    )
    header = separator.join(f"c{i}" for i in range(width))
    end = st.sampled_from(["\n", "\r\n"])
    ends = [draw(end) for _ in lines] + [draw(st.sampled_from(["\n", "\r\n", ""]))]
    text = "".join(line + e for line, e in zip([header, *lines], ends, strict=True))
    return text.encode(), separator, width


@given(plain_files())
def test_a_plain_file_has_the_rows_and_lines_pythons_csv_module_reads(
    file: tuple[bytes, str, int],
) -> None:
    data, separator, width = file
    plain = csvfile._read_plain(data, separator, 1, width)
    by_csv_module = csvfile._read_records(data.decode(), separator, 1, width, "a.csv")
    assert plain is not None
    assert plain[0].rows() == by_csv_module[0].rows()
    assert plain[1] == by_csv_module[1]


@pytest.mark.parametrize(
    "text",
    [
        "placement_id,client_id\nP1, c1\n",  # a space to trim
        'placement_id,client_id\nP1,"c1"\n',  # a quote
        "placement_id,client_id\nP1,c1,extra\n",  # a line too long
        "placement_id,client_id\nP1,c1,,\n",  # empty values beyond the header
        "placement_id,client_id\nP1,c\u00e9\n",  # not ASCII (a non-breaking space could hide)
        "placement_id,client_id\rP1,c1\r\n",  # a carriage return that ends no line
        "placement_id,client_id\r\nP1,c1\r\r\n",  # another before a line's end
        "placement_id,client_id\r\nP1,c1\r",  # another at the end of the file
    ],
)
def test_a_file_that_is_not_plain_is_left_to_the_general_reader(text: str) -> None:
    assert csvfile._read_plain(text.encode(), ",", 1, 2) is None


def test_only_values_that_need_no_trimming_are_marked_trimmed(reader: str) -> None:
    assert read("placement_id,client_id\nP1,c1\n").trimmed is (reader == "polars")
    assert read("placement_id,client_id\nP1, c1\n").trimmed is False
