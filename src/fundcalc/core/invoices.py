"""The check of providers' invoices against the contract and the log (*declaratiecontrole*, §10).

For a period P as of a date D:

1. **Versions.** Per (`lot_id`, `period`) the invoice in force is the row with
   the greatest `received_on` ≤ D: a corrected invoice replaces the earlier
   one. Rows that mean the same count once. Two different rows on that day
   conflict: the lot's invoice is rejected. A row in force that cannot be read
   rejects it too. A row without a usable lot, month or day of receipt is no
   version at all. All of these are exceptions with file and line.
2. **Expected.** What the contract and the log give for each lot: the days
   of P on it charged to FUND, JUSTICE or MUNICIPAL (rejected days are not
   expected), their day costs, and the lot's availability for P (§4.7).
3. **Check.** One row per lot with an invoice in force or an expected amount
   above zero: `accepted` (days and both amounts equal), `differs`, `missing`,
   `unknown_lot` or `rejected`. The approved amount (*goedgekeurd*) is, per
   amount, the lesser of invoiced and expected: a provider never gets more than
   it asked nor more than the contract gives.

Invoices change no figure of the settlement: the statement is the same with
or without them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

import polars as pl

from fundcalc.base.findings import EXCEPTION, Finding, findings_of
from fundcalc.base.money import format_cents
from fundcalc.base.period import Period
from fundcalc.base.reasons import (
    INVOICE_CONFLICT,
    INVOICE_REJECTED,
    INVOICE_REPLACED,
    NOT_AN_INVOICE_VERSION,
)
from fundcalc.core.allocation import Availability
from fundcalc.core.calculation import Calculation
from fundcalc.core.segments import REJECTED
from fundcalc.inputs.invoices import InvoiceRow

ACCEPTED = "accepted"
DIFFERS = "differs"
MISSING = "missing"
UNKNOWN_LOT = "unknown_lot"
REJECTED_INVOICE = "rejected"
STATUSES = (ACCEPTED, DIFFERS, MISSING, UNKNOWN_LOT, REJECTED_INVOICE)

#: The columns of invoices.csv (§10).
CHECK_COLUMNS = (
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

#: Why an invoiced figure differs from the expected one, in the finance officer's words.
MORE_DAYS = "more days than occupied"
FEWER_DAYS = "fewer days than occupied"
DAY_TARIFF_ABOVE = "a tariff above the contract"
DAY_AMOUNT_BELOW = "less for the days than the contract gives"
AVAILABILITY_ABOVE = "availability for more places than contracted"
AVAILABILITY_BELOW = "less availability than contracted"


@dataclass(frozen=True)
class Expected:
    """What the contract and the log give for a lot in a period."""

    lot_id: str
    provider: str
    days: int
    day_cents: int
    availability_cents: int


@dataclass(frozen=True)
class InForce:
    """A lot's invoice for the period: the row in force, or None when it is rejected."""

    lot_id: str
    row: InvoiceRow | None


