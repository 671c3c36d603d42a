"""Tables laid out as worksheets: formats, widths, printing, safe text, stable bytes.

The workbook module says *what* each sheet shows as plain values (`Sheet`,
`Table`, `Row` and the typed cells `Euro`, `Count`, `Percent`, `Average`);
this module decides how that looks in Excel and LibreOffice and guarantees:

* every figure is a stored value (no formulas anywhere);
* euro amounts in a euro format, percentages as percentages, dates as dates;
* text is always a text cell: input text that starts like a formula (`=`,
  `+`, `-`, `@`, tab, CR) is stored as a string with Excel's quote-prefix flag,
  so it shows exactly as written and stays text when edited;
* a count of clients below 5 is written as `<5`;
* the same sheets give the same bytes: fixed document times, fixed zip entry
  times and order, no compression (deflate output differs between zlib
  builds, and an auditor replays on another machine years later).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Hashable, Sequence
from copy import copy
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from functools import partial

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from fundcalc.report.render import FORMULA_START

# `_ ` leaves a space's width after a number, so text in the next column does not touch it.
EURO_FORMAT = '"€" #,##0.00_ ;[Red]"€" -#,##0.00_ '
INTEGER_FORMAT = "#,##0_ "
PERCENT_FORMAT = "0.0%_ "
AVERAGE_FORMAT = "#,##0.0_ "
LINE_FORMAT = "0_ "
DATE_FORMAT = "dd-mm-yyyy"

#: Below this many, a count of clients or placements is shown as `<5`.
#: Detail lists (exceptions, placements) show at most this many rows; the rest
#: is in exceptions.csv and ledger.parquet. The workbook stays a summary.
MAX_LISTED = 500

SMALL_COUNT = 5
SMALL_COUNT_TEXT = f"<{SMALL_COUNT}"

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
MAX_TEXT = 32_767


@dataclass(frozen=True)
class Euro:
    """An amount in cents, shown in euros."""

    cents: int


@dataclass(frozen=True)
class Count:
    """A number of clients or placements: below 5 it is shown as `<5` (privacy)."""

    n: int


@dataclass(frozen=True)
class Percent:
    """A ratio shown as a percentage."""

    value: Fraction


@dataclass(frozen=True)
class Average:
    """A number with one decimal (an average length of stay in days)."""

    value: Fraction


@dataclass(frozen=True)
class LineNumber:
    """A line of an input file: a whole number without a thousands separator."""

    n: int


CellValue = str | int | date | Euro | Count | Percent | Average | LineNumber | None

BODY = "body"
TOTAL = "total"
SECTION = "section"


@dataclass(frozen=True)
class Row:
    """A row of a table; `kind` sets it off: body, total (bold, ruled) or section heading."""

    cells: tuple[CellValue, ...]
    kind: str = BODY


@dataclass(frozen=True)
class Table:
    """A header row and its rows, with an optional caption above and note below."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    caption: str = ""
    note: str = ""
    align_left: bool = False


@dataclass(frozen=True)
class ChartSpec:
    """A chart of the first table: bars for `bars`, a line on a second axis for `line`.

    Columns are indices into the table; `category` labels the x axis.
    """

    title: str
    category: int
    bars: tuple[int, ...]
    line: int | None = None
    bar_axis: str = "€"
    line_axis: str = ""
    #: "line": the `bars` columns drawn as lines on the euro axis instead (one line each).
    kind: str = "bar"


@dataclass(frozen=True)
class Sheet:
    """A worksheet: a title, a line saying what it shows, tables one below the other."""

    name: str
    title: str
    subtitle: str
    tables: tuple[Table, ...]
    chart: ChartSpec | None = None
    widths: dict[int, float] = field(default_factory=dict)
    #: The table whose header row is frozen on screen and repeated on every
    #: printed page; None freezes only the title.
    header_table: int | None = 0
    #: Printed on one portrait page (a statement a finance department files),
    #: instead of landscape pages fitted to the width.
    one_page: bool = False
    #: Printed in two parts side by side, each on its own page with the sheet's title
    #: above it: the columns after this many go on the next page (a table too wide to
    #: be read on one page; its second part repeats the columns that name its rows).
    column_break: int | None = None


