"""An xlsx sheet read by calamine (fastexcel), where it reads as openpyxl does.

openpyxl reads a sheet cell by cell in Python; calamine reads it in Rust,
several times faster, but not always alike: it holds a sheet's used range
as one dense grid (a value in A1 and one in XFD1048576 ask for 17 billion
cells), it places a cell by its own reference where openpyxl places it by its
`<row>`, it decides for itself which number formats are dates and converts
serials differently before 1 March 1900, it reads a number as a float where
openpyxl keeps an integer's digits, it unescapes `_x000D_`, it reads a text of
spaces as the empty text, and an error cell or a date serial out of range as an
empty cell. An empty cell would
be an empty `end_date`: a stay charged without end.

So `calamine_table` reads a workbook only where each of these is ruled out
before calamine is asked, or seen in what it gives, and returns None otherwise;
the caller then reads the file with openpyxl, whose reading is the one the log
is built on. Ruled out before:

* the first sheet is a worksheet, dates count from 1900;
* every cell of the sheet's XML is written plainly (`<c r="B7" s="1" t="s">`),
  in its `<row>`, rows and cells in order, no column beyond `max_columns`, and
  the grid calamine will hold is not much larger than the cells there are;
* every number format a cell uses is a date to both readers or a number to
  both (openpyxl's own reading of `styles.xml` decides what it thinks);
* no error cells, no ISO date cells, no escaped characters, no phonetic runs,
  every number written as a plain decimal, every date a whole day from 1 March
  1900 to 9999.

Seen after: calamine read as many values as the XML holds, none of them the
empty text; the header row is text; each column below it is of one kind:
text, numbers below 2**53, true or false, or dates.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from defusedxml.ElementTree import fromstring

from fundcalc.base.reasons import Part, parts_series
from fundcalc.inputs.table import LINE, READ_PROBLEM, RawTable, beyond_header, empty_rows, position

#: A number an IEEE double holds exactly when whole: above it openpyxl and calamine part.
EXACT = 2**53
#: How much larger than its cells the grid calamine holds may be (it is dense).
GRID_PER_CELL = 16
GRID_FREE = 1_000_000

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

#: A cell as Excel, LibreOffice, openpyxl and xlsxwriter write it: nothing else is read here.
_PLAIN_CELL = (
    r'<c r="[A-Z]{1,3}[0-9]{1,7}"(?: s="[0-9]{1,6}")?(?: t="(?:n|s|str|inlineStr|b)")?'
    r'(?: cm="[0-9]{1,6}")?(?: vm="[0-9]{1,6}")?\s*/?>'
)
_NUMBERED_ROW = r'<row r="[0-9]{1,7}"[\s/>]'
_ANY_CELL = r"<c[\s/>]"
_ANY_ROW = r"<row[\s/>]"
_PLACES = r'<row r="[0-9]{1,7}"|<c r="[A-Z]{1,3}[0-9]{1,7}"'
_STYLES = r' s="[0-9]{1,6}"'
_NUMBER_VALUE = r"<v>-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?</v>"
#: What a sheet or its strings may not hold (one pattern, searched a piece at a time).
_REFUSED = "|".join(
    (
        "<!DOCTYPE",  # refused by `xlsx.check_archive`, and by openpyxl's parser
        "<!ENTITY",
        't="e"',  # error cells: calamine reads them as empty
        't="d"',  # ISO date cells
        "x005F_",  # escaped characters: openpyxl keeps them, calamine not
        "_x[0-9A-Fa-f]{4}_",
        "<rPh[ >]",  # phonetic runs
        "<v [^/]",  # a value with attributes (an empty one, `<v />`, `<v/>`, reads alike)
        r":(?:c|row|v|is|sheetData)[\s/>]",  # cells, rows and values under a prefix
    )
)

#: Built-in number formats both readers take for dates, and for numbers (tested).
_BUILTIN_DATES = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 47})
_BUILTIN_NUMBERS = frozenset(
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 37, 38, 39, 40, 41, 42, 43, 44, 48, 49}
)
#: Quoted text, escaped characters, padding, locales and colours: no reader looks inside.
_FORMAT_NOISE = re.compile(
    r'"[^"]*"|\\.|_.|\[\$[^\]]*\]|\[(?:black|blue|cyan|green|magenta|red|white|yellow)\]',
    re.IGNORECASE,
)
_NUMBER_SIGNS = frozenset("0#?.,%+-E()/ @;")
_DATE_SIGNS = frozenset("dmyhsDMYHS-/.: ,")
_DATE = "date"
_NUMBER = "number"

_FIRST_DAY = datetime(1900, 3, 1)
_LAST_DAY = datetime(9999, 12, 31)
#: Their serials (1900 counted as a leap year, as Excel does).
_FIRST_SERIAL = 61
_LAST_SERIAL = 2_958_465


#: fastexcel logs its guesses through `logging`, whose last resort prints them on the
#: terminal; what it guesses is judged here, and what matters reaches the rows.
logging.getLogger("fastexcel").setLevel(logging.ERROR)


@dataclass(frozen=True)
class _Sheet:
    """What the sheet's XML says before calamine reads it."""

    name: str
    xml: bytes
    last_row: int
    values: int
    styles: frozenset[int]


