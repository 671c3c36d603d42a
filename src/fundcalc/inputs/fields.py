"""The fields of a log row, read by meaning: dates as dates, `void` as true or false.

A finance officer's files hold text. What it means does not depend on the
as-of date, so each file's rows are read into typed fields once, when the file
is read (`log`), and a run that finds the file in its cache (`logcache`) reads
no text again. `2026-03-31` and `31-03-2026` are the same date; `ja`, `true`
and `1` the same `void`.

A field keeps its text in `raw_<field>` where the text is not the plain form
of the value read: a date not in ISO form (`31-03-2026`), a `void` other than
`true` or `false` (`ja`), and any text that cannot be read at all. What was
written can always be shown, while the rows of a large log, written plainly,
carry no second copy of their fields. An empty field is null. A row with a
field that cannot be read names them all in `problem`, a reason of a part per
field (`base.reasons`; null when every field can be read).
"""

from __future__ import annotations

from datetime import date
from functools import cache

import polars as pl

from fundcalc.base.reasons import NOT_A_DATE, PARTS, TOO_LONG, VOID_UNREADABLE, reasons_by
from fundcalc.inputs.table import READ_PROBLEM

MAX_TEXT = 100
TEXT_COLUMNS = ("client_id", "lot_id", "brp_municipality", "found_municipality")
DATE_COLUMNS = ("start_date", "end_date", "reflection_start", "reflection_end")
#: The fields whose text is read into another type.
READ_COLUMNS = (*DATE_COLUMNS, "recorded_on", "void")
_VOID = {"true": True, "ja": True, "1": True, "false": False, "nee": False, "0": False}


def parse_date(column: str) -> pl.Expr:
    """An ISO (`2026-03-31`) or Dutch (`31-03-2026`) date; null if it is neither.

    Day and month may lack their leading zero (`1-3-2026`); the year has four
    digits. No text reads as both: an ISO year would be a Dutch day over 999.
    """
    text = pl.col(column)
    iso = text.str.to_date("%Y-%m-%d", strict=False)
    dutch = text.str.to_date("%d-%m-%Y", strict=False)
    four_digit_year = (iso.dt.year() >= 1000) & (text.str.slice(4, 1) == "-")
    return (
        pl.when(four_digit_year).then(iso).otherwise(pl.when(dutch.dt.year() >= 1000).then(dutch))
    )


def _void() -> pl.Expr:
    lowered = pl.col("void").str.to_lowercase()
    return lowered.replace_strict(_VOID, default=None, return_dtype=pl.Boolean)


#: The first day of the first year with four digits.
_YEAR_1000 = date(1000, 1, 1)
#: A date written in its plain (ISO) form.
_ISO_TEXT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: A `void` written in its plain form.
_PLAIN_VOID = ("true", "false")


def _plain_date(text: pl.Expr, read: pl.Expr) -> pl.Expr:
    """A date's `text` is the plain form of its value: `YYYY-MM-DD`, zero-padded,
    and `read` as a date (a three-digit year reads as none), so it is the date's
    ISO text again."""
    return read & text.str.contains(_ISO_TEXT)


def _plain(column: str) -> pl.Expr:
    """The field's text is the plain form of its value, which `raw_<field>` need not
    repeat: `true` or `false`, or a plain date (`_plain_date`)."""
    text = pl.col(f"raw_{column}")
    if column == "void":
        return text.is_in(_PLAIN_VOID)
    return _plain_date(text, pl.col(column).is_not_null())


def _plain_text(column: str) -> pl.Expr:
    """The plain text of a field's value (`_plain`)."""
    if column == "void":
        return (
            pl.when(pl.col("void")).then(pl.lit("true")).when(~pl.col("void")).then(pl.lit("false"))
        )
    return pl.col(column).dt.to_string("%Y-%m-%d")


def shown(column: str) -> pl.Expr:
    """The text of a field that cannot be read, cut short for a message."""
    text = pl.col(f"raw_{column}")
    return pl.when(text.str.len_chars() > 40).then(text.str.slice(0, 37) + "...").otherwise(text)


def unreadable(column: str) -> pl.Expr:
    """The field has text that cannot be read (not merely no text)."""
    return pl.col(column).is_null() & pl.col(f"raw_{column}").is_not_null()


def typed(text: pl.LazyFrame) -> pl.LazyFrame:
    """Read the text of log rows (`log.RAW_SCHEMA`) into typed fields with a `problem`.

    `problem` lists every field of the row that cannot be read, except
    `recorded_on`, which decides whether the row is a version at all
    (`versions`).
    """
    kept = text.with_columns(pl.col(c).alias(f"raw_{c}") for c in READ_COLUMNS)
    parsed = kept.with_columns(
        *(parse_date(c).alias(c) for c in (*DATE_COLUMNS, "recorded_on")),
        _void().alias("void"),
    )
    problems = (  # (when, why): every field of the row that cannot be read
        (pl.col(READ_PROBLEM).is_not_null(), pl.col(READ_PROBLEM)),
        *(
            (pl.col(c).str.len_chars() > MAX_TEXT, TOO_LONG.parts(pl.lit(c), pl.lit(MAX_TEXT)))
            for c in TEXT_COLUMNS
        ),
        *((unreadable(c), NOT_A_DATE.parts(pl.lit(c), shown(c))) for c in DATE_COLUMNS),
        (unreadable("void"), VOID_UNREADABLE.parts(shown("void"))),
    )
    flagged = parsed.with_row_index("_typed").with_columns(
        pl.any_horizontal(when for when, _ in problems).alias("_flagged")
    )
    # The reasons are made for the few rows with a problem only, then joined back.
    found = reasons_by(flagged.filter("_flagged"), "_typed", *problems).rename({"parts": "problem"})
    return (
        flagged.join(found, on="_typed", how="left", maintain_order="left")
        .drop("_typed", "_flagged")
        .with_columns(pl.when(~_plain(c)).then(f"raw_{c}").alias(f"raw_{c}") for c in READ_COLUMNS)
    )


