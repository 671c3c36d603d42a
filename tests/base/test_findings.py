"""Findings as terminal lines: grouped by kind, aligned, safe for a terminal."""

from __future__ import annotations

import polars as pl
import pytest

from fundcalc.base.findings import (
    EXCEPTION,
    WARNING,
    finding_frame,
    grouped_finding_lines,
    reason_text,
)


def test_findings_are_grouped_by_kind_in_aligned_columns_with_what_to_do() -> None:
    findings = finding_frame(
        pl.DataFrame(
            {
                "kind": [EXCEPTION, EXCEPTION, WARNING, WARNING],
                "source": ["a.csv", "2026-09.csv", None, "a.csv"],
                "line": [7, 263, None, 12],
                "placement_id": ["P12", None, None, "P-2026-1"],
                "reason": [
                    "unknown lot 'X'",
                    "no placement_id",
                    "lot K: more placements than contracted places (1) on these days",
                    "bad\x1b[31m text",
                ],
                "days": [3, None, 1, None],
            }
        )
    )
    assert grouped_finding_lines(findings) == [
        "exceptions: 2 (cost nothing until the provider sends a corrected version; import it)",
        "  a.csv:7          P12       unknown lot 'X' (3 days)",
        "  2026-09.csv:263            no placement_id",
        "warnings: 2 (change no money, but have a look)",
        "                             lot K: more placements than contracted places (1)"
        " on these days (1 day)",
        "  a.csv:12         P-2026-1  bad\ufffd[31m text",
    ]
    assert grouped_finding_lines(finding_frame()) == ["exceptions: 0", "warnings: 0"]


def test_a_reason_text_fills_each_place_in_order_and_is_null_where_a_value_is() -> None:
    frame = pl.DataFrame({"lot": ["A1", None], "days": [3, 4]})
    texts = frame.select(reason_text("lot {} for {} days", "lot", pl.col("days")))
    assert texts.to_series().to_list() == ["lot A1 for 3 days", None]


def test_a_reason_text_with_a_value_too_many_or_too_few_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="has 1 places for 2 values"):
        reason_text("lot {}", "a", "b")
    with pytest.raises(ValueError, match="has 2 places for 1 values"):
        reason_text("{} and {}", "a")
