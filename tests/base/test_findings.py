"""Findings as terminal lines: grouped by kind, aligned, safe for a terminal."""

from __future__ import annotations

import polars as pl

from fundcalc.base.findings import (
    COLUMNS,
    EXCEPTION,
    WARNING,
    Finding,
    Note,
    file_warnings,
    finding_frame,
    findings_of,
    grouped_finding_lines,
    sort_findings,
)
from fundcalc.base.reasons import (
    MISSING,
    OVER_CAPACITY,
    UNKNOWN_COLUMN,
    UNKNOWN_LOT,
    WINDOWS_1252,
    parts_of,
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


def test_a_finding_made_of_parts_gets_its_english_reason_from_them() -> None:
    frame = pl.DataFrame({"kind": [EXCEPTION, EXCEPTION], "lot_id": ["A1", "B"]}).select(
        "kind", UNKNOWN_LOT.parts("lot_id").alias("parts")
    )
    findings = finding_frame(frame)
    assert findings.columns == [*COLUMNS, "parts"]
    assert findings["reason"].to_list() == ["unknown lot 'A1'", "unknown lot 'B'"]
    assert [parts_of(p) for p in findings["parts"].to_list()] == [
        (UNKNOWN_LOT("A1"),),
        (UNKNOWN_LOT("B"),),
    ]


def test_a_finding_with_a_reason_and_no_parts_keeps_its_text() -> None:
    findings = finding_frame(pl.DataFrame({"kind": [WARNING], "reason": ["free text"]}))
    assert findings.select("reason", "parts").rows() == [("free text", None)]


def test_findings_in_the_findings_shape_are_kept_and_others_are_put_in_it() -> None:
    shaped = finding_frame(pl.DataFrame({"kind": [WARNING], "reason": ["free text"]}))
    assert finding_frame(shaped).equals(shaped)
    reordered = finding_frame(shaped.select(reversed(shaped.columns)))
    assert reordered.columns == [*COLUMNS, "parts"]
    assert reordered.equals(shaped)
    widened = finding_frame(shaped.with_columns(pl.col("line").cast(pl.Int32)))
    assert widened.schema == shaped.schema


def test_no_findings_are_a_frame_of_their_own_for_each_caller() -> None:
    first, second = finding_frame(), finding_frame()
    first.insert_column(0, pl.Series("extra", [], dtype=pl.String))
    assert second.columns == [*COLUMNS, "parts"]
    assert finding_frame().columns == [*COLUMNS, "parts"]
    assert second.is_empty()


def test_findings_made_one_by_one_keep_every_field_and_their_parts() -> None:
    found = findings_of(
        [
            Finding(EXCEPTION, (MISSING("client_id"), MISSING("lot_id")), "a.csv", 3, "P1", 10),
            Finding(WARNING, (OVER_CAPACITY("K", 1, 2),), days=4),
        ]
    )
    assert found.select(COLUMNS).rows() == [
        ("exception", "a.csv", 3, "P1", "client_id is missing; lot_id is missing", 10),
        (
            "warning",
            None,
            None,
            None,
            "lot K: more placements than contracted places (1) on these days, at most 2 on a day",
            4,
        ),
    ]
    assert findings_of([]).shape == (0, len(COLUMNS) + 1)


def test_a_files_notes_are_warnings_of_that_file() -> None:
    notes = [Note(1, UNKNOWN_COLUMN("kleur")), Note(None, WINDOWS_1252())]
    warnings = file_warnings("a.csv", notes)
    assert warnings.select("kind", "source", "line", "reason").rows() == [
        ("warning", "a.csv", 1, "unknown column 'kleur' is ignored"),
        ("warning", "a.csv", None, WINDOWS_1252.text()),
    ]


def test_findings_are_ordered_by_kind_file_line_placement_and_reason_missing_ones_last() -> None:
    common = {"kind": EXCEPTION, "source": "log.csv", "line": 7}
    findings = pl.DataFrame(
        [
            {"kind": WARNING, "source": "a.csv", "line": 1, "placement_id": "P", "reason": "r"},
            {**common, "placement_id": "P2", "reason": "b"},
            {**common, "placement_id": None, "reason": "a"},
            {**common, "source": None, "placement_id": "P1", "reason": "a"},
            {**common, "placement_id": "P1", "reason": None},
            {**common, "line": None, "placement_id": "P1", "reason": "a"},
            {**common, "line": 3, "placement_id": "P9", "reason": "z"},
            {**common, "placement_id": "P1", "reason": "a"},
        ]
    )
    assert sort_findings(findings).select(
        "kind", "source", "line", "placement_id", "reason"
    ).rows() == [
        (EXCEPTION, "log.csv", 3, "P9", "z"),
        (EXCEPTION, "log.csv", 7, "P1", "a"),
        (EXCEPTION, "log.csv", 7, "P1", None),
        (EXCEPTION, "log.csv", 7, "P2", "b"),
        (EXCEPTION, "log.csv", 7, None, "a"),
        (EXCEPTION, "log.csv", None, "P1", "a"),
        (EXCEPTION, None, 7, "P1", "a"),
        (WARNING, "a.csv", 1, "P", "r"),
    ]
