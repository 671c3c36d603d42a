"""The workbook's sheet Facturen: the providers' invoices held against contract and log.

Per provider and lot the committee sees what was invoiced and what the
contract and the log give (days, day amount, availability), the difference in
days and euros, the status in Dutch, the amount approved for payment
(*goedgekeurd*: per amount the lesser of invoiced and expected) and, for an
invoice that differs, why in a few words. The summary sheet shows the month's
invoiced and approved totals (`summary_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence

from fundcalc.base.plural import counted
from fundcalc.core.invoices import (
    ACCEPTED,
    AVAILABILITY_ABOVE,
    AVAILABILITY_BELOW,
    DAY_AMOUNT_BELOW,
    DAY_TARIFF_ABOVE,
    DIFFERS,
    FEWER_DAYS,
    MISSING,
    MORE_DAYS,
    REJECTED_INVOICE,
    UNKNOWN_LOT,
    InvoiceCheck,
    invoice_totals,
)
from fundcalc.report.dutch import Context
from fundcalc.report.sheets import SECTION, TOTAL, CellValue, Euro, Row, Sheet, Table

SHEET = "Facturen"

#: The statuses of invoices.csv in the committee's words.
STATUS_NAMES = {
    ACCEPTED: "akkoord",
    DIFFERS: "afwijking",
    MISSING: "ontbreekt",
    UNKNOWN_LOT: "onbekend perceel",
    REJECTED_INVOICE: "afgewezen",
}

#: Why an invoice differs, in Dutch.
REASON_NAMES = {
    MORE_DAYS: "meer dagen dan bezet",
    FEWER_DAYS: "minder dagen dan bezet",
    DAY_TARIFF_ABOVE: "dagtarief boven het contract",
    DAY_AMOUNT_BELOW: "minder voor de dagen dan het contract geeft",
    AVAILABILITY_ABOVE: "beschikbaarheid voor meer plaatsen dan gecontracteerd",
    AVAILABILITY_BELOW: "minder beschikbaarheid dan gecontracteerd",
}

#: What the other statuses mean for the committee.
STATUS_NOTES = {
    ACCEPTED: "",
    MISSING: "geen factuur ontvangen",
    UNKNOWN_LOT: "perceel staat niet in de regels: niets goedgekeurd",
    REJECTED_INVOICE: "factuurregels onleesbaar of tegenstrijdig: zie Uitzonderingen",
}

UNKNOWN_PROVIDER = "(onbekend)"


def explanation(check: InvoiceCheck) -> str:
    """The short reason shown beside a check (Toelichting)."""
    if check.status == DIFFERS:
        return "; ".join(REASON_NAMES[r] for r in check.reasons())
    return STATUS_NOTES[check.status]


def _difference(invoiced: int | None, expected: int | None) -> int | None:
    return None if invoiced is None or expected is None else invoiced - expected


def _euro(cents: int | None) -> Euro | None:
    return None if cents is None else Euro(cents)


def _row(check: InvoiceCheck) -> Row:
    compared = check.status in (ACCEPTED, DIFFERS)
    cells: tuple[CellValue, ...] = (
        check.provider or UNKNOWN_PROVIDER,
        check.lot_id,
        check.invoice_id,
        STATUS_NAMES[check.status],
        check.invoiced_days,
        check.expected_days,
        _difference(check.invoiced_days, check.expected_days),
        _euro(check.invoiced_day_cents),
        _euro(check.expected_day_cents),
        _euro(check.invoiced_availability_cents),
        _euro(check.expected_availability_cents),
        Euro(check.invoiced_cents) if check.invoice_id is not None else None,
        Euro(check.expected_cents) if check.expected_days is not None else None,
        Euro(check.invoiced_cents - check.expected_cents) if compared else None,
        Euro(check.approved_cents),
        explanation(check),
    )
    return Row(cells)


def invoices_sheet(ctx: Context, checks: Sequence[InvoiceCheck]) -> Sheet:
    """Facturen: per provider and lot, invoiced against expected, the status and what to pay."""
    ordered = sorted(checks, key=lambda c: (c.provider is None, c.provider or "", c.lot_id))
    rows = [_row(c) for c in ordered]
    totals = invoice_totals(checks)
    rows.append(
        Row(
            (
                "Totaal",
                "",
                "",
                f"{totals.statuses[ACCEPTED]} akkoord",
                sum(c.invoiced_days or 0 for c in checks),
                sum(c.expected_days or 0 for c in checks),
                None,
                Euro(sum(c.invoiced_day_cents or 0 for c in checks)),
                Euro(sum(c.expected_day_cents or 0 for c in checks)),
                Euro(sum(c.invoiced_availability_cents or 0 for c in checks)),
                Euro(sum(c.expected_availability_cents or 0 for c in checks)),
                Euro(totals.invoiced_cents),
                Euro(totals.expected_cents),
                None,
                Euro(totals.approved_cents),
                "",
            ),
            TOTAL,
        )
    )
    table = Table(
        (
            "Aanbieder",
            "Perceel",
            "Factuur",
            "Status",
            "Dagen gefactureerd",
            "Dagen verwacht",
            "Verschil dagen",
            "Dagbedrag gefactureerd",
            "Dagbedrag verwacht",
            "Beschikbaarheid gefactureerd",
            "Beschikbaarheid verwacht",
            "Gefactureerd",
            "Verwacht",
            "Verschil",
            "Goedgekeurd",
            "Toelichting",
        ),
        tuple(rows),
        note="Verwacht: de dagen van de maand op het perceel ten laste van het fonds, Justitie"
        " of de centrumgemeente (afgewezen dagen niet) tegen het dagtarief, en de"
        " beschikbaarheid (plaatsen × tarief × dagen). Goedgekeurd: per bedrag het laagste"
        " van gefactureerd en verwacht. Een aanbieder krijgt nooit meer dan gevraagd, noch"
        " meer dan het contract geeft. Verschil = gefactureerd − verwacht. Een gecorrigeerde"
        " factuur vervangt de eerdere; een factuur ontvangen na de peildatum telt nog niet.",
    )
    return Sheet(
        SHEET,
        ctx.title("Facturen"),
        ctx.subtitle(
            "Declaraties van de aanbieders per perceel, getoetst aan contract en plaatsingen;"
            " het goedgekeurde bedrag is wat betaald wordt."
        ),
        (table,),
        widths={0: 32, 15: 56},
    )


def summary_rows(checks: Sequence[InvoiceCheck]) -> tuple[Row, ...]:
    """The summary sheet's section on the month's invoices (five columns, as it has)."""
    totals = invoice_totals(checks)
    differing = totals.statuses[DIFFERS]
    unpaid = sum(totals.statuses[s] for s in (MISSING, UNKNOWN_LOT, REJECTED_INVOICE))
    return (
        Row(("Facturen van aanbieders",), SECTION),
        Row(
            (
                "Gefactureerd",
                Euro(totals.invoiced_cents),
                None,
                None,
                f"{counted(len(checks), 'perceel', 'percelen')}; zie Facturen",
            )
        ),
        Row(
            (
                "Verwacht volgens contract en plaatsingen",
                Euro(totals.expected_cents),
                None,
                None,
                "",
            )
        ),
        Row(
            (
                "Goedgekeurd om te betalen",
                Euro(totals.approved_cents),
                None,
                None,
                f"{totals.statuses[ACCEPTED]} akkoord, {differing} met afwijking,"
                f" {unpaid} zonder goedgekeurde factuur",
            ),
            TOTAL,
        ),
    )