def cell_text(text: str) -> str:
    """Text as it can be stored in a cell and read back the same by every reader.

    Characters XML cannot hold become U+FFFD; CR becomes LF (XML readers do
    that anyway, some and not others); `_xHHHH_` is escaped so Excel does not
    decode it as a character.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ILLEGAL.sub("\ufffd", text)
    text = _ESCAPE_LIKE.sub(r"_x005F_\1", text)
    return text[:MAX_TEXT]


@dataclass(frozen=True)
class _Stored:
    """A value as a cell holds it: what is stored, and the format it is shown in."""

    value: object
    number_format: str | None = None
    #: Stored as a text cell (never a formula, an error code or a number).
    text: bool = False
    #: A text that starts like a formula, flagged so it shows as written.
    quote_prefix: bool = False
    alignment: Alignment | None = None

    @property
    def look(self) -> Hashable:
        """What of it is the cell's style: cells that look alike share it."""
        return (self.number_format, self.quote_prefix, self.alignment)


_RIGHT_INDENTED = Alignment(horizontal="right", indent=1)


def _text(text: str) -> _Stored:
    value = cell_text(text)
    return _Stored(value, text=True, quote_prefix=value.startswith(FORMULA_START))


def _stored(value: CellValue) -> _Stored:
    """How a value is stored; every figure is a value, never a formula."""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, Euro):
        return _Stored(Decimal(value.cents).scaleb(-2), EURO_FORMAT)
    if isinstance(value, Count):
        if value.n < SMALL_COUNT:
            return replace(_text(SMALL_COUNT_TEXT), alignment=_RIGHT_INDENTED)
        return _Stored(value.n, INTEGER_FORMAT)
    if isinstance(value, Percent):
        return _Stored(float(value.value), PERCENT_FORMAT)
    if isinstance(value, Average):
        return _Stored(float(value.value), AVERAGE_FORMAT)
    if isinstance(value, LineNumber):
        return _Stored(value.n, LINE_FORMAT)
    if isinstance(value, bool):
        return _text("ja" if value else "nee")
    if isinstance(value, int):
        return _Stored(value, INTEGER_FORMAT)
    return _Stored(value, DATE_FORMAT)  # a date


def _put_value(cell: Cell, stored: _Stored) -> None:
    cell.value = stored.value
    if stored.text:
        cell.data_type = "s"


def _put_format(cell: Cell, stored: _Stored) -> None:
    if stored.quote_prefix:
        cell.quotePrefix = True
    if stored.number_format is not None:
        cell.number_format = stored.number_format
    if stored.alignment is not None:
        cell.alignment = stored.alignment


def _put(cell: Cell, value: CellValue) -> None:
    """Store a value with its number format (nothing for None)."""
    if value is not None:
        stored = _stored(value)
        _put_value(cell, stored)
        _put_format(cell, stored)


def display_width(value: CellValue) -> int:
    """About how many characters a value takes on screen (for column widths)."""
    if value is None:
        return 0
    if isinstance(value, Euro):  # "€ -1,234.56 ": sign, euros with separators, cents, padding
        return len(f"€ {abs(value.cents) // 100:,}.00 ") + (value.cents < 0)
    if isinstance(value, Count):
        return len(SMALL_COUNT_TEXT) if value.n < SMALL_COUNT else len(f"{value.n:,}")
    if isinstance(value, Percent):
        return 7
    if isinstance(value, Average):
        return len(f"{float(value.value):,.1f}")
    if isinstance(value, LineNumber):
        return len(str(value.n))
    if isinstance(value, int):
        return len(f"{value:,}")
    if isinstance(value, date):
        return 10
    return max((len(line) for line in value.split("\n")), default=0)


# --- styles ---

FONT = "Calibri"
_THIN = Side(style="thin", color="808080")
_TITLE_FONT = Font(name=FONT, bold=True, size=14, color="1F3864")
_SUBTITLE_FONT = Font(name=FONT, italic=True, color="404040")
_CAPTION_FONT = Font(name=FONT, bold=True, size=12, color="1F3864")
_BOLD = Font(name=FONT, bold=True)
_NOTE_FONT = Font(name=FONT, italic=True, size=9, color="404040")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_SECTION_FILL = PatternFill("solid", fgColor="EDEDED")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_HEADER_BORDER = Border(bottom=_THIN)
_TOTAL_BORDER = Border(top=_THIN, bottom=Side(style="double", color="808080"))
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_LEFT = Alignment(horizontal="left")
_HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="bottom", horizontal="center")

MIN_WIDTH = 8.0
MAX_WIDTH = 60.0
LINE_HEIGHT = 15.0
NOTE_LINE_HEIGHT = 12.5
TITLE_HEIGHT = 21.0