def calamine_table(data: bytes, *, max_columns: int) -> RawTable | None:
    """The first sheet as `xlsx.read_xlsx_table` reads it with openpyxl, or None where
    calamine could read it otherwise (the caller then reads it with openpyxl).

    `data` has passed `xlsx.check_archive`.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheet = _plain_sheet(archive, max_columns)
    except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile, OSError):
        return None  # openpyxl says what is wrong with it
    if sheet is None:
        return None
    loaded = _load(data, sheet.name, skip_rows=0, dtypes="string")
    if loaded is None:
        return None
    texts, text = loaded
    offset = texts[0].absolute_index if texts else 0
    if _count_values(text) != sheet.values or _has_empty_text(text):
        return None  # an error cell, a serial out of range, text of spaces: read as empty
    filled = _filled(text)
    header_at = filled.arg_true()
    if header_at.is_empty():
        return None
    header_index = int(header_at[0])
    if not _header_is_text(sheet.xml, header_index + 1):
        return None
    below = text.slice(header_index + 1)
    typed = _typed(data, sheet.name, header_index + 1, below, offset) if below.height else below
    if typed is None:
        return None
    names = [None] * offset + list(text.row(header_index))
    while names and names[-1] is None:
        names.pop()
    header = tuple((n or "").strip() for n in names)
    return _table(
        header,
        header_index + 1,
        typed=typed,
        filled=filled.slice(header_index + 1),
        offset=offset,
        last_row=sheet.last_row,
    )


def _plain_sheet(archive: zipfile.ZipFile, max_columns: int) -> _Sheet | None:
    """The first sheet's name and what its XML holds, or None where a reader could part."""
    workbook = fromstring(archive.read("xl/workbook.xml"))
    properties = workbook.find(f"{_MAIN}workbookPr")
    if properties is not None and properties.get("date1904", "0") not in ("0", "false"):
        return None
    first = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
    if first is None:
        return None
    relations = {
        r.get("Id"): r for r in fromstring(archive.read("xl/_rels/workbook.xml.rels")).iter()
    }
    relation = relations.get(first.get(f"{_DOC_RELS}id"))
    if relation is None or not str(relation.get("Type", "")).endswith("/worksheet"):
        return None  # openpyxl reads the first worksheet, calamine the first sheet
    for other in relations.values():
        strings = str(other.get("Type", "")).endswith("/sharedStrings")
        if strings and _refused(archive.read(_member(other.get("Target", "")))):
            return None
    source = archive.read(_member(str(relation.get("Target", ""))))
    if _refused(source):
        return None
    sheet = _scan(source, max_columns)
    if sheet is None:
        return None
    last_row, values, styles = sheet
    dates = _date_styles(archive, styles)
    if dates is None or not _plain_days(source, dates):
        return None
    return _Sheet(str(first.get("name")), source, last_row, values, styles)


