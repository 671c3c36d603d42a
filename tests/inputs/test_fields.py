"""Reading the fields of log rows by meaning: dates, void, and what cannot be read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from fundcalc.base.reasons import (
    NOT_A_DATE,
    TOO_LONG,
    TOO_MANY_FIELDS,
    VOID_UNREADABLE,
    english,
    parts_of,
    parts_series,
)
from fundcalc.inputs.fields import as_written, parse_date, typed, typed_rows
from fundcalc.inputs.log import COLUMNS, RAW_SCHEMA, placement_files, read_bytes, read_file_text
from tests.conftest import ROOT
from tests.synthetic import write_hostile


def text_rows(**columns: list[str | None]) -> pl.DataFrame:
    """Log rows of text, the columns not given empty."""
    height = len(next(iter(columns.values())))
    return pl.DataFrame(
        {
            "source": ["a.csv"] * height,
            "line": list(range(2, height + 2)),
            **{c: columns.get(c, [None] * height) for c in COLUMNS},
            "read_problem": [None] * height,
        },
        schema=RAW_SCHEMA,
    )


def test_a_date_reads_in_iso_and_dutch_form_with_or_without_leading_zeros() -> None:
    texts = ["2026-03-31", "31-03-2026", "1-3-2026", "2026-3-1", "31-02-2026", "0031-03-26", "x"]
    frame = pl.DataFrame({"d": texts}).select(parse_date("d"))
    assert frame["d"].to_list() == [
        date(2026, 3, 31),
        date(2026, 3, 31),
        date(2026, 3, 1),
        date(2026, 3, 1),
        None,
        None,
        None,
    ]


def test_a_field_keeps_its_text_only_where_it_is_not_the_plain_form_of_its_value() -> None:
    rows = typed_rows(
        text_rows(
            placement_id=["P1", "P2", "P3"],
            start_date=["2026-10-01", "01-10-2026", None],
            void=[None, "JA", "false"],
            recorded_on=["2026-10-02", "2-10-2026", "2026-10-02"],
        )
    )
    assert rows.select("start_date", "void", "recorded_on", "problem").rows() == [
        (date(2026, 10, 1), None, date(2026, 10, 2), None),
        (date(2026, 10, 1), True, date(2026, 10, 2), None),
        (None, False, date(2026, 10, 2), None),
    ]
    assert rows.select("raw_start_date", "raw_end_date", "raw_void", "raw_recorded_on").rows() == [
        (None, None, None, None),
        ("01-10-2026", None, "JA", "2-10-2026"),
        (None, None, None, None),
    ]


def test_a_field_is_shown_as_written_in_the_file() -> None:
    text = text_rows(
        placement_id=["P1", "P2", "P3", "P4"],
        start_date=["2026-10-01", "01-10-2026", None, "2026-1-5"],
        end_date=[None, "morgen", "2026-10-05", "0999-01-01"],
        void=["false", "nee", None, "TRUE"],
        recorded_on=["2026-10-02", "2026-10-02", "gisteren", "2026-10-02"],
    )
    shown = ("placement_id", "start_date", "end_date", "void", "recorded_on")
    written = typed_rows(text).select(as_written(c) for c in shown)
    assert written.rows() == text.select(shown).rows()


def test_a_field_that_cannot_be_read_keeps_its_text_and_is_named_in_the_problem() -> None:
    rows = typed_rows(
        text_rows(
            placement_id=["P1"],
            client_id=["c" * 101],
            end_date=["gisteren"],
            void=["misschien"],
            recorded_on=["vandaag"],
        )
    )
    row = rows.row(0, named=True)
    assert (row["end_date"], row["raw_end_date"]) == (None, "gisteren")
    assert (row["void"], row["raw_void"]) == (None, "misschien")
    assert (row["recorded_on"], row["raw_recorded_on"]) == (None, "vandaag")
    # recorded_on decides whether the row is a version at all (versions), so it is no problem here.
    assert parts_of(row["problem"]) == (
        TOO_LONG("client_id", 100),
        NOT_A_DATE("end_date", "gisteren"),
        VOID_UNREADABLE("misschien"),
    )
    assert english(rows["problem"]).to_list() == [
        "client_id is longer than 100 characters; end_date 'gisteren' is not a date;"
        " void 'misschien' is not true/false, ja/nee or 1/0"
    ]


def test_a_row_that_could_not_be_read_as_it_stands_has_that_problem() -> None:
    text = text_rows(placement_id=["P1"], recorded_on=["2026-10-02"]).with_columns(
        parts_series([(TOO_MANY_FIELDS(3, 2),)], "read_problem")
    )
    assert parts_of(typed_rows(text)["problem"].to_list()[0]) == (TOO_MANY_FIELDS(3, 2),)


def test_a_log_read_from_many_files_is_typed_alike_on_both_polars_engines() -> None:
    # pl.format panicked here on the streaming engine (polars issue 25187): a problem
    # is made of its parts instead (base.reasons), never of a formatted text.
    files = placement_files(ROOT / "inputs")
    text = pl.concat([read_file_text(read_bytes(p), p.name) for p in files])
    assert text.n_chunks() > 1
    streamed = typed(text.lazy()).collect(engine="streaming")
    in_memory = typed(text.lazy()).collect(engine="in-memory")
    assert streamed.equals(in_memory)
    assert streamed["problem"].drop_nulls().len() > 0


def test_rows_written_plainly_are_read_quickly_as_typed_would_read_them_in_their_order() -> None:
    text = text_rows(
        placement_id=["P1", "P2", "P3", "P4", "P5", "P6", "P7"],
        start_date=[
            "2026-10-01",
            "1-10-2026",
            "2026-10-01",
            "0999-10-01",
            "2026-10-01",
            None,
            "2026-10- 1",
        ],
        void=["true", None, "Ja", "false", None, "false", None],
        client_id=["C1", "C2", "C3", "C4", "x" * 101, None, "C7"],
        recorded_on=["2026-10-02"] * 6 + ["2026-02-31"],
    )
    assert typed_rows(text).equals(typed(text.lazy()).collect())
    assert typed_rows(text.slice(0, 1)).equals(typed(text.slice(0, 1).lazy()).collect())
    kept = typed_rows(text).select(
        pl.any_horizontal(pl.col("^raw_.*$", "problem").is_not_null()).alias("kept")
    )
    assert kept["kept"].to_list() == [False, True, True, True, True, False, True]


def test_the_hostile_log_is_read_quickly_exactly_as_typed_reads_it(tmp_path: Path) -> None:
    _, inputs = write_hostile(tmp_path)
    files = placement_files(inputs)
    text = pl.concat([read_file_text(read_bytes(p), p.name) for p in files])
    quick = typed_rows(text)
    assert quick.equals(typed(text.lazy()).collect(engine="in-memory"))
    assert quick["problem"].drop_nulls().len() > 0  # rows of both kinds
    assert quick["problem"].null_count() > 0


def test_a_date_in_iso_form_that_is_no_day_keeps_its_text_beside_plain_rows() -> None:
    text = text_rows(
        placement_id=["P1", "P2", "P3", "P4"],
        start_date=["2026-10-01", "2026-02-30", "2026-10-01", "31-10-2026"],
        end_date=[None, "2026-10-05", "0999-01-01", None],
        void=["false", "true", "nee", None],
        recorded_on=["2026-10-02"] * 4,
    )
    rows = typed_rows(text)
    assert rows.equals(typed(text.lazy()).collect())
    assert rows.select("start_date", "raw_start_date", "end_date", "raw_end_date").rows() == [
        (date(2026, 10, 1), None, None, None),
        (None, "2026-02-30", date(2026, 10, 5), None),
        (date(2026, 10, 1), None, None, "0999-01-01"),
        (date(2026, 10, 31), "31-10-2026", None, None),
    ]
    assert rows.select("void", "raw_void").rows() == [
        (False, None),
        (True, None),
        (False, "nee"),
        (None, None),
    ]
    assert [None if p is None else parts_of(p) for p in rows["problem"].to_list()] == [
        None,
        (NOT_A_DATE("start_date", "2026-02-30"),),
        (NOT_A_DATE("end_date", "0999-01-01"),),
        None,
    ]
