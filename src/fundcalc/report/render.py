"""The files of a run (`outputs/<YYYY-MM>/`) rendered to bytes.

Rendering is separate from writing (`app.files`) so that replay can render
again and compare bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from fundcalc.base.findings import COLUMNS

if TYPE_CHECKING:
    from fundcalc.core.allocation import StatementRow

STATEMENT = "statement.csv"
LEDGER = "ledger.parquet"
EXCEPTIONS = "exceptions.csv"
MANIFEST = "manifest.json"
REPORT = "report.xlsx"
#: The outputs of a year's settlement (OUT/YYYY/).
SETTLEMENT_CSV = "settlement.csv"
SETTLEMENT_XLSX = "settlement.xlsx"
INVOICES = "invoices.csv"

#: What Excel (or LibreOffice) may read as a formula when a text starts with it:
#: the one list for every output a finance officer opens (CSV and workbook).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_FORMULA_PATTERN = "^[" + "".join(re.escape(c) for c in FORMULA_START) + "]"


def render_statement(rows: Iterable[StatementRow]) -> bytes:
    """statement.csv: `period,payer,item,for_period,amount_cents`, LF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("period", "payer", "item", "for_period", "amount_cents"))
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def render_settlement_csv(rows: Iterable[tuple[str, str, str, int]]) -> bytes:
    """settlement.csv (§9): `year,payer,item,amount_cents`, LF line ends, rows as given."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("year", "payer", "item", "amount_cents"))
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def parse_settlement_csv(data: bytes) -> list[tuple[str, str, str, int]]:
    """The rows of a settlement.csv (to open the next year with its closing reserve)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    next(reader, None)
    return [(year, payer, item, int(amount)) for year, payer, item, amount in reader]


def render_invoices(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """invoices.csv (§10): the check of the providers' invoices, one row per lot.

    CRLF line ends, as the spec's worked example is written; an empty field
    where a figure does not apply (no invoice, an unknown lot). The values are
    written as they are, like statement.csv: the workbook is where text is
    made safe for Excel.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8")


def render_ledger(ledger: pl.DataFrame) -> bytes:
    """ledger.parquet: the ledger rows, a placement's consecutive days with one stream,
    payer and tariff each."""
    buffer = io.BytesIO()
    ledger.write_parquet(buffer, compression="zstd", statistics=True)
    return buffer.getvalue()


def safe_text(value: object) -> object:
    """A CSV value: text that Excel would read as a formula (`FORMULA_START`) is
    prefixed with `'`, so it is shown as text; anything else is left as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_column(name: str) -> pl.Expr:
    """`safe_text` for a whole text column, as one expression.

    An empty text becomes null: Python's csv writer, which wrote this file
    before, writes both as an empty field, and polars writes `""` for an
    empty text.
    """
    column = pl.col(name)
    return (
        pl.when(column == "")
        .then(None)
        .when(column.str.contains(_FORMULA_PATTERN))
        .then(pl.lit("'") + column)
        .otherwise(column)
        .alias(name)
    )


def render_findings(findings: pl.DataFrame) -> bytes:
    """exceptions.csv: every exception and warning with file, line and reason.

    Written with a BOM, semicolons and CRLF so Dutch Excel opens it directly;
    text that could be read as a formula is made harmless (`safe_column`).
    Fields are quoted only where they hold a `;`, a `"` or a line break, as
    Python's csv writer quotes them.
    """
    shown = findings.select(COLUMNS)
    safe = shown.with_columns(
        safe_column(name) for name, dtype in shown.schema.items() if dtype == pl.String
    )
    buffer = io.BytesIO()
    safe.write_csv(buffer, separator=";", line_terminator="\r\n", include_bom=True)
    return buffer.getvalue()


def render_json(document: Mapping[str, Any]) -> bytes:
    """Stable JSON: sorted keys, two-space indent, a final newline."""
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