#: Printing: A4 landscape in points less the margins (`_print_setup`); a unit of column
#: width in points as LibreOffice prints it (7; Excel prints it narrower, 5.25: 7 pixels
#: of 3/4 point), so that the columns fit the page in both; and a margin for the
#: readers' own rounding of widths and heights.
PAGE_WIDTH = 841.9 - 2 * 0.4 * 72
PAGE_HEIGHT = 595.3 - 2 * 0.6 * 72
POINTS_PER_WIDTH = 7.0
PRINT_MARGIN = 0.95
#: Rows of a long table kept with its caption and header on one printed page.
KEEP_WITH_HEADER = 3


def wrapped_lines(text: str, width: float) -> int:
    """How many lines `text` takes when wrapped at word boundaries in `width` characters."""
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split(" "):
            if used and used + 1 + len(word) > width:
                lines += 1 + len(word) // max(int(width), 1)
                used = len(word) % max(int(width), 1)
            else:
                used += (1 if used else 0) + len(word)
    return lines


def column_widths(sheet: Sheet) -> dict[int, float]:
    """Each column wide enough for its values and its header's longest word, within limits."""
    widths: dict[int, float] = {}
    for table in sheet.tables:
        for i, header in enumerate(table.columns):
            words = max((len(w) for w in header.split()), default=0)
            widths[i] = max(widths.get(i, 0), words + 2)
        for row in table.rows:
            for i, value in enumerate(row.cells):
                widths[i] = max(widths.get(i, 0), display_width(value) + 2)
    sized = {i: min(max(w, MIN_WIDTH), MAX_WIDTH) for i, w in widths.items()}
    return {**sized, **sheet.widths}


def _span_text(
    ws: Worksheet,
    row: int,
    text: str,
    *,
    font: Font,
    columns: int,
    width: float,
    line: float,
    first: int = 1,
) -> None:
    """Text across `columns` columns from column `first` (merged), wrapped, its row as
    high as the lines need."""
    cell = ws.cell(row, first)
    _put(cell, text)
    cell.font = font
    cell.alignment = _WRAP_TOP
    if columns > 1:
        ws.merge_cells(
            start_row=row, start_column=first, end_row=row, end_column=first + columns - 1
        )
    # Merged cells are never fitted by Excel or LibreOffice: set the height (the
    # highest text's, where a row has one above each printed part).
    needed = line * wrapped_lines(cell_text(text), width * 1.1)
    ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or 0, needed)


def _write_table(
    ws: Worksheet,
    table: Table,
    top: int,
    widths: dict[int, float],
    span_columns: int,
    *,
    styles: dict[Hashable, StyleArray],
) -> tuple[int, int]:
    """Write `table` from row `top`; return its header row and the next free row.

    Its note spans at most `span_columns` columns (a merged cell is printed on one page).
    """
    note_columns = min(len(table.columns), span_columns)
    span = sum(widths.get(i, MIN_WIDTH) for i in range(note_columns))
    row_no = top
    if table.caption:
        caption = ws.cell(row_no, 1)
        _put(caption, table.caption)
        caption.font = _CAPTION_FONT
        row_no += 1
    header_row = row_no
    header_lines = 1
    for i, name in enumerate(table.columns, 1):
        cell = ws.cell(row_no, i)
        stored = _text(name)
        _put_value(cell, stored)
        _style(cell, ("header", stored.look), styles, partial(_header_style, stored=stored))
        header_lines = max(header_lines, wrapped_lines(name, widths.get(i - 1, MIN_WIDTH) - 1))
    ws.row_dimensions[row_no].height = LINE_HEIGHT * header_lines
    for row in table.rows:
        row_no += 1
        _write_row(ws, row_no, row, table, widths, styles=styles)
    row_no += 1
    if table.note:
        _span_text(
            ws,
            row_no,
            table.note,
            font=_NOTE_FONT,
            columns=note_columns,
            width=span,
            line=NOTE_LINE_HEIGHT,
        )
        row_no += 1
    return header_row, row_no + 1


def _style(
    cell: Cell, key: Hashable, styles: dict[Hashable, StyleArray], apply: Callable[[Cell], None]
) -> None:
    """Style `cell` as `key` says: a copy of the style of the first cell styled so in
    the workbook (`styles`), as openpyxl copies styles; the first is styled by `apply`.
    Setting font, fill, border and alignment one by one looks each up in the
    workbook's lists again, for every cell."""
    kept = styles.get(key)
    if kept is None:
        apply(cell)
        styles[key] = copy(cell._style)
    else:
        cell._style = copy(kept)


