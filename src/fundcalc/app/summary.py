"""What a run tells the person who ran it: a table on the terminal, or JSON for a script.

Per centrumgemeente the contribution, what the fund charged it and the
balance; the fund's total; the Justice stream; the direct charges after the
reflection period; corrections; the findings counted; the invoices checked and
approved (with `inputs/invoices/`); where the workbook is.
Every figure comes from `figures`, the committee workbook's own, so the
terminal, the JSON and the workbook never disagree. The JSON's keys are
stable and every amount is given in cents and as a plain euro string.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fundcalc import __version__
from fundcalc.app.run import RunResult
from fundcalc.app.terminal import euro
from fundcalc.base.money import format_cents
from fundcalc.base.period import Period
from fundcalc.base.plural import counted
from fundcalc.base.reasons import NOT_ELIGIBLE, NOT_ELIGIBLE_NOT_A_MEMBER, is_reason
from fundcalc.core.invoices import InvoiceTotals, invoice_totals
from fundcalc.report.figures import MonthFigures, centrumgemeente_figures, month_figures
from fundcalc.report.render import REPORT


@dataclass(frozen=True)
class CentrumgemeenteLine:
    """One centrumgemeente's month: contribution, charged (origin + key), balance, direct."""

    code: str
    name: str
    member: bool
    contribution: int
    origin: int
    key: int
    municipal: int

    @property
    def charged(self) -> int:
        """What the fund charged it (*ten laste*): origin share plus key share."""
        return self.origin + self.key

    @property
    def balance(self) -> int:
        """Contribution minus charged (*saldo*): positive means paid in more than used."""
        return self.contribution - self.charged


@dataclass(frozen=True)
class RunSummary:
    """The figures a finance officer checks right after a run."""

    period: Period
    as_of: date
    folder: Path
    centrumgemeenten: tuple[CentrumgemeenteLine, ...]
    month: MonthFigures
    days: dict[str, int]
    corrections: int
    corrected_periods: tuple[str, ...]
    correction_total: int
    exceptions: int
    warnings: int
    checks: tuple[tuple[str, bool], ...]
    #: Direct charges of placements judged not eligible (toetsing, §11), in cents.
    not_eligible: int = 0
    #: The invoice check summed up; None without `inputs/invoices/`.
    invoices: InvoiceTotals | None = None

    @property
    def workbook(self) -> Path:
        return self.folder / REPORT


def run_summary(result: RunResult) -> RunSummary:
    """Summarise a finished run (members, then others with direct charges this month)."""
    calculation = result.calculation
    centrumgemeenten = tuple(
        CentrumgemeenteLine(
            c.code,
            c.name,
            c.member,
            c.month["contribution"],
            c.month["origin"],
            c.month["key"],
            c.month["municipal"],
        )
        for c in centrumgemeente_figures(calculation, calculation.rules, result.period)
        if c.member or any(c.month.values())
    )
    counts = result.manifest["counts"]
    return RunSummary(
        period=result.period,
        as_of=result.as_of,
        folder=result.folder,
        centrumgemeenten=centrumgemeenten,
        month=month_figures(calculation, [result.period])[0],
        days=dict(counts["days"]),
        corrections=len(result.corrections),
        corrected_periods=tuple(sorted({row.for_period for row in result.corrections})),
        correction_total=sum(row.amount_cents for row in result.corrections),
        exceptions=counts["exceptions"],
        warnings=counts["warnings"],
        checks=tuple(result.settlement.check()),
        not_eligible=int(
            calculation.segments(
                result.period,
                "amount_cents",
                where=is_reason("reason", NOT_ELIGIBLE)
                | is_reason("reason", NOT_ELIGIBLE_NOT_A_MEMBER),
            )["amount_cents"].sum()
        ),
        invoices=None if result.invoices is None else invoice_totals(result.invoices),
    )


def amount(cents: int) -> dict[str, Any]:
    """An amount for JSON: integer cents and the plain euro string (`"-1234.05"`)."""
    return {"cents": cents, "euro": format_cents(cents)}