def _member(target: str) -> str:
    """A relationship's target as a member of the archive."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join("xl", target))


def _refused(xml: bytes) -> bool:
    """Whether `xml` holds anything of `_REFUSED`."""
    return any(pl.select(pl.lit(piece).str.contains(_REFUSED)).item() for piece in _pieces(xml))


def _scan(source: bytes, max_columns: int) -> tuple[int, int, frozenset[int]] | None:
    """The last row, the number of values and the styles used by a sheet's XML, or None
    where a cell is not written plainly, out of order, too far right, or the grid too big.

    The XML is read a piece of rows at a time (`_pieces`): the queries hold a few
    times a piece, never the whole sheet's cells at once.
    """
    cells = numbers = last_row = 0
    letters: set[str] = set()
    styles: set[str] = {"0"}
    for piece in _pieces(source):
        found = _places(piece)
        first_row = found["first_row"]
        if (
            found["cells"] != found["plain"]
            or found["rows"] != found["numbered"]
            or not found["in_order"]
            or (first_row is not None and first_row <= last_row)
        ):
            return None
        cells += found["plain"]
        numbers += found["numbers"]
        last_row = found["last_row"] if found["last_row"] is not None else last_row
        letters.update(found["letters"])
        styles.update(found["styles"])
    values = source.count(b"<v>") - source.count(b"<v></v>")
    if not cells or values > numbers + source.count(b't="str"'):
        return None  # a value that is no plain number, in a cell that is no text
    columns = [_column_number(name) for name in letters]
    grid = last_row * (max(columns) - min(columns) + 1)
    if max(columns) > max_columns or grid > GRID_PER_CELL * cells + GRID_FREE:
        return None
    inline = source.count(b"<is>") + source.count(b"<is/>")
    return last_row, values + inline, frozenset(int(s) for s in styles)


#: The bytes of XML read at a time.
_PIECE = 4_000_000


def _pieces(xml: bytes) -> Iterator[str]:
    """`xml` as text in pieces of about `_PIECE` bytes, each cut where a row begins (an
    ASCII `<`, so no piece cuts a character or a tag)."""
    start = 0
    while start < len(xml):
        end = xml.find(b"<row ", start + _PIECE)
        end = len(xml) if end < 0 else end
        yield xml[start:end].decode("utf-8-sig")
        start = end


def _places(piece: str) -> dict[str, Any]:
    """What a piece of a sheet's XML holds: its cells, plainly written ones, rows,
    numbered ones, plain numbers; each `<row r="7"` and `<c r="B7"` in the order
    written: the first and last row, whether rows rise and each cell is in its row
    and right of the one before it; the columns' letters and the styles used.

    A column's place is told by its letters: shorter first, then alphabetical.
    """
    place = pl.col("place").str.extract_groups(r'^<(?:row|c) r="([A-Z]*)([0-9]+)"')
    is_row, is_cell = pl.col("letters") == "", pl.col("letters") != ""
    letters = pl.col("letters").filter(is_cell)
    row = pl.col("row").filter(is_cell)
    rows = pl.col("number").filter(is_row)
    length = letters.str.len_bytes()
    later_in_row = (
        (row != row.shift())
        | (length > length.shift())
        | ((length == length.shift()) & (letters > letters.shift()))
    )
    document = pl.LazyFrame({"xml": [piece]})
    xml = pl.col("xml")
    counts = document.select(
        cells=xml.str.count_matches(_ANY_CELL),
        plain=xml.str.count_matches(_PLAIN_CELL),
        rows=xml.str.count_matches(_ANY_ROW),
        numbered=xml.str.count_matches(_NUMBERED_ROW),
        numbers=xml.str.count_matches(_NUMBER_VALUE),
    )
    places = (
        document.select(place=xml.str.extract_all(_PLACES))
        .explode("place")
        .select(letters=place.struct.field("1"), number=place.struct.field("2").cast(pl.Int64))
        .with_columns(row=pl.when(is_row).then(pl.col("number")).forward_fill())
        .select(
            first_row=rows.first(),
            last_row=rows.max(),
            in_order=(rows.diff() > 0).all()
            & (row == pl.col("number").filter(is_cell)).all()
            & later_in_row.all(),
            letters=letters.unique().implode(),
        )
    )
    styles = (
        document.select(style=xml.str.extract_all(_STYLES))
        .explode("style")
        .select(styles=pl.col("style").str.extract(r"([0-9]+)", 1).unique().drop_nulls().implode())
    )
    return pl.concat([counts, places, styles], how="horizontal").collect().row(0, named=True)


def _column_number(letters: str) -> int:
    """`A` → 1, `Z` → 26, `AA` → 27."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _date_styles(archive: zipfile.ZipFile, used: frozenset[int]) -> frozenset[int] | None:
    """The styles among `used` that are dates, where every style a cell uses is a date to
    both readers or a number to both; None where one is not.

    openpyxl's own reading of `styles.xml` says what it takes for a date; calamine's
    is known for the built-in formats and for formats of date signs or number signs
    alone (the tests hold it to that).
    """
    from openpyxl.styles.stylesheet import Stylesheet  # noqa: PLC0415 - as fastexcel

    try:
        source = archive.read("xl/styles.xml")
    except KeyError:
        return frozenset() if used <= {0} else None
    raw = fromstring(source)
    custom = {
        int(f.get("numFmtId", "-1")): f.get("formatCode", "") for f in raw.iter(f"{_MAIN}numFmt")
    }
    cell_formats = raw.find(f"{_MAIN}cellXfs")
    xfs = [] if cell_formats is None else list(cell_formats.iter(f"{_MAIN}xf"))
    if any(number < 164 for number in custom) or any(s >= max(len(xfs), 1) for s in used):
        return None
    stylesheet = Stylesheet.from_tree(raw)
    dates = set()
    for style in used:
        if not xfs:
            continue
        number = int(xfs[style].get("numFmtId", "0"))
        kind = _format_kind(custom[number]) if number in custom else _builtin_kind(number)
        is_date = style in stylesheet.date_formats
        if kind is None or style in stylesheet.timedelta_formats or is_date != (kind == _DATE):
            return None
        if is_date:
            dates.add(style)
    return frozenset(dates)


