"""Output files: written all or nothing, and input text that Excel would run kept as text."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest

from fundcalc.base.findings import finding_frame
from fundcalc.report.render import render_findings, render_statement, safe_text


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6", "'+31 6"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("P-1", "P-1"),
        ("", ""),
    ],
)
def test_text_that_excel_would_read_as_a_formula_is_written_as_text(
    text: str, written: str
) -> None:
    assert safe_text(text) == written


def test_the_exceptions_file_writes_formula_like_input_as_text_and_numbers_as_numbers() -> None:
    findings = finding_frame(
        pl.DataFrame(
            {
                "kind": ["exception"],
                "source": ["=bestand.csv"],
                "line": [-3],
                "placement_id": ['=HYPERLINK("http://x","y")'],
                "reason": ["unknown lot '@X'"],
                "days": [4],
            }
        )
    )
    text = render_findings(findings).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows == [
        ["kind", "source", "line", "placement_id", "reason", "days"],
        [
            "exception",
            "'=bestand.csv",
            "-3",
            '\'=HYPERLINK("http://x","y")',
            "unknown lot '@X'",
            "4",
        ],
    ]


def test_the_statement_keeps_negative_amounts_as_numbers() -> None:
    assert render_statement([("2026-10", "GM0363", "key", "2026-10", -1234)]) == (
        b"period,payer,item,for_period,amount_cents\n2026-10,GM0363,key,2026-10,-1234\n"
    )
