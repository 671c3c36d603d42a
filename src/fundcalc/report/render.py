"""The files of a run (`outputs/<YYYY-MM>/`) rendered to bytes.

Rendering is separate from writing (`app.files`) so that replay can render
again and compare bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

STATEMENT = "statement.csv"
LEDGER = "ledger.parquet"
EXCEPTIONS = "exceptions.csv"
MANIFEST = "manifest.json"
REPORT = "report.xlsx"

#: What Excel (or LibreOffice) may read as a formula when a text starts with it:
#: the one list for every output a finance officer opens (CSV and workbook).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def render_statement(rows: Iterable[tuple[str, str, str, str, int]]) -> bytes:
    """statement.csv: `period,payer,item,for_period,amount_cents`, LF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("period", "payer", "item", "for_period", "amount_cents"))
    writer.writerows(rows)
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


def render_findings(findings: pl.DataFrame) -> bytes:
    """exceptions.csv: every exception and warning with file, line and reason.

    Written with a BOM and semicolons so Dutch Excel opens it directly; text
    that could be read as a formula is made harmless.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(findings.columns)
    for row in findings.iter_rows():
        writer.writerow(["" if v is None else safe_text(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_json(document: Mapping[str, Any]) -> bytes:
    """Stable JSON: sorted keys, two-space indent, a final newline."""
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
