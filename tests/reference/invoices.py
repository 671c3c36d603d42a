"""An independent, deliberately naive reference of SPEC §10 (providers' invoices), for tests.

Written from the text of the spec only: nothing here imports ``fundcalc``. The day walk
reuses :mod:`tests.oracle` (itself independent of ``fundcalc``) for the versions of the
placement log, municipality resolution and lot terms, and walks every day of the month.

Decisions where the spec leaves room (each mirrors the log's rules of §3/§4.1 where it can):

1. *No version at all.* An invoice row without a usable ``lot_id`` (empty or over 100
   characters), ``period`` (not ``YYYY-MM``) or ``received_on`` (empty or no date) cannot be
   attributed to a (lot, period) version slot, like a log row without a usable
   ``placement_id``/``recorded_on`` (§4.1): it is an exception and changes no lot's status.
2. *Unreadable row in force.* A row whose ``lot_id``, ``period`` and ``received_on`` are
   readable takes part in the versions of its (lot, period). If it is the version in force
   (greatest ``received_on`` ≤ D) and any other field is missing or unreadable, the lot's
   invoice is ``rejected``. An unreadable row replaced by a later readable one changes
   nothing (just as a corrected invoice replaces an earlier one), and a row received after D
   is ignored whatever it contains.
3. *Conflict.* Only a conflict at the ``received_on`` that is in force rejects the lot; a
   later correction resolves an earlier conflict (as for placements, §4.1). Rows are compared
   by meaning (``40,00`` = ``40.00`` = ``40``, ``03-02-2025`` = ``2025-02-03``, ``04`` = ``4``);
   fields that cannot be read are compared as trimmed text. Identical rows count once.
   ``invoice_id`` is part of the meaning: same figures under two invoice numbers conflict.
4. *Readable values.* Amounts: ASCII digits, optionally one ``.`` or ``,`` followed by one or
   two digits (``40``, ``40.5``, ``40,50``); no sign, no thousands separator, no ``40.``
   or ``.50``; three decimals is unreadable. Days: ASCII digits only (no sign, no ``4.0``).
   Period: ``YYYY-MM`` with month 01–12. Dates: ISO or Dutch ``dd-mm-yyyy``. Text fields
   (``invoice_id``, ``lot_id``) over 100 characters are unreadable.
5. *Rows of invoices.csv.* One per lot with a version in force for P (readable, conflicting
   or unreadable), plus one per known lot with expected day cents > 0 or expected
   availability cents > 0. Known lot = a lot id in the rules (also when it has no terms in P;
   then it is compared with expected zeros, not ``unknown_lot``).
6. *Status ``rejected``*: ``invoice_id`` is empty too (there is no single invoice in force);
   expected fields are filled for a known lot and empty for an unknown one (``rejected``
   wins over ``unknown_lot``). ``missing``: ``invoice_id`` and invoiced fields empty.
7. *approved_cents* = min(invoiced day, expected day) + min(invoiced avail, expected avail)
   for ``accepted``/``differs``; 0 otherwise. Days never enter the approved amount.
8. *CSV text*: the example's bytes end every line, the last included, with CRLF; fields are
   written as-is with csv minimal quoting (no formula escaping: that is the workbook's
   concern, §7). Rows sorted by ``lot_id`` in code-point order.
9. *§11 amendment*: :class:`tests.oracle.Scenario` has no verdicts; ``not_eligible`` lists the
   placement ids whose verdict in force is "not eligible" (their fund-lot days with a
   centrumgemeente are MUNICIPAL, hence expected, even for a non-member).
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

from tests.oracle import (
    FIELDS,
    LotSpec,
    MunicipalityRowSpec,
    Scenario,
    add_months,
    centre_on,
    in_force_on,
    parse_date,
    terms_on,
    versions_in_force,
)

INVOICE_FIELDS = (
    "invoice_id",
    "lot_id",
    "period",
    "days",
    "day_amount",
    "availability_amount",
    "received_on",
)
COLUMNS = (
    "period",
    "lot_id",
    "invoice_id",
    "status",
    "invoiced_days",
    "expected_days",
    "invoiced_day_cents",
    "expected_day_cents",
    "invoiced_availability_cents",
    "expected_availability_cents",
    "approved_cents",
)
MAX_TEXT = 100

_AMOUNT = re.compile(r"([0-9]+)(?:[.,]([0-9]{1,2}))?")
_DAYS = re.compile(r"[0-9]+")
_PERIOD = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass
class LotExpectation:
    expected_days: int = 0
    expected_day_cents: int = 0
    expected_availability_cents: int = 0
    # breakdown, for cross-checks against tests.oracle.calculate
    fund_day_cents: int = 0
    justice_day_cents: int = 0
    municipal_day_cents: int = 0


# --- reading ---


def amount_cents(text: str) -> int | None:
    """Decimal euros (point or comma, at most 2 decimals) as cents; None if unreadable."""
    match = _AMOUNT.fullmatch(text.strip())
    if match is None:
        return None
    decimals = (match.group(2) or "").ljust(2, "0")
    return int(match.group(1)) * 100 + int(decimals)


def whole_number(text: str) -> int | None:
    text = text.strip()
    return int(text) if _DAYS.fullmatch(text) else None


def parse_period(text: str) -> tuple[int, int] | None:
    match = _PERIOD.fullmatch(text.strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return (year, month) if 1 <= month <= 12 and year >= 1000 else None


def _text(text: str) -> str | None:
    text = text.strip()
    return text if text and len(text) <= MAX_TEXT else None


@dataclass
class InvoiceRow:
    """One invoice row read by the reference: its meaning and whether it is fully readable."""

    lot_id: str
    period: tuple[int, int]
    received_on: date
    meaning: tuple[object, ...]
    readable: bool
    invoice_id: str = ""
    days: int = 0
    day_cents: int = 0
    availability_cents: int = 0


def read_invoice(row: dict[str, str]) -> InvoiceRow | None:
    """The row as a version, or None when it has no usable lot_id, period or received_on."""
    fields = {k: (row.get(k) or "").strip() for k in INVOICE_FIELDS}
    lot_id = _text(fields["lot_id"])
    period = parse_period(fields["period"])
    received = parse_date(fields["received_on"]) if fields["received_on"] else None
    if lot_id is None or period is None or received is None:
        return None
    invoice_id = _text(fields["invoice_id"])
    days = whole_number(fields["days"])
    day_cents = amount_cents(fields["day_amount"])
    avail_cents = amount_cents(fields["availability_amount"])
    values = (invoice_id, days, day_cents, avail_cents)
    raw = [fields[k] for k in ("invoice_id", "days", "day_amount", "availability_amount")]
    shown = [v if v is not None else ("raw", r) for v, r in zip(values, raw, strict=True)]
    meaning = (lot_id, period, received, *shown)
    readable = all(v is not None for v in values)
    if not readable:
        return InvoiceRow(lot_id, period, received, meaning, False)
    assert invoice_id is not None and days is not None
    assert day_cents is not None and avail_cents is not None
    return InvoiceRow(
        lot_id, period, received, meaning, True, invoice_id, days, day_cents, avail_cents
    )


def invoices_in_force(
    rows: list[dict[str, str]], year: int, month: int, as_of: date
) -> dict[str, InvoiceRow | None]:
    """lot_id → the invoice in force for the period, or None when that lot's invoice is
    rejected (a conflict or an unreadable row in force)."""
    by_lot: dict[str, list[InvoiceRow]] = defaultdict(list)
    for row in rows:
        invoice = read_invoice(row)
        if invoice is None or invoice.period != (year, month) or invoice.received_on > as_of:
            continue
        by_lot[invoice.lot_id].append(invoice)
    result: dict[str, InvoiceRow | None] = {}
    for lot_id, versions in by_lot.items():
        latest = max(v.received_on for v in versions)
        at_latest = {v.meaning: v for v in versions if v.received_on == latest}
        if len(at_latest) > 1:
            result[lot_id] = None
            continue
        version = next(iter(at_latest.values()))
        result[lot_id] = version if version.readable else None
    return result


# --- expectations, day by day ---


def expected_per_lot(
    scenario: Scenario,
    year: int,
    month: int,
    as_of: date,
    *,
    not_eligible: Collection[str] = (),
) -> dict[str, LotExpectation]:
    """Every lot of the rules → what the contract and the log give for the month."""
    first = date(year, month, 1)
    end = add_months(first, 1)
    key = in_force_on(scenario.keys, first)
    members = set(key[1]) if key is not None else set()
    lots = {lot.id: lot for lot in scenario.lots}
    out = {lot.id: LotExpectation() for lot in scenario.lots}
    for pid, version in versions_in_force(scenario.rows, as_of).items():
        if not isinstance(version, dict):
            continue  # rejected as a whole: every day rejected, none expected
        lot = lots.get(version["lot_id"])
        if lot is None:
            continue  # unknown lot: every day rejected
        start = parse_date(version["start_date"])
        assert start is not None
        stay_end = parse_date(version["end_date"]) if version["end_date"] else None
        if stay_end == start:
            stay_end = start + timedelta(days=1)
        code = version["brp_municipality"] or version["found_municipality"]
        cosm = lot.group == "COSM"
        window_start: date | None = None
        window_end = first
        if cosm and version["reflection_start"]:
            window_start = parse_date(version["reflection_start"])
            assert window_start is not None
            window_end = add_months(window_start, scenario.reflection_months)
            if version["reflection_end"]:
                reflection_end = parse_date(version["reflection_end"])
                assert reflection_end is not None
                window_end = min(window_end, reflection_end)
        day = max(start, first)
        while day < end and (stay_end is None or day < stay_end):
            terms = terms_on(lot, day)
            if terms is not None:
                tariff = terms[2]
                centre = centre_on(scenario, code, day)
                expectation = out[lot.id]
                stream = None
                if cosm and window_start is not None and window_start <= day < window_end:
                    stream = "JUSTICE"
                elif centre is None:
                    stream = None  # no centrumgemeente: rejected
                elif cosm or pid in not_eligible:
                    stream = "MUNICIPAL"
                elif centre in members:
                    stream = "FUND"
                if stream is not None:
                    expectation.expected_days += 1
                    expectation.expected_day_cents += tariff
                    if stream == "FUND":
                        expectation.fund_day_cents += tariff
                    elif stream == "JUSTICE":
                        expectation.justice_day_cents += tariff
                    else:
                        expectation.municipal_day_cents += tariff
            day += timedelta(days=1)
    for lot in scenario.lots:
        day = first
        while day < end:
            terms = terms_on(lot, day)
            if terms is not None:
                out[lot.id].expected_availability_cents += terms[1] * terms[3]
            day += timedelta(days=1)
    return out


# --- invoices.csv ---


def invoice_rows(
    scenario: Scenario,
    invoice_rows: list[dict[str, str]],
    year: int,
    month: int,
    as_of: date,
    *,
    not_eligible: Collection[str] = (),
) -> list[dict[str, str]]:
    """The rows of ``outputs/P/invoices.csv`` as §10 defines them, as text."""
    expected = expected_per_lot(scenario, year, month, as_of, not_eligible=not_eligible)
    in_force = invoices_in_force(invoice_rows, year, month, as_of)
    lot_ids = set(in_force)
    lot_ids |= {
        lot_id
        for lot_id, e in expected.items()
        if e.expected_day_cents > 0 or e.expected_availability_cents > 0
    }
    period = f"{year:04d}-{month:02d}"
    out: list[dict[str, str]] = []
    for lot_id in sorted(lot_ids):
        row = dict.fromkeys(COLUMNS, "")
        row["period"] = period
        row["lot_id"] = lot_id
        row["approved_cents"] = "0"
        e = expected.get(lot_id)
        if e is not None:
            row["expected_days"] = str(e.expected_days)
            row["expected_day_cents"] = str(e.expected_day_cents)
            row["expected_availability_cents"] = str(e.expected_availability_cents)
        if lot_id not in in_force:
            row["status"] = "missing"
        elif in_force[lot_id] is None:
            row["status"] = "rejected"
        else:
            invoice = in_force[lot_id]
            assert invoice is not None
            row["invoice_id"] = invoice.invoice_id
            row["invoiced_days"] = str(invoice.days)
            row["invoiced_day_cents"] = str(invoice.day_cents)
            row["invoiced_availability_cents"] = str(invoice.availability_cents)
            if e is None:
                row["status"] = "unknown_lot"
            else:
                same = (
                    invoice.days == e.expected_days
                    and invoice.day_cents == e.expected_day_cents
                    and invoice.availability_cents == e.expected_availability_cents
                )
                row["status"] = "accepted" if same else "differs"
                approved = min(invoice.day_cents, e.expected_day_cents)
                approved += min(invoice.availability_cents, e.expected_availability_cents)
                row["approved_cents"] = str(approved)
        out.append(row)
    return out


def invoices_csv(rows: list[dict[str, str]]) -> str:
    """The text of invoices.csv: header and rows, every line ended by CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in COLUMNS])
    return buffer.getvalue()