def _header_style(cell: Cell, *, stored: _Stored) -> None:
    _put_format(cell, stored)
    cell.font = _BOLD
    cell.fill = _HEADER_FILL
    cell.border = _HEADER_BORDER
    cell.alignment = _HEADER_ALIGNMENT


def _row_style(cell: Cell, *, stored: _Stored | None, wrap: bool, left: bool, kind: str) -> None:
    if stored is not None:
        _put_format(cell, stored)
    if wrap:
        cell.alignment = _WRAP_TOP
    elif left:
        cell.alignment = _LEFT
    if kind == TOTAL:
        cell.font = _BOLD
        cell.fill = _TOTAL_FILL
        cell.border = _TOTAL_BORDER
    elif kind == SECTION:
        cell.font = _BOLD
        cell.fill = _SECTION_FILL


def _write_row(
    ws: Worksheet,
    row_no: int,
    row: Row,
    table: Table,
    widths: dict[int, float],
    *,
    styles: dict[Hashable, StyleArray],
) -> None:
    """One row of a table; its cells styled as `_style` does."""
    lines = 1
    for i in range(1, len(table.columns) + 1):
        value = row.cells[i - 1] if i <= len(row.cells) else None
        cell = ws.cell(row_no, i)
        width = widths.get(i - 1, MIN_WIDTH)
        wrap = row.kind != SECTION and isinstance(value, str) and display_width(value) + 1 > width
        if wrap:
            lines = max(lines, wrapped_lines(cell_text(str(value)), width - 1))
        stored = None if value is None else _stored(value)
        if stored is not None:
            _put_value(cell, stored)
        left = table.align_left and value is not None
        _style(
            cell,
            (None if stored is None else stored.look, wrap, left, row.kind),
            styles,
            partial(_row_style, stored=stored, wrap=wrap, left=left, kind=row.kind),
        )
    if lines > 1:
        ws.row_dimensions[row_no].height = LINE_HEIGHT * lines
        # A wrapped cell is read from its top: so is every cell of its row, or the
        # figures beside a note of three lines sit two lines below its first.
        for i in range(1, len(table.columns) + 1):
            cell = ws.cell(row_no, i)
            was = cell.alignment
            cell.alignment = Alignment(
                horizontal=was.horizontal,
                vertical="top",
                wrap_text=was.wrap_text,
                indent=was.indent,
            )


def _write_sheet(
    ws: Worksheet, sheet: Sheet, styles: dict[Hashable, StyleArray] | None = None
) -> None:
    """Write `sheet` on `ws`; `styles` are the cell styles of its workbook met so far."""
    styles = {} if styles is None else styles
    ws.title = sheet.name
    widths = column_widths(sheet)
    for i, width in sorted(widths.items()):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    columns = max((len(t.columns) for t in sheet.tables), default=1)
    span_columns = min(sheet.column_break or columns, columns)
    # The title above each printed part (one, or two: `Sheet.column_break`).
    parts = [(0, span_columns)] + ([(span_columns, columns)] if span_columns < columns else [])
    for start, end in parts:
        title = ws.cell(1, start + 1)
        _put(title, sheet.title)
        title.font = _TITLE_FONT
        _span_text(
            ws,
            2,
            sheet.subtitle,
            font=_SUBTITLE_FONT,
            columns=end - start,
            width=sum(widths.get(i, MIN_WIDTH) for i in range(start, end)),
            line=LINE_HEIGHT,
            first=start + 1,
        )
    ws.row_dimensions[1].height = TITLE_HEIGHT
    top = 4
    headers: list[int] = []
    blocks: list[tuple[int, int, int]] = []
    for table in sheet.tables:
        first = top if headers else 1  # the first table stays with the sheet's title
        header_row, top = _write_table(ws, table, top, widths, span_columns, styles=styles)
        headers.append(header_row)
        last = top - 2  # its last row, or its note
        blocks.append((first, header_row, last))
        # A section heading within the table is kept with the rows under it.
        blocks += [
            (row, row, min(row + KEEP_WITH_HEADER, last))
            for i, r in enumerate(table.rows)
            if r.kind == SECTION and (row := header_row + 1 + i) < last
        ]
    title_row = None
    if sheet.header_table is not None and headers:
        title_row = headers[sheet.header_table]
        ws.freeze_panes = ws.cell(title_row + 1, 1)
        ws.print_title_rows = f"{title_row}:{title_row}"
    else:
        ws.freeze_panes = ws.cell(3, 1)
    if sheet.chart is not None and sheet.tables:
        _add_chart(ws, sheet.chart, sheet.tables[0], headers[0], top)
    heights = [_row_height(ws, r) for r in range(1, top)]
    title_height = _row_height(ws, title_row) if title_row is not None else 0.0
    _print_setup(
        ws,
        sheet,
        widths=widths,
        columns=columns,
        heights=heights,
        blocks=blocks,
        title_height=title_height,
    )


