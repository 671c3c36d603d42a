"""`fundcalc explain --lot`: which placements make up a lot's expected days in a month.

A provider who disputes the check of its invoice (*declaratiecontrole*, §10)
asks which stays the fund counted. This answers per placement of the lot:
the days of the month charged to FUND, JUSTICE or MUNICIPAL (expected) and
the days rejected (not expected, with the reason), the day costs, the
availability of the lot, and the invoice in force with its status. Placements
are named by their id only, never by client. The same calculation as
`fundcalc run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from fundcalc.app.terminal import euro
from fundcalc.base.findings import printable
from fundcalc.base.period import Period
from fundcalc.base.plural import counted
from fundcalc.base.reasons import english
from fundcalc.core.allocation import Availability, availability
from fundcalc.core.calculation import calculate
from fundcalc.core.invoices import (
    InvoiceCheck,
    check_invoices,
    expected_per_lot,
    invoices_in_force,
)
from fundcalc.core.segments import REJECTED
from fundcalc.errors import UsageError
from fundcalc.inputs.invoices import InvoiceRow, Invoices
from fundcalc.inputs.rules import Lot, Rules


@dataclass(frozen=True)
class PlacementDays:
    """One placement's days on the lot in the month, per stream (a rejected run with its
    reason)."""

    placement_id: str
    stream: str
    days: int
    amount_cents: int
    reason: str | None


@dataclass(frozen=True)
class LotExplanation:
    """Everything `fundcalc explain --lot` tells about one lot in one month."""

    lot: Lot
    period: Period
    as_of: date
    placements: tuple[PlacementDays, ...]
    availability: Availability
    check: InvoiceCheck | None
    invoice: InvoiceRow | None
    invoices_read: bool

    @property
    def expected(self) -> tuple[PlacementDays, ...]:
        return tuple(p for p in self.placements if p.stream != REJECTED)

    @property
    def rejected(self) -> tuple[PlacementDays, ...]:
        return tuple(p for p in self.placements if p.stream == REJECTED)


def explain_lot(
    rules: Rules,
    log_rows: pl.DataFrame,
    lot_id: str,
    period: Period,
    as_of: date,
    *,
    invoices: Invoices | None = None,
    verdict_rows: pl.DataFrame | None = None,
) -> LotExplanation:
    """Explain lot `lot_id` in `period` as of `as_of`; UsageError when the rules have no such
    lot."""
    lot = rules.lots.get(lot_id)
    if lot is None:
        known = ", ".join(sorted(rules.lots))
        raise UsageError(f"lot '{printable(lot_id)}' is not in the rules (lots: {known})")
    # Only the placements that were ever on the lot; their version in force decides.
    ids = log_rows.filter(pl.col("lot_id") == lot_id)["placement_id"].drop_nulls().unique()
    rows = log_rows.filter(pl.col("placement_id").is_in(ids.implode()))
    calculation = calculate(rules, rows, [period], as_of, verdict_rows=verdict_rows)
    segments = calculation.segments(
        period, "placement_id", "lot_id", "stream", "days", "amount_cents", "reason",
        where=pl.col("lot_id") == lot_id,
    )  # fmt: skip
    summed = (
        segments.with_columns(english(segments["reason"]).alias("reason"))
        .group_by("placement_id", "stream", "reason")
        .agg(pl.col("days").sum(), pl.col("amount_cents").sum())
        .sort("placement_id", "stream", "reason", nulls_last=True)
    )
    placements = tuple(
        PlacementDays(pid, stream, int(days), int(amount), reason)
        for pid, stream, reason, days, amount in summed.iter_rows()
    )
    check = invoice = None
    if invoices is not None:
        in_force, _ = invoices_in_force(invoices.rows, period, as_of)
        expected = expected_per_lot(segments, [availability(lot, period)])
        chosen = {lot_id: in_force[lot_id]} if lot_id in in_force else {}
        checks = check_invoices(period, chosen, expected)
        check = checks[0] if checks else None
        invoice = chosen[lot_id].row if chosen else None
    return LotExplanation(
        lot, period, as_of, placements, availability(lot, period), check, invoice,
        invoices is not None,
    )  # fmt: skip


def lot_explanation_lines(e: LotExplanation) -> list[str]:
    """The explanation as terminal lines: expected placements, rejected ones, the invoice."""
    kind = "a COSM lot" if e.lot.is_cosm else "a fund lot"
    out = [
        f"Lot {e.lot.id} ({e.lot.provider}, group {e.lot.group}, {kind}) in {e.period},"
        f" as of {e.as_of.isoformat()}",
        "",
        f"Expected days: the days of {e.period} on {e.lot.id} charged to FUND, JUSTICE or"
        " MUNICIPAL.",
    ]
    width = max((len(p.placement_id) for p in e.placements), default=9)
    width = max(width, len("placement"))
    out.append(f"  {'placement':<{width}}  {'days':>5}  {'stream':<9}  {'amount':>12}")
    for p in e.expected:
        out.append(
            f"  {p.placement_id:<{width}}  {p.days:>5}  {p.stream:<9}  {euro(p.amount_cents):>12}"
        )
    days = sum(p.days for p in e.expected)
    cents = sum(p.amount_cents for p in e.expected)
    count = len({p.placement_id for p in e.expected})
    out.append(
        f"  {'total':<{width}}  {days:>5}  {'':<9}  {euro(cents):>12}"
        f"  ({counted(count, 'placement')})"
    )
    if e.rejected:
        out += ["", "Not expected (rejected days cost nothing):"]
        for p in e.rejected:
            out.append(f"  {p.placement_id:<{width}}  {p.days:>5}  {p.reason or ''}")
    a = e.availability
    out += [
        "",
        f"Availability: {counted(a.place_days, 'place-day')}"
        f" ({counted(a.days, 'day')} with terms) ="
        f" {euro(a.amount_cents)}",
        f"Expected in all: {euro(cents + a.amount_cents)}",
        "",
    ]
    out += _invoice_lines(e)
    return [printable(line) for line in out]


def _invoice_lines(e: LotExplanation) -> list[str]:
    if not e.invoices_read:
        return ["No invoice check: there is no inputs/invoices/ folder."]
    c = e.check
    if c is None:
        return [f"No invoice for {e.lot.id} in {e.period}, and nothing expected."]
    if e.invoice is None:
        why = "none received" if c.status == "missing" else "its rows conflict or cannot be read"
        return [f"Invoice: {c.status} ({why}); approved {euro(c.approved_cents)}"]
    i = e.invoice
    assert c.invoiced_days is not None and c.expected_days is not None
    out = [
        f"Invoice in force: {i.invoice_id} ({i.source}:{i.line}, received"
        f" {i.received_on.isoformat() if i.received_on else '?'}): {c.status}",
        f"  days          {c.invoiced_days:>12}  expected {c.expected_days:>12}"
        f"  difference {c.invoiced_days - c.expected_days:+d}",
        f"  day amount    {euro(c.invoiced_day_cents or 0):>12}  expected"
        f" {euro(c.expected_day_cents or 0):>12}",
        f"  availability  {euro(c.invoiced_availability_cents or 0):>12}  expected"
        f" {euro(c.expected_availability_cents or 0):>12}",
        f"  approved      {euro(c.approved_cents):>12}",
    ]
    out += [f"  {reason}" for reason in c.reasons()]
    return out