@dataclass(frozen=True)
class InvoiceCheck:
    """One row of invoices.csv, with the lot's provider for the workbook."""

    period: Period
    lot_id: str
    status: str
    provider: str | None = None
    invoice_id: str | None = None
    invoiced_days: int | None = None
    expected_days: int | None = None
    invoiced_day_cents: int | None = None
    expected_day_cents: int | None = None
    invoiced_availability_cents: int | None = None
    expected_availability_cents: int | None = None
    approved_cents: int = 0

    @property
    def invoiced_cents(self) -> int:
        """What the invoice asks in all (0 without one)."""
        return (self.invoiced_day_cents or 0) + (self.invoiced_availability_cents or 0)

    @property
    def expected_cents(self) -> int:
        """What the contract gives in all (0 for an unknown lot)."""
        return (self.expected_day_cents or 0) + (self.expected_availability_cents or 0)

    def values(self) -> tuple[object, ...]:
        """The row's values in the order of `CHECK_COLUMNS`."""
        return (
            str(self.period),
            self.lot_id,
            self.invoice_id,
            self.status,
            self.invoiced_days,
            self.expected_days,
            self.invoiced_day_cents,
            self.expected_day_cents,
            self.invoiced_availability_cents,
            self.expected_availability_cents,
            self.approved_cents,
        )

    def reasons(self) -> tuple[str, ...]:
        """Why an invoice differs, figure by figure (`MORE_DAYS`, `DAY_TARIFF_ABOVE`, …)."""
        if self.status != DIFFERS:
            return ()
        assert self.invoiced_days is not None and self.expected_days is not None
        assert self.invoiced_day_cents is not None and self.expected_day_cents is not None
        assert self.invoiced_availability_cents is not None
        assert self.expected_availability_cents is not None
        out = []
        if self.invoiced_days > self.expected_days:
            out.append(MORE_DAYS)
        elif self.invoiced_days < self.expected_days:
            out.append(FEWER_DAYS)
        # The tariff per day: invoiced amount per invoiced day against the contract's.
        invoiced_rate = self.invoiced_day_cents * max(self.expected_days, 1)
        expected_rate = self.expected_day_cents * max(self.invoiced_days, 1)
        if invoiced_rate > expected_rate:
            out.append(DAY_TARIFF_ABOVE)
        elif self.invoiced_day_cents < self.expected_day_cents and not out:
            out.append(DAY_AMOUNT_BELOW)
        if self.invoiced_availability_cents > self.expected_availability_cents:
            out.append(AVAILABILITY_ABOVE)
        elif self.invoiced_availability_cents < self.expected_availability_cents:
            out.append(AVAILABILITY_BELOW)
        return tuple(out)


def expected_per_lot(
    segments: pl.DataFrame, availability: Iterable[Availability]
) -> dict[str, Expected]:
    """Every lot of the rules → its expected days, day costs and availability.

    `segments` are the period's day segments (`lot_id`, `stream`, `days`,
    `amount_cents`); rejected ones are not expected. `availability` is the
    settlement's per lot (§4.7).
    """
    charged = (
        segments.lazy()
        .filter(pl.col("stream") != REJECTED)
        .group_by("lot_id")
        .agg(pl.col("days").sum(), pl.col("amount_cents").sum())
        .collect(engine="in-memory")
    )
    sums = {lot: (int(days), int(cents)) for lot, days, cents in charged.iter_rows()}
    return {
        a.lot_id: Expected(a.lot_id, a.provider, *sums.get(a.lot_id, (0, 0)), a.amount_cents)
        for a in availability
    }


def invoices_in_force(
    rows: Iterable[InvoiceRow], period: Period, as_of: date
) -> tuple[dict[str, InForce], pl.DataFrame]:
    """Each lot's invoice in force for `period` as of `as_of`, and the exceptions.

    The exceptions are the rows that are no version at all (of any period),
    and the period's rows received on or before `as_of` that cannot be read or
    conflict, each saying whether it rejects the lot's invoice or was replaced.
    """
    findings: list[Finding] = []
    by_lot: dict[str, list[InvoiceRow]] = defaultdict(list)
    for row in rows:
        if not row.is_version:
            reason = (NOT_AN_INVOICE_VERSION(), *row.problem)
            findings.append(Finding(EXCEPTION, reason, row.source, row.line))
        elif row.period == period and row.received_on is not None and row.received_on <= as_of:
            assert row.lot_id is not None
            by_lot[row.lot_id].append(row)
    in_force: dict[str, InForce] = {}
    for lot_id, versions in sorted(by_lot.items()):
        latest = max(v.received_on for v in versions if v.received_on is not None)
        by_day: dict[date, dict[tuple[object, ...], list[InvoiceRow]]] = defaultdict(dict)
        for version in versions:
            assert version.received_on is not None
            by_day[version.received_on].setdefault(version.meaning, []).append(version)
        for day, meanings in sorted(by_day.items()):
            outcome = (INVOICE_REJECTED if day == latest else INVOICE_REPLACED)(lot_id, period)
            if len(meanings) > 1:
                rows_then = [r for same in meanings.values() for r in same]
                where = ", ".join(f"{r.source}:{r.line}" for r in _ordered(rows_then))
                conflict = INVOICE_CONFLICT(day.isoformat(), where)
                for r in rows_then:
                    findings.append(Finding(EXCEPTION, (outcome, conflict), r.source, r.line))
                continue
            for r in next(iter(meanings.values())):
                if not r.readable:
                    findings.append(Finding(EXCEPTION, (outcome, *r.problem), r.source, r.line))
        at_latest = list(by_day[latest].values())
        chosen = at_latest[0][0] if len(at_latest) == 1 else None
        in_force[lot_id] = InForce(lot_id, chosen if chosen and chosen.readable else None)
    return in_force, findings_of(findings)