def _plain_days(xml: bytes, dates: frozenset[int]) -> bool:
    """Whether every number in a cell of a date style is a whole day from 1 March 1900
    to 31 December 9999: calamine converts other serials otherwise than openpyxl (and
    some not at all)."""
    if not dates:
        return True
    styles = "|".join(str(s) for s in sorted(dates))
    cell = (
        rf'<c r="[A-Z]{{1,3}}[0-9]{{1,7}}" s="(?:{styles})"(?: t="n")?'
        r'(?: cm="[0-9]{1,6}")?(?: vm="[0-9]{1,6}")?\s*>(?:<f>[^<]*</f>)?<v>([^<]*)</v>'
    )
    day = pl.col("day")
    for piece in _pieces(xml):
        plain = (
            pl.LazyFrame({"xml": [piece]})
            .select(day=pl.col("xml").str.extract_all(cell))
            .explode("day")
            .select(day.str.extract(r"<v>([^<]*)</v>", 1).cast(pl.Float64, strict=False))
            .select(
                (
                    day.is_not_null()
                    & day.is_between(_FIRST_SERIAL, _LAST_SERIAL)
                    & (day == day.floor())
                ).all()
            )
            .collect()
            .item()
        )
        if not plain:
            return False
    return True


def _builtin_kind(number: int) -> str | None:
    if number in _BUILTIN_DATES:
        return _DATE
    if number in _BUILTIN_NUMBERS:
        return _NUMBER
    return None


def _format_kind(code: str) -> str | None:
    """`date` or `number` for a format of date signs or number signs alone, else None."""
    if code.strip().lower() == "general":
        return _NUMBER
    bare = _FORMAT_NOISE.sub("", code)
    if bare and set(bare) <= _NUMBER_SIGNS:
        return _NUMBER
    first = bare.removesuffix(";@")
    if first and set(first) <= _DATE_SIGNS and any(c in first for c in "dmyDMY"):
        return _DATE
    return None


def _header_is_text(xml: bytes, row: int) -> bool:
    """Whether every cell of the header `row` is text or empty: a number or a date reads
    otherwise in calamine's text than in openpyxl's values."""
    start = xml.find(f'<row r="{row}"'.encode())
    end = xml.find(b"</row>", start)
    if start < 0 or end < 0:
        return False
    return all(
        tag.endswith(b"/>") or re.search(rb' t="(?:s|inlineStr|str)"', tag)
        for tag in re.findall(rb"<c [^>]*>", xml[start:end])
    )


def _count_values(frame: pl.DataFrame) -> int:
    return int(sum(frame[c].count() for c in frame.columns))


def _has_empty_text(text: pl.DataFrame) -> bool:
    """Whether calamine read a text as empty: it does so with one of spaces alone."""
    return (
        bool(text.select(pl.any_horizontal(pl.all() == "").any()).item()) if text.width else False
    )


def _filled(text: pl.DataFrame) -> pl.Series:
    """Per row of the sheet: whether it has a value (not empty, not the empty text)."""
    if not text.columns:
        return pl.Series([], dtype=pl.Boolean)
    return text.select(
        pl.any_horizontal([pl.col(c).is_not_null() & (pl.col(c) != "") for c in text.columns])
    ).to_series()


def _load(data: bytes, name: str, **options: Any) -> tuple[list[Any], pl.DataFrame] | None:
    """The sheet `name` as fastexcel loads it with `options` (its columns and its
    values), or None where it cannot: a column of two kinds, or a panic in calamine."""
    import fastexcel  # noqa: PLC0415 - only for xlsx inputs, as openpyxl

    try:
        sheet = fastexcel.read_excel(data).load_sheet(name, header_row=None, **options)
        return sheet.selected_columns, pl.DataFrame(sheet)
    except fastexcel.FastExcelError:
        return None
    except BaseException as error:  # pyo3's PanicException derives from BaseException
        if type(error).__name__ == "PanicException":
            return None
        raise