def _row_height(ws: Worksheet, row: int) -> float:
    """A row's height in points as printed: as set, else one line."""
    height = ws.row_dimensions[row].height
    return float(height) if height else LINE_HEIGHT


def print_scale(widths: dict[int, float], columns: int, sheet: Sheet, height: float) -> int:
    """The percentage a landscape sheet is printed at so that its columns fit the page
    width; for a sheet printed in two parts (`Sheet.column_break`), each part on one
    page: as wide and as tall (`height`, its rows in points) as the page."""
    width = [widths.get(i, MIN_WIDTH) for i in range(columns)]
    fits = [1.0]
    if sheet.column_break is not None and sheet.column_break < columns:
        needed = max(sum(width[: sheet.column_break]), sum(width[sheet.column_break :]))
        fits.append(PAGE_HEIGHT * PRINT_MARGIN / height)
    else:
        needed = sum(width)
    fits.append(PAGE_WIDTH * PRINT_MARGIN / (needed * POINTS_PER_WIDTH))
    return max(10, min(100, int(100 * min(fits))))


def page_breaks(
    heights: Sequence[float],
    blocks: Sequence[tuple[int, int, int]],
    page: float,
    title: float = 0.0,
) -> list[int]:
    """The rows (1-based) a printed page must start with so that no table is cut from its
    caption and header: a table that fits on a page is printed whole on one; a longer
    one starts on a page with room for its header and its first KEEP_WITH_HEADER rows.
    A section heading within a table is such a block too (a heading with its rows).

    `heights`: every row's height from row 1; `blocks`: each table's first row (its
    caption), header row and last row; `page`: the printable height, in the points of
    the rows (the page divided by the print scale); `title`: the height of the row
    repeated at the top of every page after the first.
    """
    page = page * PRINT_MARGIN
    starts: dict[int, float] = {}
    for first, header, last in blocks:
        whole = sum(heights[first - 1 : last])
        kept = last if whole <= page - title else min(last, header + KEEP_WITH_HEADER)
        starts[first] = sum(heights[first - 1 : kept])
    breaks: list[int] = []
    used = 0.0
    for row, height in enumerate(heights, 1):
        together = starts.get(row, 0.0)
        if used > title and used + together > page:
            breaks.append(row)
            used = title
        elif used + height > page:  # the reader breaks the page here by itself
            used = title
        used += height
    return breaks


def _print_setup(
    ws: Worksheet,
    sheet: Sheet,
    *,
    widths: dict[int, float],
    columns: int,
    heights: Sequence[float],
    blocks: Sequence[tuple[int, int, int]],
    title_height: float,
) -> None:
    """Landscape A4 fitted to the page width, with the sheet's name and page numbers
    (or one portrait page, for a sheet that is a statement on its own).

    Where a table would be cut from its caption or header (`page_breaks`), or the sheet
    is printed in two parts (`Sheet.column_break`), it is printed at the scale that fits
    the width (`print_scale`) with page breaks instead: Excel ignores page breaks on a
    sheet fitted to pages.
    """
    ws.page_setup.orientation = "portrait" if sheet.one_page else "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    scale = print_scale(widths, columns, sheet, sum(heights))
    two_parts = sheet.column_break is not None and sheet.column_break < columns
    breaks = (
        []
        if sheet.one_page
        else page_breaks(heights, blocks, PAGE_HEIGHT * 100 / scale, title_height)
    )
    if breaks or two_parts:
        ws.page_setup.scale = scale
        ws.row_breaks.brk = [Break(id=row - 1) for row in breaks]
        if two_parts:
            ws.col_breaks.append(Break(id=sheet.column_break))
    else:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1 if sheet.one_page else 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddFooter.left.text = cell_text(sheet.name).replace("&", "&&")
    ws.oddFooter.right.text = "Pagina &P van &N"
    ws.print_options.gridLines = False