def as_written(column: str) -> pl.Expr:
    """A field's text as written in the file (null where it was empty)."""
    if column in READ_COLUMNS:
        return pl.coalesce(f"raw_{column}", _plain_text(column))
    return pl.col(column)


def unread_text(column: str) -> pl.Expr:
    """The text of a field that cannot be read; null where it can, or is empty."""
    return pl.when(pl.col(column).is_null()).then(pl.col(f"raw_{column}"))


def typed_rows(text: pl.DataFrame) -> pl.DataFrame:
    """`typed`, for rows in memory, and quick where the rows are written plainly.

    A row whose every field is empty or in the plain form of its value (ISO
    dates, `true`/`false`), none too long and read whole, has no problem and
    keeps no text, so only its dates are parsed: a system's export of a
    million rows is written so. Whether a field keeps its text is decided
    from its text and its ISO reading (`_plain_field`) on every row, as
    `typed` decides it; the other rows are read by `typed`, and only what the
    plain reading cannot give them is put in place: their dates and `void`
    (scattered) and their problem (gathered, null on the plain rows). Rows
    keep their order. Row-wise parsing of a frame in memory is faster on the
    in-memory engine than on the streaming one (polars' default), which
    splits it into morsels.
    """
    dates = (*DATE_COLUMNS, "recorded_on")
    quick = (
        text.lazy()
        .with_columns(pl.col(c).str.to_date("%Y-%m-%d", strict=False).alias(_iso(c)) for c in dates)
        .with_columns(_plain_field(c).alias(_plain_flag(c)) for c in READ_COLUMNS)
        .with_columns(_written_plainly().alias("_plainly"))
        .collect(engine="in-memory")
    )
    columns = _typed_columns(tuple(text.schema.items()))
    rows = quick.select(
        *(c for c in text.columns if c not in READ_COLUMNS),
        *(pl.col(_iso(c)).alias(c) for c in dates),
        (pl.col("void") == "true").alias("void"),
        *(pl.when(~pl.col(_plain_flag(c))).then(c).alias(f"raw_{c}") for c in READ_COLUMNS),
        pl.lit(None, dtype=PARTS).alias("problem"),
    ).select(*columns)
    odd = quick.get_column("_plainly").not_()
    if not odd.any():
        return rows
    read = typed(text.lazy().filter(odd)).select(*dates, "void", "problem")
    found = read.collect(engine="in-memory")
    at = odd.arg_true()
    # polars scatters flat values only; the problem's parts (nested) are gathered
    # from the odd rows instead, by each odd row's place among them (null elsewhere).
    nth_odd = pl.select(pl.when(odd).then(odd.cum_sum() - 1)).to_series()
    return rows.with_columns(
        *(rows[c].scatter(at, found[c]) for c in (*dates, "void")),
        found["problem"].gather(nth_odd).alias("problem"),
    )


@cache
def _typed_columns(schema: tuple[tuple[str, pl.DataType], ...]) -> tuple[str, ...]:
    """The columns `typed` gives rows of this schema, worked out once: planning the query
    costs more than typing a few rows."""
    return tuple(typed(pl.LazyFrame(schema=dict(schema))).collect_schema().names())


def _iso(column: str) -> str:
    """The column of a date field read from its ISO form alone."""
    return f"_iso_{column}"


def _plain_flag(column: str) -> str:
    """The column saying a field is empty or plain (`_plain_field`)."""
    return f"_plain_{column}"


def _plain_field(column: str) -> pl.Expr:
    """The field is empty or its text is the plain form of its value, as `typed` decides
    (`_plain`): its `raw_<field>` is null.

    A date is read here from its ISO form alone (`_iso_<field>`), and counts as
    read with a year of four digits: text in the plain form reads so or not at
    all, in `parse_date` as here.
    """
    text = pl.col(column)
    if column == "void":
        plain = text.is_in(_PLAIN_VOID)
    else:
        plain = _plain_date(text, (pl.col(_iso(column)) >= _YEAR_1000).fill_null(False))
    return text.is_null() | plain


def _written_plainly() -> pl.Expr:
    """The row is read whole, with no field too long, and every date and `void` empty
    or plain (`_plain_field`): `typed` would find no problem in it and keep none of
    its text."""
    return pl.all_horizontal(
        pl.col(READ_PROBLEM).is_null(),
        *(pl.col(c).str.len_bytes().fill_null(0) <= MAX_TEXT for c in TEXT_COLUMNS),
        *(pl.col(_plain_flag(c)) for c in READ_COLUMNS),
    ).fill_null(False)