def _typed(
    data: bytes, name: str, skip: int, below: pl.DataFrame, offset: int
) -> pl.DataFrame | None:
    """The rows below the header as text the way openpyxl's values read, or None."""
    # A column of no values but spaces is text; left to guess, fastexcel would warn.
    empty = {
        offset + i: "string"
        for i, c in enumerate(below.columns)
        if below[c].str.strip_chars().replace("", None).count() == 0
    }
    loaded = _load(
        data,
        name,
        skip_rows=skip,
        dtype_coercion="strict",
        schema_sample_rows=None,
        dtypes=empty or None,
    )
    if loaded is None:
        return None
    kinds = [c.dtype for c in loaded[0]]
    frame = loaded[1]
    if frame.shape != below.shape:
        return None
    columns = []
    for kind, column, shown in zip(kinds, frame.columns, below.columns, strict=True):
        values = frame[column]
        if not values.is_null().equals(below[shown].is_null()):
            return None
        text = _as_text(kind, values)
        if text is None:
            return None
        columns.append(text.alias(shown))
    return pl.DataFrame(columns)


def _as_text(kind: str, values: pl.Series) -> pl.Series | None:
    """A typed column as openpyxl's values read as text (`xlsx._text`), or None."""
    if kind == "string":
        return values
    if kind == "boolean":
        return pl.select(
            pl.when(values.is_null())
            .then(pl.lit(None, dtype=pl.String))
            .when(values)
            .then(pl.lit("true"))
            .otherwise(pl.lit("false"))
        ).to_series()
    if kind in ("float", "int"):
        numbers = values.cast(pl.Float64)
        present = numbers.drop_nulls()
        if not present.is_finite().all() or (present.abs() >= EXACT).any():
            return None
        whole = (numbers == numbers.floor()).fill_null(True)
        if whole.all():
            return numbers.cast(pl.Int64).cast(pl.String)
        return pl.Series(
            [None if v is None else _number_text(v) for v in numbers.to_list()], dtype=pl.String
        )
    if kind == "datetime":
        present = values.drop_nulls()
        if present.is_empty():
            return values.cast(pl.String)
        day = pl.col("day")
        plain = present.to_frame("day").select(
            ((day >= _FIRST_DAY) & (day <= _LAST_DAY) & (day.dt.truncate("1d") == day)).all()
        )
        if not plain.item():
            return None
        return values.dt.strftime("%Y-%m-%d")
    return None


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def _table(
    header: tuple[str, ...],
    header_line: int,
    *,
    typed: pl.DataFrame,
    filled: pl.Series,
    offset: int,
    last_row: int,
) -> RawTable:
    """The RawTable of openpyxl's reading, from the rows below the header (`typed`, as
    text; `filled`: which have a value), the sheet's leftmost column and its last row."""
    width = len(header)
    rows = typed.with_columns(
        pl.int_range(header_line + 1, header_line + 1 + typed.height, dtype=pl.Int64).alias(LINE)
    ).filter(filled)
    blank = last_row - header_line - rows.height
    if rows.is_empty():
        return RawTable(header, header_line, empty_rows(width), blank)
    shown = typed.columns
    beyond_columns = [(offset + i, c) for i, c in enumerate(shown) if offset + i >= width]
    problems: list[tuple[Part, ...] | None] = [None] * rows.height
    if beyond_columns:
        marks = rows.select(
            [
                pl.when(pl.col(c).str.strip_chars() != "").then(pl.lit(i)).alias(f"b{i}")
                for i, c in beyond_columns
            ]
        )
        marked = marks.with_row_index("n").filter(pl.any_horizontal(pl.exclude("n").is_not_null()))
        for n, *row in marked.iter_rows():
            problems[n] = (beyond_header([i for i in row if i is not None]),)
    by_position: Mapping[int, str] = {offset + i: c for i, c in enumerate(shown)}
    frame = pl.DataFrame(
        {
            LINE: rows[LINE],
            READ_PROBLEM: parts_series(problems),
            **{
                position(i): rows[by_position[i]]
                if i in by_position
                else pl.Series([None] * rows.height, dtype=pl.String)
                for i in range(width)
            },
        }
    )
    return RawTable(header, header_line, frame, blank)