# --- files ---


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """A CSV file as dicts with lowercase, trimmed headers and trimmed fields."""
    text = path.read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    if not lines:
        return []
    separator = ";" if lines[0].count(";") > lines[0].count(",") else ","
    records = list(csv.reader(io.StringIO(text), delimiter=separator))
    header = [h.strip().lower() for h in records[0]]
    rows = []
    for record in records[1:]:
        if not any(cell.strip() for cell in record):
            continue
        rows.append(
            {h: (record[i].strip() if i < len(record) else "") for i, h in enumerate(header)}
        )
    return rows


def read_invoice_files(folder: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() == ".csv":
            rows += read_csv_rows(path)
    return rows


def _euro_cents(text: str) -> int:
    cents = amount_cents(text)
    if cents is None:
        raise ValueError(f"not an amount: {text!r}")
    return cents


def _weight(text: str) -> int | Fraction:
    value = Fraction(text)
    return int(value) if value.denominator == 1 else value


def scenario_from_files(rules_dir: Path, placements_dir: Path) -> Scenario:
    """Rules and log of a folder pair as a :class:`tests.oracle.Scenario` (CSV log only)."""
    with (rules_dir / "arrangement.toml").open("rb") as handle:
        rules = tomllib.load(handle)
    fund = rules["fund"]
    budgets = {int(year): _euro_cents(amount) for year, amount in fund["budget"].items()}
    keys = [
        (k["valid_from"], {code: _weight(w) for code, w in k["weights"].items()})
        for k in rules["key"]
    ]
    splits = [(s["valid_from"], str(s["origin_share"])) for s in rules["split"]]
    lots = [
        LotSpec(
            id=lot["id"],
            group=lot["group"],
            terms=[
                (
                    t["valid_from"],
                    int(t["places"]),
                    _euro_cents(t["day_tariff"]),
                    _euro_cents(t["availability_tariff"]),
                )
                for t in lot.get("terms", [])
            ],
            valid_to=lot.get("valid_to"),
        )
        for lot in rules.get("lot", [])
    ]
    municipalities = [
        MunicipalityRowSpec(
            code=r["municipality_code"],
            centre=r["centrumgemeente_code"],
            valid_from=_date(r["valid_from"]),
            valid_to=_date(r["valid_to"]) if r.get("valid_to") else None,
            successor=r.get("successor_code") or None,
        )
        for r in read_csv_rows(rules_dir / "municipalities.csv")
    ]
    log: list[dict[str, str]] = []
    for path in sorted(placements_dir.iterdir()):
        if path.is_file() and path.suffix.lower() == ".csv":
            log += [{f: r.get(f, "") for f in FIELDS} for r in read_csv_rows(path)]
    cosm = rules.get("cosm", {})
    return Scenario(
        budgets=budgets,
        keys=keys,  # type: ignore[arg-type]
        splits=splits,
        lots=lots,
        municipalities=municipalities,
        rows=log,
        reflection_months=int(cosm.get("reflection_months", 3)),
        lookback=int(cosm.get("correction_lookback_months", 24)),
    )


def _date(text: str) -> date:
    parsed = parse_date(text)
    if parsed is None:
        raise ValueError(f"not a date: {text!r}")
    return parsed