def _add_chart(ws: Worksheet, spec: ChartSpec, table: Table, header_row: int, top: int) -> None:
    """A bar chart (and a line on a second axis) of the table's body rows, placed below it."""
    body = 0
    while body < len(table.rows) and table.rows[body].kind == BODY:
        body += 1
    if not body:
        return
    first, last = header_row + 1, header_row + body
    if spec.kind == "line":
        ws.add_chart(_line_chart(ws, spec, header_row, first, last), f"A{top}")
        return
    bars = BarChart()
    bars.type = "col"
    bars.grouping = "clustered"
    bars.title = spec.title
    bars.y_axis.title = spec.bar_axis
    bars.y_axis.numFmt = '"€" #,##0'
    bars.y_axis.scaling.min = 0  # bars from zero: differences are not exaggerated
    bars.x_axis.delete = False
    bars.y_axis.delete = False
    for column in spec.bars:
        bars.add_data(
            Reference(ws, min_col=column + 1, min_row=header_row, max_row=last),
            titles_from_data=True,
        )
    bars.set_categories(Reference(ws, min_col=spec.category + 1, min_row=first, max_row=last))
    if spec.line is not None:
        line = LineChart()
        line.add_data(
            Reference(ws, min_col=spec.line + 1, min_row=header_row, max_row=last),
            titles_from_data=True,
        )
        for series in line.series:
            series.smooth = False
        line.y_axis.axId = 200
        line.y_axis.title = spec.line_axis
        line.y_axis.numFmt = "0%"
        line.y_axis.crosses = "max"
        line.y_axis.majorGridlines = None
        line.y_axis.delete = False
        bars += line
    bars.legend.position = "b"
    bars.height = 9.0
    bars.width = 24.0
    ws.add_chart(bars, f"A{top}")


def _line_chart(
    ws: Worksheet, spec: ChartSpec, header_row: int, first: int, last: int
) -> LineChart:
    """Lines of the `bars` columns on one euro axis, categories below.

    The axis is scaled to the lines, not from zero: lines compared with each other
    (the same costs under two rule sets) are read by their distance, which a
    scale from zero would flatten into one line.
    """
    chart = LineChart()
    chart.title = spec.title
    chart.y_axis.title = spec.bar_axis
    chart.y_axis.numFmt = '"€" #,##0'
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    for column in spec.bars:
        chart.add_data(
            Reference(ws, min_col=column + 1, min_row=header_row, max_row=last),
            titles_from_data=True,
        )
    for series in chart.series:
        series.smooth = False
    chart.set_categories(Reference(ws, min_col=spec.category + 1, min_row=first, max_row=last))
    chart.legend.position = "b"
    chart.height = 7.0  # below a year's twelve months, on the same landscape page
    chart.width = 24.0
    return chart


def workbook_bytes(
    sheets: Sequence[Sheet],
    *,
    stamp: datetime,
    creator: str,
    title: str,
    subject: str = "",
    keywords: str = "",
) -> bytes:
    """The .xlsx bytes of `sheets`: the same sheets and stamp give the same bytes.

    `subject` and `keywords` go into the document properties (File >
    Properties), where a program or a search finds what the workbook is.
    """
    wb = Workbook()
    first = wb.active
    assert first is not None
    styles: dict[Hashable, StyleArray] = {}  # the workbook's cell styles met so far
    for i, sheet in enumerate(sheets):
        ws = first if i == 0 else wb.create_sheet()
        _write_sheet(ws, sheet, styles)
    wb.properties.creator = cell_text(creator)
    wb.properties.lastModifiedBy = cell_text(creator)
    wb.properties.title = cell_text(title)
    if subject:
        wb.properties.subject = cell_text(subject)
    if keywords:
        wb.properties.keywords = cell_text(keywords)
        wb.properties.category = cell_text(keywords.split(",", maxsplit=1)[0])
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    # ExcelWriter, not Workbook.save: save stamps the current time as `modified`.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        ExcelWriter(wb, archive).save()
    return stable_zip(buffer.getvalue(), stamp)


def stable_zip(data: bytes, stamp: datetime) -> bytes:
    """Rewrite a zip with its members sorted by name, one fixed time, stored."""
    when = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in sorted(source.namelist()):
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()
