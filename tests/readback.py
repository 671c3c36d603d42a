"""Reading a rendered workbook back, as a program that does not calculate formulas would."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastexcel
import openpyxl
from openpyxl.worksheet.worksheet import Worksheet


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def cents(value: Any) -> int:
    """A stored euro amount back in cents (amounts are written with two decimals)."""
    assert isinstance(value, int | float), value
    return round(value * 100)


def find_row(ws: Worksheet, first: str, start: int = 1) -> int:
    """The number of the first row at or after `start` whose first cell is `first`."""
    for row in range(start, ws.max_row + 1):
        if ws.cell(row, 1).value == first:
            return row
    raise AssertionError(f"no row starting with {first!r} on {ws.title}")


def table(ws: Worksheet, header_first: str, start: int = 1) -> list[dict[str, Any]]:
    """The rows under the header row whose first cell is `header_first`, as dicts by header.

    The table ends at the first row whose cells are all empty or at its note
    (a text merged across the table).
    """
    header_row = find_row(ws, header_first, start)
    headers = [c.value for c in ws[header_row] if c.value is not None]
    merged = {r.min_row for r in ws.merged_cells.ranges}
    rows = []
    for row in range(header_row + 1, ws.max_row + 1):
        values = [ws.cell(row, i + 1).value for i in range(len(headers))]
        if all(v is None for v in values) or row in merged:
            break
        rows.append(dict(zip(headers, values, strict=True)))
    return rows


def body(rows: list[dict[str, Any]], first: str) -> Iterator[dict[str, Any]]:
    """The rows whose first column is not a total."""
    return (r for r in rows if not str(r[first]).startswith("Totaal"))


def fastexcel_grid(data: bytes, sheet: str) -> list[list[str | None]]:
    """Every cell of a sheet as the text fastexcel reads (a reader that computes nothing)."""
    frame = fastexcel.read_excel(data).load_sheet(sheet, header_row=None, dtypes="string")
    return [list(row) for row in frame.to_polars().iter_rows()]


def statement(path: Path) -> dict[tuple[str, str, str], int]:
    """statement.csv as (payer, item, for_period) → amount in cents."""
    with path.open(newline="", encoding="utf-8") as stream:
        return {
            (r["payer"], r["item"], r["for_period"]): int(r["amount_cents"])
            for r in csv.DictReader(stream)
        }


def item_total(rows: dict[tuple[str, str, str], int], item: str) -> int:
    return sum(amount for (_, i, _), amount in rows.items() if i == item)
