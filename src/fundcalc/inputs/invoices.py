"""Providers' invoices (*declaraties*, `inputs/invoices/`): every CSV and XLSX file, read.

Providers invoice the fund per lot and month (§10). The files are read as the
log is (`csvfile`, `xlsx`, `table`): comma or semicolon, UTF-8 with or without
BOM or Windows-1252, safe xlsx, headers matched without case, spaces or
accents, the spec's names or a Dutch export's (`ALIASES`), every field
trimmed. Each row is read by meaning here, once:

- `received_on`: an ISO (`2025-02-03`) or Dutch (`03-02-2025`) date;
- `period`: `YYYY-MM`;
- `days`: a whole number (digits only);
- `day_amount`, `availability_amount`: decimal euros with a point or a comma
  (*decimale komma*), no sign, no thousands separator, at most two decimals,
  parsed exactly to cents (`money.parse_cents`); `40,123` cannot be read;
- `invoice_id`, `lot_id`: text of at most 100 characters.

A row keeps what it could read, the text of what it could not (so that two
rows can be compared by meaning, `meaning`) and a `problem` naming every
field that cannot be read. Which row is in force is decided in
`core.invoices`. A file that cannot be read at all is an InputError, as in
the log.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl

from fundcalc.base.findings import Note, file_warnings, finding_frame
from fundcalc.base.money import parse_cents
from fundcalc.base.period import Period
from fundcalc.base.reasons import (
    MISSING_COLUMNS,
    NO_VALUE,
    NOT_A_DATE,
    NOT_A_MONTH,
    NOT_AN_AMOUNT,
    NOT_WHOLE_DAYS,
    TOO_LONG,
    TOO_MANY_DECIMALS,
    Part,
    parts_of,
)
from fundcalc.inputs.fields import MAX_TEXT
from fundcalc.inputs.log import by_column, file_sha256, read_bytes, read_table
from fundcalc.inputs.logfiles import SUFFIXES
from fundcalc.inputs.table import LINE, READ_PROBLEM

#: The folder under the inputs that holds the invoices.
FOLDER = "invoices"

#: The columns of an invoice file, in the order of the spec (§10).
COLUMNS = (
    "invoice_id",
    "lot_id",
    "period",
    "days",
    "day_amount",
    "availability_amount",
    "received_on",
)
AMOUNTS = ("day_amount", "availability_amount")

#: Header names a provider's export may use besides the spec's own.
ALIASES: dict[str, tuple[str, ...]] = {
    "invoice_id": ("Factuurnummer", "Factuur", "Factuurnr"),
    "lot_id": ("Perceel", "Perceelnummer", "Perceelcode"),
    "period": ("Periode", "Maand", "Declaratieperiode"),
    "days": ("Dagen", "Bezette dagen", "Aantal dagen"),
    "day_amount": ("Bedrag dagen", "Bedrag bezetting", "Dagbedrag"),
    "availability_amount": ("Bedrag beschikbaarheid", "Beschikbaarheid"),
    "received_on": ("Ontvangen op", "Datum ontvangst", "Ontvangstdatum"),
}

_NOT_INVOICES = (".", "~$")
_AMOUNT = re.compile(r"[0-9]+(?:[.,][0-9]+)?")
_DAYS = re.compile(r"[0-9]+")
_PERIOD = re.compile(r"([0-9]{4})-([0-9]{2})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DUTCH = re.compile(r"([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})")
_SHOWN = 40

#: How a reader of a row says that a field cannot be read: (field, reason).
_Fail = Callable[[str, Part], None]


def header_key(header: str) -> str:
    """A header as compared: its letters and digits only, without accents, in lower case."""
    plain = unicodedata.normalize("NFKD", header)
    return "".join(c for c in plain.lower() if c.isalnum() and not unicodedata.combining(c))


_BY_KEY = {
    header_key(name): column for column, names in ALIASES.items() for name in (column, *names)
} | {header_key("received_on"): "received_on"}


def invoice_column(header: str) -> str | None:
    """The invoice column a header names (the spec's name or a Dutch one), None if unknown."""
    return _BY_KEY.get(header_key(header))


@dataclass(frozen=True)
class InvoiceRow:
    """One row of an invoice file, read by meaning.

    A field that cannot be read (or is empty) is None, and its text, if any,
    is kept in `unread` (field → text). `problem` names every field that
    cannot be read or is missing, a part each (`base.reasons`); none when the
    row is whole. `read_problem` is why the row could not be read as it stands.
    """

    source: str
    line: int
    invoice_id: str | None
    lot_id: str | None
    period: Period | None
    days: int | None
    day_cents: int | None
    availability_cents: int | None
    received_on: date | None
    problem: tuple[Part, ...] = ()
    unread: tuple[tuple[str, str], ...] = ()
    read_problem: tuple[Part, ...] = ()

    @property
    def is_version(self) -> bool:
        """It can be put in the versions of a lot and month: lot, period and day known."""
        return self.lot_id is not None and self.period is not None and self.received_on is not None

    @property
    def readable(self) -> bool:
        return not self.problem

    @property
    def meaning(self) -> tuple[object, ...]:
        """What the row says: two rows of the same lot, month and day that mean the same
        are one (`40,00` = `40.00`, `03-02-2025` = `2025-02-03`); text that cannot be read
        counts as written; a row that could not be read as it stands is like no other."""
        return (
            self.invoice_id,
            self.lot_id,
            self.period,
            self.days,
            self.day_cents,
            self.availability_cents,
            self.received_on,
            self.unread,
            (self.source, self.line) if self.read_problem else None,
        )


@dataclass(frozen=True)
class InvoiceFile:
    """A file of `inputs/invoices/`: its name, SHA-256 and number of rows."""

    name: str
    sha256: str
    rows: int


@dataclass(frozen=True)
class Invoices:
    """Every invoice row of `inputs/invoices/`, its files (with their bytes, for a close)
    and the files' warnings (an unknown column, an encoding)."""

    rows: tuple[InvoiceRow, ...]
    files: tuple[InvoiceFile, ...]
    findings: pl.DataFrame = field(default_factory=finding_frame)
    data: Mapping[str, bytes] = field(default_factory=dict, repr=False)


def invoice_files(inputs: Path) -> list[Path] | None:
    """The files under `inputs/invoices/` in a stable order; None without the folder."""
    folder = inputs / FOLDER
    if not folder.is_dir():
        return None
    return sorted(
        (
            p
            for p in folder.iterdir()
            if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(_NOT_INVOICES)
        ),
        key=lambda p: p.name,
    )


def read_invoices(inputs: Path) -> Invoices | None:
    """Read every invoice file under `inputs/invoices/`; None when there is no such folder
    (then there is no invoice check, §10)."""
    paths = invoice_files(inputs)
    if paths is None:
        return None
    rows: list[InvoiceRow] = []
    files: list[InvoiceFile] = []
    findings = [finding_frame()]
    data: dict[str, bytes] = {}
    for path in paths:
        content = read_bytes(path)
        sha256 = file_sha256(path)
        read, warnings = read_invoice_file(content, path.name)
        data[sha256] = content
        rows += read
        files.append(InvoiceFile(path.name, sha256, len(read)))
        findings.append(warnings)
    return Invoices(tuple(rows), tuple(files), pl.concat(findings), data)


def source_name(name: str) -> str:
    """How findings name an invoice file: under its folder, apart from the log's files."""
    return f"{FOLDER}/{name}"


def read_invoice_file(data: bytes, name: str) -> tuple[list[InvoiceRow], pl.DataFrame]:
    """One invoice file's rows, read by meaning, and the file's warnings."""
    source = source_name(name)
    table = read_table(data, name, invoice_column)
    named, notes = by_column(table, name, invoice_column)
    missing = [c for c in COLUMNS if c not in named.columns]
    if missing and table.header:
        notes.append(Note(table.header_line, MISSING_COLUMNS(", ".join(missing))))
    texts = named.select(
        LINE,
        READ_PROBLEM,
        *(
            (pl.col(c).str.strip_chars().replace("", None) if c in named.columns else pl.lit(None))
            .cast(pl.String)
            .alias(c)
            for c in COLUMNS
        ),
    )
    rows = [read_row(source, row) for row in texts.iter_rows(named=True)]
    return rows, file_warnings(source, notes)


def read_row(source: str, row: Mapping[str, object]) -> InvoiceRow:
    """An invoice row of text (trimmed, empty as None) read by meaning."""
    text = {c: _as_text(row.get(c)) for c in COLUMNS}
    problems: list[Part] = []
    unread: list[tuple[str, str]] = []

    def fail(column: str, reason: Part) -> None:
        problems.append(reason)
        value = text[column]
        if value is not None:
            unread.append((column, value))

    def required(column: str) -> str | None:
        value = text[column]
        if value is None:
            problems.append(NO_VALUE(column))
        return value

    read_problem = parts_of(row.get(READ_PROBLEM))
    problems += read_problem
    invoice_id = _text_field("invoice_id", required("invoice_id"), fail)
    lot_id = _text_field("lot_id", required("lot_id"), fail)
    period = _period(required("period"), fail)
    days = _days(required("days"), fail)
    day_cents = _amount("day_amount", required("day_amount"), fail)
    availability_cents = _amount("availability_amount", required("availability_amount"), fail)
    received = required("received_on")
    received_on = parse_day(received) if received is not None else None
    if received is not None and received_on is None:
        fail("received_on", NOT_A_DATE("received_on", _shown(received)))
    line = row.get(LINE)
    return InvoiceRow(
        source=source,
        line=line if isinstance(line, int) else 0,
        invoice_id=invoice_id,
        lot_id=lot_id,
        period=period,
        days=days,
        day_cents=day_cents,
        availability_cents=availability_cents,
        received_on=received_on,
        problem=tuple(problems),
        unread=tuple(unread),
        read_problem=read_problem,
    )


def _as_text(value: object) -> str | None:
    return None if value is None else str(value)


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _text_field(column: str, value: str | None, fail: _Fail) -> str | None:
    if value is not None and len(value) > MAX_TEXT:
        fail(column, TOO_LONG(column, MAX_TEXT))
        return None
    return value


def _period(value: str | None, fail: _Fail) -> Period | None:
    if value is None:
        return None
    match = _PERIOD.fullmatch(value)
    if match and int(match[1]) >= 1000 and 1 <= int(match[2]) <= 12:
        return Period(int(match[1]), int(match[2]))
    fail("period", NOT_A_MONTH(_shown(value)))
    return None


def _days(value: str | None, fail: _Fail) -> int | None:
    if value is None:
        return None
    if _DAYS.fullmatch(value):
        return int(value)
    fail("days", NOT_WHOLE_DAYS(_shown(value)))
    return None


def amount_cents(text: str) -> int | None:
    """Decimal euros, a point or a comma before at most two decimals, as cents; None when
    the text is no such amount (a sign, a thousands separator, three decimals)."""
    if not _AMOUNT.fullmatch(text):
        return None
    try:
        return parse_cents(text.replace(",", "."))
    except ValueError:
        return None


def _amount(column: str, value: str | None, fail: _Fail) -> int | None:
    if value is None:
        return None
    cents = amount_cents(value)
    if cents is None:
        decimals = re.fullmatch(r"[0-9]+[.,]([0-9]{3,})", value)
        why = TOO_MANY_DECIMALS if decimals else NOT_AN_AMOUNT
        fail(column, why(column, _shown(value)))
    return cents


def parse_day(text: str) -> date | None:
    """An ISO (`2025-02-03`) or Dutch (`3-2-2025`) date with a four-digit year; None if
    it is neither (as the log reads its dates, `fields.parse_date`)."""
    for pattern, order in ((_ISO, (1, 2, 3)), (_DUTCH, (3, 2, 1))):
        match = pattern.fullmatch(text)
        if match is None:
            continue
        year, month, day = (int(match[i]) for i in order)
        if year < 1000:
            return None
        try:
            return datetime(year, month, day).date()
        except ValueError:
            return None
    return None