def _ordered(rows: Sequence[InvoiceRow]) -> list[InvoiceRow]:
    return sorted(rows, key=lambda r: (r.source, r.line))


def check_invoices(
    period: Period, in_force: Mapping[str, InForce], expected: Mapping[str, Expected]
) -> tuple[InvoiceCheck, ...]:
    """The rows of invoices.csv: every lot with an invoice in force for `period` or an
    expected amount above zero, sorted by `lot_id`."""
    lots = set(in_force) | {
        lot for lot, e in expected.items() if e.day_cents > 0 or e.availability_cents > 0
    }
    return tuple(_check(period, lot, in_force.get(lot), expected.get(lot)) for lot in sorted(lots))


def _check(
    period: Period, lot_id: str, invoice: InForce | None, expected: Expected | None
) -> InvoiceCheck:
    known = InvoiceCheck(period, lot_id, MISSING)
    if expected is not None:
        known = replace(
            known,
            provider=expected.provider,
            expected_days=expected.days,
            expected_day_cents=expected.day_cents,
            expected_availability_cents=expected.availability_cents,
        )
    if invoice is None:
        return known
    row = invoice.row
    if row is None:
        return replace(known, status=REJECTED_INVOICE)
    assert row.days is not None and row.day_cents is not None
    assert row.availability_cents is not None
    asked = replace(
        known,
        invoice_id=row.invoice_id,
        invoiced_days=row.days,
        invoiced_day_cents=row.day_cents,
        invoiced_availability_cents=row.availability_cents,
    )
    if expected is None:
        return replace(asked, status=UNKNOWN_LOT)
    same = (row.days, row.day_cents, row.availability_cents) == (
        expected.days,
        expected.day_cents,
        expected.availability_cents,
    )
    approved = min(row.day_cents, expected.day_cents) + min(
        row.availability_cents, expected.availability_cents
    )
    return replace(asked, status=ACCEPTED if same else DIFFERS, approved_cents=approved)


@dataclass(frozen=True)
class InvoiceTotals:
    """The month's invoices in all: asked, expected, approved, and lots per status."""

    invoiced_cents: int
    expected_cents: int
    approved_cents: int
    statuses: Mapping[str, int]

    def as_json(self) -> dict[str, object]:
        return {
            "lots": dict(self.statuses),
            "invoiced_cents": self.invoiced_cents,
            "expected_cents": self.expected_cents,
            "approved_cents": self.approved_cents,
            "approved_euro": format_cents(self.approved_cents),
        }


def invoice_totals(checks: Sequence[InvoiceCheck]) -> InvoiceTotals:
    """The totals of a period's checks (manifest, summary sheet, terminal)."""
    return InvoiceTotals(
        sum(c.invoiced_cents for c in checks),
        sum(c.expected_cents for c in checks),
        sum(c.approved_cents for c in checks),
        {s: sum(c.status == s for c in checks) for s in STATUSES},
    )


def needs_attention(checks: Sequence[InvoiceCheck]) -> list[InvoiceCheck]:
    """The checks that are not `accepted`: `fundcalc run --strict` fails on any."""
    return [c for c in checks if c.status != ACCEPTED]


def check_period(
    calculation: Calculation, rows: Iterable[InvoiceRow], period: Period
) -> tuple[tuple[InvoiceCheck, ...], pl.DataFrame]:
    """The invoices of `period` checked against the calculation (as of its date), and the
    exceptions of the invoice rows."""
    segments = calculation.segments(period, "lot_id", "stream", "days", "amount_cents")
    expected = expected_per_lot(segments, calculation.settlements[period].lots)
    in_force, findings = invoices_in_force(rows, period, calculation.as_of)
    return check_invoices(period, in_force, expected), findings
