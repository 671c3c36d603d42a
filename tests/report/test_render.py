"""Output files: written all or nothing, and input text that Excel would run kept as text."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks import generate
from fundcalc.app.load import load_inputs
from fundcalc.app.run import run_period
from fundcalc.base.findings import COLUMNS, EXCEPTION, SCHEMA, WARNING, finding_frame
from fundcalc.base.period import Period
from fundcalc.report.render import render_findings, render_statement, safe_text
from tests.conftest import ROOT
from tests.synthetic import Sample


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


def _row_by_row(findings: pl.DataFrame) -> bytes:
    """exceptions.csv as it was written before it was written with polars: Python's
    csv writer, `safe_text` per cell. The oracle of the polars writer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in findings.select(COLUMNS).iter_rows():
        writer.writerow(["" if v is None else safe_text(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


#: Text that tests quoting and the formula rule: separators, quotes, line breaks,
#: formula starts, spaces, non-ASCII, control characters and empty text.
_HOSTILE = st.text(
    alphabet=st.sampled_from(
        [";", ",", '"', "'", "\r", "\n", "\t", "=", "+", "-", "@", " ", "#", "a", "Z", "0",
         "é", "ß", "€", "\u2028", "\x00", "\x1f", "\ufeff", "🙂"]
    ),
    max_size=8,
)  # fmt: skip
_FINDING = st.fixed_dictionaries(
    {
        "kind": st.sampled_from([EXCEPTION, WARNING]),
        "source": st.none() | _HOSTILE,
        "line": st.none() | st.integers(-(2**40), 2**40),
        "placement_id": st.none() | _HOSTILE,
        "reason": st.none() | _HOSTILE,
        "days": st.none() | st.integers(0, 400),
    }
)


@given(st.lists(_FINDING, max_size=12))
def test_the_exceptions_file_is_what_the_row_by_row_writer_wrote_whatever_the_text(
    rows: list[dict[str, object]],
) -> None:
    findings = pl.DataFrame(rows, schema=SCHEMA)
    assert render_findings(findings) == _row_by_row(findings)


@pytest.mark.parametrize(
    "text",
    ["", "a;b", 'a"b', "a\nb", "a\rb", "a\r\nb", " a ", "=1+1", "\n=1", "-", "é€🙂", "a,b"],
)
def test_each_awkward_text_is_written_as_the_row_by_row_writer_wrote_it(text: str) -> None:
    findings = finding_frame(pl.DataFrame({"kind": [EXCEPTION], "placement_id": [text]}))
    assert render_findings(findings) == _row_by_row(findings)


def test_no_findings_is_the_header_alone() -> None:
    assert render_findings(finding_frame()) == (
        b"\xef\xbb\xbfkind;source;line;placement_id;reason;days\r\n"
    )


def test_the_hostile_run_writes_its_exceptions_as_the_row_by_row_writer(hostile: Sample) -> None:
    written = hostile.run.files["exceptions.csv"]
    assert written == _row_by_row(hostile.run.findings)
    assert b"'=UNKNOWN-LOT" in written and b"'@GEMEENTE" in written


def test_the_sample_run_writes_its_exceptions_as_the_row_by_row_writer(sample: Sample) -> None:
    assert sample.run.files["exceptions.csv"] == _row_by_row(sample.run.findings)


def test_a_dirty_generated_log_writes_its_exceptions_as_the_row_by_row_writer(
    tmp_path: Path,
) -> None:
    generate.write_large(ROOT / "rules", tmp_path, 3_000, years=1, seed=5, dirt=generate.Dirt())
    inputs = load_inputs(ROOT / "rules", tmp_path)
    run = run_period(inputs, tmp_path / "out", Period(2025, 10), date(2026, 1, 15), write=False)
    reasons = run.findings["reason"]
    for dirt in ("start_date '#####'", "unknown lot", "conflicting versions", "before start"):
        assert reasons.str.contains(dirt, literal=True).any(), dirt
    assert run.files["exceptions.csv"] == _row_by_row(run.findings)