def summary_json(summary: RunSummary) -> dict[str, Any]:
    """The summary for scripts: stable keys, amounts as `{"cents": …, "euro": …}`."""
    m = summary.month
    document = {
        "fundcalc": __version__,
        "period": str(summary.period),
        "as_of": summary.as_of.isoformat(),
        "outputs": str(summary.folder),
        "workbook": str(summary.workbook),
        "fund": {
            "budget_part": amount(m.budget_part),
            "contributions": amount(m.contributions),
            "day_costs": amount(m.fund_day_costs),
            "availability": amount(m.fund_availability),
            "costs": amount(m.fund_costs),
            "balance": amount(m.balance),
            "origin": amount(m.origin),
            "key": amount(m.key),
        },
        "justice": {
            "day_costs": amount(m.justice_day_costs),
            "availability": amount(m.cosm_availability),
            "total": amount(m.justice),
        },
        "municipal": amount(m.municipal),
        "centrumgemeenten": [
            {
                "code": c.code,
                "name": c.name,
                "member": c.member,
                "contribution": amount(c.contribution),
                "origin": amount(c.origin),
                "key": amount(c.key),
                "charged": amount(c.charged),
                "balance": amount(c.balance),
                "municipal": amount(c.municipal),
            }
            for c in summary.centrumgemeenten
        ],
        "days": summary.days,
        "corrections": {
            "rows": summary.corrections,
            "for_periods": list(summary.corrected_periods),
            "total": amount(summary.correction_total),
        },
        "findings": {"exceptions": summary.exceptions, "warnings": summary.warnings},
        "checks": [{"check": name, "holds": holds} for name, holds in summary.checks],
    }
    if summary.invoices is not None:
        totals = summary.invoices
        document["invoices"] = {
            "lots": dict(totals.statuses),
            "invoiced": amount(totals.invoiced_cents),
            "expected": amount(totals.expected_cents),
            "approved": amount(totals.approved_cents),
        }
    return document


def summary_lines(summary: RunSummary) -> list[tuple[str, str]]:
    """The lines under the table: what the fund, Justice and the findings come to."""
    m = summary.month
    lines = [
        (
            "Fund",
            f"costs {euro(m.fund_costs)} = days {euro(m.fund_day_costs)}"
            f" + availability {euro(m.fund_availability)}",
        ),
        (
            "Justice",
            f"{euro(m.justice)} = reflection days {euro(m.justice_day_costs)}"
            f" + COSM availability {euro(m.cosm_availability)}",
        ),
        (
            "Direct",
            f"{euro(m.municipal)} COSM after the reflection period, paid by the centrumgemeenten"
            if not summary.not_eligible
            else f"{euro(m.municipal)} paid by the centrumgemeenten: COSM after the reflection"
            f" period, and {euro(summary.not_eligible)} of placements judged not eligible",
        ),
    ]
    if summary.corrections:
        lines.append(
            (
                "Corrections",
                f"{euro(summary.correction_total)} in {counted(summary.corrections, 'row')} for"
                f" {', '.join(summary.corrected_periods)} (sheet Correcties)",
            )
        )
    lines.append(
        (
            "Findings",
            f"{counted(summary.exceptions, 'exception')}, {counted(summary.warnings, 'warning')}"
            " (sheet Uitzonderingen, exceptions.csv)",
        )
    )
    if summary.invoices is not None:
        totals = summary.invoices
        statuses = ", ".join(f"{n} {s}" for s, n in totals.statuses.items() if n)
        lines.append(
            (
                "Invoices",
                f"invoiced {euro(totals.invoiced_cents)}, approved {euro(totals.approved_cents)}"
                f" ({statuses or 'no lots'}; invoices.csv, sheet Facturen)",
            )
        )
    lines += [("CHECK FAILED", name) for name, holds in summary.checks if not holds]
    lines.append(("Workbook", str(summary.workbook)))
    return lines


def print_summary(summary: RunSummary) -> None:
    """The table per centrumgemeente and the lines under it, on stdout (rich)."""
    from rich import box  # noqa: PLC0415 - fast --help
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    console = Console(highlight=False, soft_wrap=False)

    def money(cents: int, *, signed: bool = False) -> Text:
        return Text(euro(cents), style="red" if signed and cents < 0 else "")

    table = Table(
        title=f"{summary.period} as of {summary.as_of.isoformat()}, in euros",
        box=box.SIMPLE_HEAD,
        safe_box=True,
        pad_edge=False,
    )
    table.add_column("Centrumgemeente")
    for heading in ("Contribution", "Charged", "Balance"):
        table.add_column(heading, justify="right")
    members = [c for c in summary.centrumgemeenten if c.member]
    for c in members:
        table.add_row(
            Text(f"{c.code} {c.name}"),
            money(c.contribution),
            money(c.charged),
            money(c.balance, signed=True),
        )
    table.add_section()
    table.add_row(
        Text(f"Total ({counted(len(members), 'member')})", style="bold"),
        money(sum(c.contribution for c in members)),
        money(sum(c.charged for c in members)),
        money(sum(c.balance for c in members), signed=True),
    )
    console.print(table)
    width = max(len(label) for label, _ in summary_lines(summary))
    for label, text in summary_lines(summary):
        style = "bold red" if label == "CHECK FAILED" else "bold"
        console.print(Text.assemble((label.ljust(width), style), "  ", text), soft_wrap=True)
